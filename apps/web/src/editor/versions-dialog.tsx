import { nodeRegistry } from '@hookflow/nodes';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { usePermission } from '../account/session.tsx';
import { formatDateTime } from '../lib/format.ts';
import { useTRPC, useTRPCClient } from '../lib/trpc.ts';
import { ProblemMessage } from '../ui/problem-message.tsx';
import { useEditor, useEditorStore } from './editor-context.tsx';
import { type DocumentDiff, diffDocuments, isEmptyDiff } from './version-diff.ts';

interface Autosave {
  save(): Promise<{ ok: boolean }>;
  adopt(json: string, revision: number): void;
  revision(): number;
}

/**
 * The published versions: when and with which note, what the draft changes compared with one
 * of them, and restoring one into the draft (one undoable edit).
 */
export function VersionsDialog({
  workflowId,
  publishedVersionId,
  autosave,
  onClose,
}: {
  workflowId: string;
  publishedVersionId: string | null;
  autosave: Autosave;
  onClose(): void;
}) {
  const trpc = useTRPC();
  const workflow = useQuery(trpc.workflows.get.queryOptions({ id: workflowId }));
  const versions = workflow.data?.versions ?? [];
  const live = workflow.data?.publishedVersionId ?? publishedVersionId;
  const [chosen, setChosen] = useState<string | null>(null);
  const dialog = useRef<HTMLDivElement>(null);
  useEffect(() => {
    dialog.current?.focus();
  }, []);
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: Escape closes the dialog from anywhere in it
    <div className="dialog-backdrop" onKeyDown={(event) => event.key === 'Escape' && onClose()}>
      <div
        className="dialog versions-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="versions-title"
        tabIndex={-1}
        ref={dialog}
        data-testid="versions-dialog"
      >
        <header className="dialog-header">
          <h2 id="versions-title">Published versions</h2>
          <button
            type="button"
            className="button button-small button-quiet"
            onClick={onClose}
            aria-label="Close"
            data-testid="versions-close"
          >
            <span aria-hidden="true">✕</span>
          </button>
        </header>
        {versions.length === 0 ? (
          <p className="muted" data-testid="versions-empty">
            Nothing is published yet. Publish the draft to create version 1.
          </p>
        ) : (
          <div className="versions-layout">
            <ul className="versions-list">
              {versions.map((version) => (
                <li key={version.id}>
                  <button
                    type="button"
                    className="version-item"
                    aria-pressed={chosen === version.id}
                    onClick={() => setChosen(version.id)}
                    data-testid="version-item"
                    data-version={version.number}
                  >
                    <strong>Version {version.number}</strong>
                    {version.id === live && <span className="badge badge-active">Live</span>}
                    <span className="muted small">{formatDateTime(version.createdAt)}</span>
                    {version.note && <span className="small">{version.note}</span>}
                  </button>
                </li>
              ))}
            </ul>
            {chosen ? (
              <VersionCompare
                key={chosen}
                workflowId={workflowId}
                versionId={chosen}
                autosave={autosave}
                onRestored={onClose}
              />
            ) : (
              <p className="muted">Choose a version to see how the draft differs from it.</p>
            )}
          </div>
        )}
      </div>
    </div>
  );
}

function VersionCompare({
  workflowId,
  versionId,
  autosave,
  onRestored,
}: {
  workflowId: string;
  versionId: string;
  autosave: Autosave;
  onRestored(): void;
}) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const store = useEditorStore();
  const draft = useEditor((state) => state.document);
  const version = useQuery(trpc.workflows.version.queryOptions({ versionId }));
  const [restoring, setRestoring] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const editor = usePermission('editor');
  if (version.isError)
    return <ProblemMessage title="Could not load the version" error={version.error} />;
  if (!version.data) return <p className="muted">Loading version…</p>;
  const diff = diffDocuments(version.data.document, draft, nodeRegistry);

  const restore = async () => {
    setRestoring(true);
    setError(null);
    try {
      // Edits not saved yet are saved first, so undo can bring them back after the restore.
      const saved = await autosave.save();
      if (!saved.ok) throw new Error('the draft could not be saved first; see the message above');
      const restored = await client.workflows.restoreVersion.mutate({
        id: workflowId,
        versionId,
        baseRevision: autosave.revision(),
      });
      store.getState().loadDocument(restored.document);
      autosave.adopt(JSON.stringify(store.getState().document), restored.revision);
      onRestored();
    } catch (caught) {
      setError(caught);
      setRestoring(false);
    }
  };

  return (
    <section className="version-compare" data-testid="version-compare">
      <h3>Draft compared with version {version.data.number}</h3>
      <DiffList diff={diff} />
      {error !== null && <ProblemMessage title="Could not restore the version" error={error} />}
      <p className="muted small">
        Restoring replaces the draft with this version (the live version does not change until you
        publish). Undo brings the draft back.
      </p>
      <button
        type="button"
        className="button"
        disabled={restoring || isEmptyDiff(diff) || !editor.allowed}
        title={editor.reason}
        onClick={() => void restore()}
        data-testid="restore-version"
      >
        {restoring ? 'Restoring…' : `Restore version ${version.data.number} into the draft`}
      </button>
    </section>
  );
}

function DiffList({ diff }: { diff: DocumentDiff }) {
  if (isEmptyDiff(diff)) {
    return (
      <p className="muted" data-testid="diff-empty">
        No differences: the draft is this version (positions aside).
      </p>
    );
  }
  return (
    <ul className="diff-list" data-testid="diff-list">
      {diff.renamed && <li data-change="changed">The workflow was renamed</li>}
      {diff.added.map((node) => (
        <li key={`+${node.id}`} data-change="added" data-testid="diff-added">
          Added <code>{node.key}</code> {node.name}
        </li>
      ))}
      {diff.removed.map((node) => (
        <li key={`-${node.id}`} data-change="removed" data-testid="diff-removed">
          Removed <code>{node.key}</code> {node.name}
        </li>
      ))}
      {diff.changed.map((change) => (
        <li key={`~${change.id}`} data-change="changed" data-testid="diff-changed">
          Changed <code>{change.key}</code>: {change.fields.join(', ')}
        </li>
      ))}
      {diff.edgesAdded.length + diff.edgesRemoved.length > 0 && (
        <li data-change="changed">
          Connections: {diff.edgesAdded.length} added, {diff.edgesRemoved.length} removed
        </li>
      )}
      {diff.settingsChanged && <li data-change="changed">Workflow settings changed</li>}
    </ul>
  );
}
