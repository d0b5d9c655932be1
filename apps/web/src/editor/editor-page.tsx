import { placeholderWarnings } from '@hookflow/engine';
import { nodeRegistry } from '@hookflow/nodes';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ReactFlowProvider, useReactFlow, useStoreApi } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import { useStore } from 'zustand';
import { usePermission } from '../account/session.tsx';
import { loadExpressionEditor } from '../fields/expression-input.tsx';
import { useDraftText } from '../fields/use-draft-text.ts';
import { isForbidden, isNotFound } from '../lib/api-error.ts';
import { paths } from '../lib/paths.ts';
import { isPreloadedPage, Link, useLocation } from '../lib/router.tsx';
import { isApiError, useTRPC, useTRPCClient, type WorkflowDetail } from '../lib/trpc.ts';
import { useDocumentTitle } from '../lib/use-document-title.ts';
import { Notice } from '../ui/notice.tsx';
import { EmptyState, Loading, Page } from '../ui/page.tsx';
import { ProblemMessage } from '../ui/problem-message.tsx';
import { Canvas, fitViewOptions, initialFlowNodes } from './canvas.tsx';
import { CheckDraftDialog } from './check-draft.tsx';
import { CLIPBOARD_STORAGE_KEY, parseFragment, type ViewRect } from './clipboard.ts';
import { ConfigPanel, IssueList } from './config-panel.tsx';
import { DataPanel, useTestRun } from './data-panel.tsx';
import { EditorStoreContext, IssuesContext, useEditor, useEditorStore } from './editor-context.tsx';
import { editorWorkflowQuery } from './editor-query.ts';
import { CARD_SIZE, freePosition } from './graph.ts';
import { useLiveIssues } from './live-issues.ts';
import { Palette } from './palette.tsx';
import { PublishDialog } from './publish-dialog.tsx';
import { shortcutFor } from './shortcuts.ts';
import { ShortcutsDialog } from './shortcuts-dialog.tsx';
import './editor.css';
import { createEditorStore } from './store.ts';
import { createTestDataStore, TestDataContext } from './test-data.ts';
import { type SaveStatus, useAutosave } from './use-autosave.ts';
import { VersionsDialog } from './versions-dialog.tsx';

/** `/workflows/:id/edit`: the canvas editor of one workflow's draft. */
export function EditorPage({ id }: { id: string }) {
  const trpc = useTRPC();
  // Preloaded for this very page (the app opened at it, or a link preloaded it); otherwise
  // fetched once shown.
  const [preloaded] = useState(() => isPreloadedPage(window.location.pathname));
  const workflow = useQuery({ ...editorWorkflowQuery(trpc, id), refetchOnMount: !preloaded });
  if (workflow.isError) {
    return (
      <div className="editor-message">
        <Page title="Edit workflow">
          {isNotFound(workflow.error) ? (
            <EmptyState title="Workflow not found" testId="workflow-not-found">
              <p>
                There is no workflow <code>{id}</code>; it may have been deleted.{' '}
                <Link to={paths.workflows()}>See all workflows</Link>.
              </p>
            </EmptyState>
          ) : (
            <ProblemMessage title="Could not load the workflow" error={workflow.error} />
          )}
        </Page>
      </div>
    );
  }
  // The store is built once, from the stored draft: never from a copy cached by another page.
  if (!(workflow.isFetchedAfterMount || (preloaded && workflow.isSuccess)) || workflow.isPending) {
    return (
      <div className="editor-message">
        <Loading what="the editor" />
      </div>
    );
  }
  return <WorkflowEditor workflow={workflow.data} />;
}

function WorkflowEditor({ workflow }: { workflow: WorkflowDetail }) {
  const [store] = useState(() => createEditorStore(workflow.document, { registry: nodeRegistry }));
  const { searchParams } = useLocation();
  const [testData] = useState(() => createTestDataStore(workflow.id, searchParams.get('sample')));
  // React Flow's store starts with the nodes (the provider reads these once).
  const [initial] = useState(() => {
    const { nodes, edges } = store.getState();
    return { nodes: initialFlowNodes(nodes, edges), edges };
  });
  return (
    <EditorStoreContext.Provider value={store}>
      <TestDataContext.Provider value={testData}>
        <ReactFlowProvider initialNodes={initial.nodes} initialEdges={initial.edges}>
          <EditorLayout workflow={workflow} />
        </ReactFlowProvider>
      </TestDataContext.Provider>
    </EditorStoreContext.Provider>
  );
}

type PublishOutcome =
  | { kind: 'published'; number: number; check: string | null }
  | { kind: 'refused'; error: unknown }
  | { kind: 'not-saved'; error: unknown };

function EditorLayout({ workflow }: { workflow: WorkflowDetail }) {
  const store = useEditorStore();
  const client = useTRPCClient();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { fitView } = useReactFlow();
  const flow = useStoreApi();
  const document = useEditor((state) => state.document);
  // Checked in a worker once a change is drawn: a card re-renders only when its own problems
  // change.
  const issuesStore = useLiveIssues(workflow, document);
  const issues = useSyncExternalStore(issuesStore.subscribe, issuesStore.get);
  const autosave = useAutosave(workflow.id, document, workflow.draftRevision);
  const [publishing, setPublishing] = useState(false);
  const [showData, setShowData] = useState(dataPanelShown);
  const [showVersions, setShowVersions] = useState(false);
  const [showCheck, setShowCheck] = useState(false);
  const [showShortcuts, setShowShortcuts] = useState(false);
  const [askPublish, setAskPublish] = useState(false);
  const [outcome, setOutcome] = useState<PublishOutcome | null>(null);
  // Viewers may look at the canvas; what would change the workflow is disabled for them.
  const editor = usePermission('editor');
  useDocumentTitle(`Edit ${document.name}`);
  // The refusal's list is stale once the live validation finds nothing left to fix.
  const allFixed = issues.all.length === 0;
  useEffect(() => {
    if (allFixed) setOutcome((current) => (current?.kind === 'refused' ? null : current));
  }, [allFixed]);
  const openShortcuts = useCallback(() => setShowShortcuts(true), []);
  useEditorShortcuts(autosave.save, openShortcuts);
  // Fetched once the canvas is up, so the first node opened shows its fields at once.
  useEffect(() => {
    const warm = setTimeout(() => void loadExpressionEditor(), 300);
    return () => clearTimeout(warm);
  }, []);
  useClipboardShortcuts(editor.allowed);

  const showNode = (nodeId: string) => {
    store.getState().selectNode(nodeId);
    void fitView({ ...fitViewOptions, nodes: [{ id: nodeId }], duration: 300 });
  };

  const addInView = (type: string) => {
    // The middle of the visible canvas, in flow coordinates.
    const view = visibleFlowRect(flow.getState());
    const centre = { x: view.x + view.width / 2, y: view.y + view.height / 2 };
    const { nodes, addNode } = store.getState();
    addNode(
      type,
      freePosition(nodes, {
        x: centre.x - CARD_SIZE.width / 2,
        y: centre.y - CARD_SIZE.height / 2,
      }),
    );
  };

  const exportDocument = async () => {
    const saved = await autosave.save();
    if (!saved.ok) {
      setOutcome({ kind: 'not-saved', error: saved.error });
      return;
    }
    try {
      const exported = await client.workflows.export.query({ id: workflow.id });
      downloadJson(exported, `${fileStem(exported.name)}.hookflow.json`);
    } catch (error) {
      setOutcome({ kind: 'not-saved', error });
    }
  };

  const publish = async (note = '') => {
    setAskPublish(false);
    setPublishing(true);
    setOutcome(null);
    try {
      const saved = await autosave.save();
      if (!saved.ok) {
        setOutcome({ kind: 'not-saved', error: saved.error });
        return;
      }
      const version = await client.workflows.publish.mutate({
        id: workflow.id,
        ...(note ? { note } : {}),
      });
      setOutcome({
        kind: 'published',
        number: version.number,
        check: version.checkSummary?.text ?? null,
      });
      void queryClient.invalidateQueries({ queryKey: trpc.workflows.pathKey() });
    } catch (error) {
      setOutcome({ kind: 'refused', error });
    } finally {
      setPublishing(false);
    }
  };

  return (
    <IssuesContext.Provider value={issuesStore}>
      <div className="editor" data-testid="editor">
        <header className="editor-bar">
          <div className="editor-bar-title">
            <Link
              to={paths.workflow(workflow.id)}
              className="editor-back"
              title="Back to the workflow"
              data-testid="editor-back"
            >
              ← Workflow
            </Link>
            <WorkflowNameInput />
          </div>
          <div className="editor-bar-actions">
            <SaveIndicator status={autosave.status} error={autosave.error} />
            <UndoRedoButtons />
            <button
              type="button"
              className="button"
              aria-pressed={showData}
              onClick={() => {
                setShowData(!showData);
                rememberDataPanel(!showData);
              }}
              data-testid="toggle-data-panel"
              title="Show or hide the test data: sample events and test outputs"
            >
              Data
            </button>
            <TestRunButton />
            <button
              type="button"
              className="button button-icon"
              onClick={() => setShowShortcuts(true)}
              aria-label="Keyboard shortcuts"
              title="Keyboard shortcuts (?)"
              data-testid="open-shortcuts"
            >
              <span aria-hidden="true">?</span>
            </button>
            <button
              type="button"
              className="button"
              onClick={() => setShowVersions(true)}
              data-testid="open-versions"
              title="Published versions: compare with the draft, restore one"
            >
              Versions
            </button>
            <button
              type="button"
              className="button"
              onClick={() => void exportDocument()}
              data-testid="export-workflow"
              title="Save the draft and download it as a workflow file (secrets masked), for import elsewhere"
            >
              Export
            </button>
            <button
              type="button"
              className="button"
              onClick={() => void autosave.save()}
              disabled={
                autosave.status === 'saved' || autosave.status === 'saving' || !editor.allowed
              }
              data-testid="save-draft"
              title={editor.reason ?? 'Save the draft (Ctrl+S)'}
            >
              Save draft
            </button>
            <button
              type="button"
              className="button"
              onClick={() => setShowCheck(true)}
              data-testid="check-draft"
              title="Check against recent traffic: replay the last real events through the canvas as it is (nothing is sent) and see what would change"
            >
              Check traffic
            </button>
            <button
              type="button"
              className="button button-primary"
              // A draft with problems goes straight to the server, which lists them.
              onClick={() => (issues.all.length > 0 ? void publish() : setAskPublish(true))}
              disabled={publishing || !editor.allowed}
              data-testid="publish"
              title={
                editor.reason ??
                (issues.all.length > 0
                  ? `${issues.all.length} problem${issues.all.length === 1 ? '' : 's'} to fix first`
                  : 'Publish the draft: requests to the trigger URL run it')
              }
            >
              {publishing ? 'Publishing…' : 'Publish'}
            </button>
          </div>
        </header>
        {showShortcuts && <ShortcutsDialog onClose={() => setShowShortcuts(false)} />}
        {askPublish && (
          <PublishDialog
            nextVersion={(workflow.versions[0]?.number ?? 0) + 1}
            placeholders={placeholderWarnings(document)}
            onShowNode={showNode}
            onPublish={(note) => void publish(note)}
            onClose={() => setAskPublish(false)}
          />
        )}
        {showVersions && (
          <VersionsDialog
            workflowId={workflow.id}
            publishedVersionId={workflow.publishedVersionId}
            autosave={autosave}
            onClose={() => setShowVersions(false)}
          />
        )}
        {!editor.allowed && (
          <div className="editor-notice">
            <Notice tone="warning" title="Read only" testId="editor-read-only">
              <p>
                {editor.reason} You can look at this workflow and its test data; changes made here
                are not saved.
              </p>
            </Notice>
          </div>
        )}
        {autosave.status === 'failed' && isForbidden(autosave.error) && (
          <div className="editor-notice">
            <ProblemMessage title="Could not save the draft" error={autosave.error} />
          </div>
        )}
        {showCheck && (
          <CheckDraftDialog
            workflowId={workflow.id}
            onClose={() => setShowCheck(false)}
            onShowNode={showNode}
          />
        )}
        {autosave.status === 'conflict' && (
          <div className="editor-notice">
            <Notice
              tone="warning"
              testId="save-conflict"
              title="This draft was saved elsewhere (another tab or person) after you opened it"
            >
              <p>
                Your changes are not saved. Reload to see the other version (your changes here are
                lost), or keep yours and overwrite it.
              </p>
              <p className="button-row">
                <button
                  type="button"
                  className="button button-small"
                  onClick={() => window.location.reload()}
                  data-testid="conflict-reload"
                >
                  Reload the saved draft
                </button>
                <button
                  type="button"
                  className="button button-small button-danger"
                  onClick={() => void autosave.overwrite()}
                  data-testid="conflict-overwrite"
                >
                  Overwrite it with mine
                </button>
              </p>
            </Notice>
          </div>
        )}
        {outcome && (
          <PublishNotice
            outcome={outcome}
            workflowId={workflow.id}
            onShowNode={showNode}
            onDismiss={() => setOutcome(null)}
          />
        )}
        <div className="editor-body" data-data-panel={showData ? 'shown' : 'hidden'}>
          <Palette onAdd={addInView} />
          <Canvas />
          {showData && <DataPanel triggerUrl={workflow.triggerUrl} />}
          <ConfigPanel
            triggerUrl={workflow.triggerUrl}
            published={workflow.publishedVersionId !== null}
            onShowNode={showNode}
          />
        </div>
      </div>
    </IssuesContext.Provider>
  );
}

function PublishNotice({
  outcome,
  workflowId,
  onShowNode,
  onDismiss,
}: {
  outcome: PublishOutcome;
  workflowId: string;
  onShowNode(id: string): void;
  onDismiss(): void;
}) {
  if (outcome.kind === 'published') {
    return (
      <div className="editor-notice">
        <Notice
          tone="success"
          testId="publish-result"
          onDismiss={onDismiss}
          title={
            <>
              Published version {outcome.number}. Requests to the trigger URL now run it;{' '}
              <Link to={paths.workflow(workflowId)}>see its runs</Link>.
              {outcome.check && (
                <span data-testid="publish-check">
                  {' '}
                  The check against recent traffic is recorded on it: {outcome.check}
                </span>
              )}
            </>
          }
        />
      </div>
    );
  }
  if (outcome.kind === 'not-saved') {
    return (
      <div className="editor-notice">
        <ProblemMessage
          title="Could not save the draft"
          error={outcome.error}
          onDismiss={onDismiss}
        />
      </div>
    );
  }
  const issues = isApiError(outcome.error) ? (outcome.error.data?.issues ?? []) : [];
  return (
    <div className="editor-notice">
      <Notice
        tone="error"
        title="The workflow cannot be published yet"
        testId="publish-problems"
        onDismiss={onDismiss}
      >
        {issues.length > 0 ? (
          <>
            <p>Fix these problems and publish again; select one to show its node.</p>
            <IssueList issues={issues} onShowNode={onShowNode} testId="publish-issues" />
          </>
        ) : (
          <p>{outcome.error instanceof Error ? outcome.error.message : String(outcome.error)}</p>
        )}
      </Notice>
    </div>
  );
}

function TestRunButton() {
  const test = useTestRun();
  const editor = usePermission('editor');
  return (
    <button
      type="button"
      className="button"
      onClick={() => void test.run()}
      disabled={!test.ready || test.running || !editor.allowed}
      data-testid="test-run"
      title={
        editor.reason ??
        (test.ready
          ? 'Run the canvas as it is against the chosen sample event, without publishing'
          : 'Capture or choose a sample event in the data panel first')
      }
    >
      {test.running ? 'Testing…' : '▶ Test run'}
    </button>
  );
}

const DATA_PANEL_KEY = 'hookflow.editor.dataPanel';

/** Whether the data panel is shown, as the person last left it (shown at first). */
function dataPanelShown(): boolean {
  try {
    return localStorage.getItem(DATA_PANEL_KEY) !== 'hidden';
  } catch {
    return true;
  }
}

function rememberDataPanel(shown: boolean): void {
  try {
    localStorage.setItem(DATA_PANEL_KEY, shown ? 'shown' : 'hidden');
  } catch {
    // Storage refused (private mode, full): the choice holds until the page is left.
  }
}

const statusText: Record<SaveStatus, string> = {
  saved: 'Saved',
  saving: 'Saving…',
  unsaved: 'Unsaved changes',
  failed: 'Not saved',
  conflict: 'Not saved: changed elsewhere',
};

function SaveIndicator({ status, error }: { status: SaveStatus; error: unknown }) {
  const reason = status === 'failed' && error instanceof Error ? error.message : undefined;
  return (
    <span
      className="save-status"
      data-status={status}
      data-testid="save-status"
      role="status"
      title={reason}
    >
      {statusText[status]}
    </span>
  );
}

function UndoRedoButtons() {
  const store = useEditorStore();
  const canUndo = useStore(store.temporal, (state) => state.pastStates.length > 0);
  const canRedo = useStore(store.temporal, (state) => state.futureStates.length > 0);
  return (
    <span className="button-group">
      <button
        type="button"
        className="button button-icon"
        onClick={() => store.getState().undo()}
        disabled={!canUndo}
        aria-label="Undo"
        title="Undo (Ctrl+Z)"
        data-testid="undo"
      >
        <span aria-hidden="true">↶</span>
      </button>
      <button
        type="button"
        className="button button-icon"
        onClick={() => store.getState().redo()}
        disabled={!canRedo}
        aria-label="Redo"
        title="Redo (Ctrl+Shift+Z)"
        data-testid="redo"
      >
        <span aria-hidden="true">↷</span>
      </button>
    </span>
  );
}

/** The workflow's name, committed while it is not empty. */
function WorkflowNameInput() {
  // A viewer reads the name; the rest of their editor is read only too.
  const editor = usePermission('editor');
  const name = useEditor((state) => state.name);
  const setName = useEditor((state) => state.setName);
  const [text, edit] = useDraftText(name, String);
  const empty = text.trim() === '';
  return (
    <input
      className="input editor-name"
      type="text"
      aria-label="Workflow name"
      value={text}
      maxLength={200}
      readOnly={!editor.allowed}
      aria-invalid={empty || undefined}
      title={!editor.allowed ? editor.reason : empty ? 'A workflow needs a name' : undefined}
      data-testid="workflow-name-input"
      onChange={(event) => {
        const next = event.currentTarget.value;
        if (next.trim() === '') edit(next);
        else {
          edit(next, next);
          setName(next);
        }
      }}
    />
  );
}

function isTextEntry(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement) return true;
  return (
    target instanceof HTMLInputElement &&
    !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color'].includes(target.type)
  );
}

/**
 * The editor's window-wide shortcuts, from the shortcut table (shortcuts.ts): undo, redo, save
 * and help. Inside a text box the browser's own text undo (and a typed "?") apply instead.
 */
function useEditorShortcuts(save: () => Promise<unknown>, showHelp: () => void) {
  const store = useEditorStore();
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      // A dialog handles its own keys.
      if (event.target instanceof Element && event.target.closest('[role="dialog"]')) return;
      const shortcut = shortcutFor(event, isTextEntry(event.target));
      if (shortcut === null) return;
      event.preventDefault();
      if (shortcut === 'save') void save();
      else if (shortcut === 'undo') store.getState().undo();
      else if (shortcut === 'redo') store.getState().redo();
      else if (shortcut === 'help') showHelp();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [store, save, showHelp]);
}

/** Text is selected somewhere on the page: copy and paste are the browser's. */
function hasTextSelection(): boolean {
  const selection = window.getSelection();
  return selection !== null && !selection.isCollapsed;
}

/**
 * Ctrl/Cmd+C, X and V on the canvas copy, cut and paste the selected nodes with the edges
 * between them, through the system clipboard (so they reach another workflow, even in another
 * tab) and this browser's storage (when the clipboard holds nothing). Inside text boxes they
 * stay the browser's.
 */
function useClipboardShortcuts(editable: boolean) {
  const store = useEditorStore();
  const flow = useStoreApi();
  useEffect(() => {
    const copy = (event: ClipboardEvent, cut: boolean) => {
      if (isTextEntry(event.target) || hasTextSelection()) return;
      const fragment = store.getState().copySelection();
      if (!fragment) return;
      const json = JSON.stringify(fragment);
      event.preventDefault();
      event.clipboardData?.setData('text/plain', json);
      try {
        localStorage.setItem(CLIPBOARD_STORAGE_KEY, json);
      } catch {
        // Storage full or disabled: the system clipboard still has it.
      }
      // A viewer copies; cutting would take nodes out of a workflow they may not change.
      if (cut && editable) store.getState().deleteSelected();
    };
    const onCopy = (event: ClipboardEvent) => copy(event, false);
    const onCut = (event: ClipboardEvent) => copy(event, true);
    const onPaste = (event: ClipboardEvent) => {
      if (!editable || isTextEntry(event.target)) return;
      const text = event.clipboardData?.getData('text/plain') ?? '';
      let fragment = parseFragment(text);
      if (!fragment && text === '') {
        try {
          fragment = parseFragment(localStorage.getItem(CLIPBOARD_STORAGE_KEY));
        } catch {
          fragment = null;
        }
      }
      if (!fragment) return;
      event.preventDefault();
      store.getState().pasteNodes(fragment, visibleFlowRect(flow.getState()));
    };
    document.addEventListener('copy', onCopy);
    document.addEventListener('cut', onCut);
    document.addEventListener('paste', onPaste);
    return () => {
      document.removeEventListener('copy', onCopy);
      document.removeEventListener('cut', onCut);
      document.removeEventListener('paste', onPaste);
    };
  }, [store, flow, editable]);
}

/** The part of the canvas in view, in flow coordinates. */
function visibleFlowRect({
  width,
  height,
  transform: [panX, panY, zoom],
}: {
  width: number;
  height: number;
  transform: [number, number, number];
}): ViewRect {
  return { x: -panX / zoom, y: -panY / zoom, width: width / zoom, height: height / zoom };
}

/** `Orders to CRM!` -> `orders-to-crm`: a file name that every system accepts. */
function fileStem(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'workflow'
  );
}

function downloadJson(value: unknown, fileName: string) {
  const blob = new Blob([`${JSON.stringify(value, null, 2)}\n`], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const link = window.document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  // The download has started once click() returns; the URL is no longer needed after.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
