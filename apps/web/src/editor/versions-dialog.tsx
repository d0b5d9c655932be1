import type { WorkflowDocument } from '@hookflow/engine';
import { nodeRegistry } from '@hookflow/nodes';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { usePermission } from '../account/session.tsx';
import { formatDateTime } from '../lib/format.ts';
import { useTRPC, useTRPCClient } from '../lib/trpc.ts';
import { Dialog } from '../ui/dialog.tsx';
import { ProblemMessage } from '../ui/problem-message.tsx';
import { useEditor, useEditorStore } from './editor-context.tsx';
import {
  type DocumentDiff,
  diffDocuments,
  diffLines,
  documentJson,
  foldUnchanged,
  isEmptyDiff,
  splitRows,
} from './version-diff.ts';

interface Autosave {
  save(): Promise<{ ok: boolean }>;
  adopt(json: string, revision: number): void;
  revision(): number;
}

/** One side of a comparison: the draft as it is on the canvas, or a published version. */
type Side = 'draft' | { versionId: string; number: number };

type View = 'changes' | 'unified' | 'split';

const views: { id: View; label: string }[] = [
  { id: 'changes', label: 'Changes' },
  { id: 'unified', label: 'JSON diff' },
  { id: 'split', label: 'Side by side' },
];

const sideKey = (side: Side) => (side === 'draft' ? 'draft' : side.versionId);
const sideLabel = (side: Side) => (side === 'draft' ? 'the draft' : `version ${side.number}`);

/**
 * The published versions: who published each, when and with which note; any two of them (or one
 * and the draft) compared as a list of changes or as JSON; restoring one into the draft (one
 * undoable edit).
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
  const [from, setFrom] = useState<Side | null>(null);
  const [to, setTo] = useState<Side>('draft');
  const [view, setView] = useState<View>('changes');
  const sides: Side[] = [
    'draft',
    ...versions.map((version) => ({ versionId: version.id, number: version.number })),
  ];
  const pick = (key: string) => sides.find((side) => sideKey(side) === key) ?? 'draft';
  return (
    <Dialog
      title="Published versions"
      onClose={onClose}
      testId="versions-dialog"
      className="versions-dialog"
    >
      {versions.length === 0 ? (
        <p className="muted" data-testid="versions-empty">
          Nothing is published yet. Publish the draft to create version 1.
        </p>
      ) : (
        <div className="versions-layout">
          <ul className="versions-list" aria-label="Versions">
            {versions.map((version) => (
              <li key={version.id}>
                <button
                  type="button"
                  className="version-item"
                  aria-pressed={from !== null && sideKey(from) === version.id}
                  onClick={() => {
                    setFrom({ versionId: version.id, number: version.number });
                    setTo('draft');
                  }}
                  data-testid="version-item"
                  data-version={version.number}
                >
                  <strong>Version {version.number}</strong>
                  {version.id === live && <span className="badge badge-active">Live</span>}
                  <span className="muted small version-meta" data-testid="version-meta">
                    {formatDateTime(version.createdAt)}
                    {' · '}
                    {version.author ? (
                      <span title={version.author.email}>
                        {version.author.name || version.author.email}
                      </span>
                    ) : (
                      <span title="Published from the command line, or before accounts">
                        no user
                      </span>
                    )}
                  </span>
                  {version.note && (
                    <span className="small version-note" data-testid="version-note">
                      {version.note}
                    </span>
                  )}
                  {version.checkSummary && (
                    <span
                      className="small version-check"
                      data-testid="version-check"
                      title="Checked against recent traffic before it was published"
                    >
                      Checked: {version.checkSummary.text}
                    </span>
                  )}
                </button>
              </li>
            ))}
          </ul>
          {from === null ? (
            <p className="muted">
              Choose a version to see how the draft differs from it, or to compare it with another
              version.
            </p>
          ) : (
            <section className="version-compare" data-testid="version-compare">
              <div className="compare-bar">
                <label className="compare-side">
                  <span className="muted small">Compare</span>
                  <select
                    className="select input"
                    value={sideKey(from)}
                    onChange={(event) => setFrom(pick(event.currentTarget.value))}
                    data-testid="compare-from"
                  >
                    {sides.map((side) => (
                      <option key={sideKey(side)} value={sideKey(side)}>
                        {side === 'draft' ? 'Draft' : `Version ${side.number}`}
                      </option>
                    ))}
                  </select>
                </label>
                <span aria-hidden="true">→</span>
                <label className="compare-side">
                  <span className="muted small">with</span>
                  <select
                    className="select input"
                    value={sideKey(to)}
                    onChange={(event) => setTo(pick(event.currentTarget.value))}
                    data-testid="compare-to"
                  >
                    {sides.map((side) => (
                      <option key={sideKey(side)} value={sideKey(side)}>
                        {side === 'draft' ? 'Draft' : `Version ${side.number}`}
                      </option>
                    ))}
                  </select>
                </label>
                <fieldset className="button-group compare-views">
                  <legend className="visually-hidden">Show</legend>
                  {views.map((option) => (
                    <button
                      key={option.id}
                      type="button"
                      className="button button-small"
                      aria-pressed={view === option.id}
                      onClick={() => setView(option.id)}
                      data-testid={`view-${option.id}`}
                    >
                      {option.label}
                    </button>
                  ))}
                </fieldset>
              </div>
              <Comparison
                key={`${sideKey(from)}|${sideKey(to)}`}
                workflowId={workflowId}
                from={from}
                to={to}
                view={view}
                autosave={autosave}
                onRestored={onClose}
              />
            </section>
          )}
        </div>
      )}
    </Dialog>
  );
}

/** A side's document: the canvas's for the draft, else the version's (secrets masked). */
function useSideDocument(side: Side) {
  const trpc = useTRPC();
  const draft = useEditor((state) => state.document);
  const versionId = side === 'draft' ? '' : side.versionId;
  const version = useQuery({
    ...trpc.workflows.version.queryOptions({ versionId }),
    enabled: side !== 'draft',
  });
  if (side === 'draft') return { document: draft as WorkflowDocument, error: null };
  return { document: version.data?.document ?? null, error: version.error };
}

function Comparison({
  workflowId,
  from,
  to,
  view,
  autosave,
  onRestored,
}: {
  workflowId: string;
  from: Side;
  to: Side;
  view: View;
  autosave: Autosave;
  onRestored(): void;
}) {
  const before = useSideDocument(from);
  const after = useSideDocument(to);
  if (before.error || after.error) {
    return (
      <ProblemMessage title="Could not load the version" error={before.error ?? after.error} />
    );
  }
  if (!before.document || !after.document) return <p className="muted">Loading version…</p>;
  const diff = diffDocuments(before.document, after.document, nodeRegistry);
  const named = to === 'draft' ? 'Draft' : `Version ${to.number}`;
  return (
    <>
      <h3>
        {named} compared with {sideLabel(from)}
      </h3>
      {view === 'changes' ? (
        <DiffList diff={diff} from={from} />
      ) : (
        <JsonComparison
          before={before.document}
          after={after.document}
          labels={[sideLabel(from), sideLabel(to)]}
          split={view === 'split'}
        />
      )}
      {from !== 'draft' && (
        <RestoreVersion
          workflowId={workflowId}
          version={from}
          unchanged={to === 'draft' && isEmptyDiff(diff)}
          autosave={autosave}
          onRestored={onRestored}
        />
      )}
    </>
  );
}

function RestoreVersion({
  workflowId,
  version,
  unchanged,
  autosave,
  onRestored,
}: {
  workflowId: string;
  version: { versionId: string; number: number };
  unchanged: boolean;
  autosave: Autosave;
  onRestored(): void;
}) {
  const client = useTRPCClient();
  const store = useEditorStore();
  const [restoring, setRestoring] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const editor = usePermission('editor');
  const restore = async () => {
    setRestoring(true);
    setError(null);
    try {
      // Edits not saved yet are saved first, so undo can bring them back after the restore.
      const saved = await autosave.save();
      if (!saved.ok) throw new Error('the draft could not be saved first; see the message above');
      const restored = await client.workflows.restoreVersion.mutate({
        id: workflowId,
        versionId: version.versionId,
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
    <div className="version-restore">
      {error !== null && <ProblemMessage title="Could not restore the version" error={error} />}
      <p className="muted small">
        Restoring replaces the draft with version {version.number} (the live version does not change
        until you publish). Undo brings the draft back.
      </p>
      <button
        type="button"
        className="button"
        disabled={restoring || unchanged || !editor.allowed}
        title={editor.reason}
        onClick={() => void restore()}
        data-testid="restore-version"
      >
        {restoring ? 'Restoring…' : `Restore version ${version.number} into the draft`}
      </button>
    </div>
  );
}

function DiffList({ diff, from }: { diff: DocumentDiff; from: Side }) {
  if (isEmptyDiff(diff)) {
    return (
      <p className="muted" data-testid="diff-empty">
        No differences from {sideLabel(from)} (positions aside).
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

/** Both documents as JSON: one unified diff, or two aligned columns. Unchanged runs fold. */
function JsonComparison({
  before,
  after,
  labels,
  split,
}: {
  before: WorkflowDocument;
  after: WorkflowDocument;
  labels: [string, string];
  split: boolean;
}) {
  const lines = useMemo(
    () =>
      foldUnchanged(
        diffLines(
          documentJson(before, nodeRegistry).split('\n'),
          documentJson(after, nodeRegistry).split('\n'),
        ),
      ),
    [before, after],
  );
  const changed = lines.filter((line) => line.kind === 'added' || line.kind === 'removed').length;
  const caption = (
    <p className="muted small">
      {changed === 0
        ? 'The two documents are the same (positions left out).'
        : `${changed} line${changed === 1 ? '' : 's'} differ: − ${labels[0]}, + ${labels[1]}. Secrets are masked, positions left out.`}
    </p>
  );
  if (split) {
    return (
      <>
        {caption}
        <div className="json-split" data-testid="json-split">
          <table>
            <thead>
              <tr>
                <th scope="col">{labels[0]}</th>
                <th scope="col">{labels[1]}</th>
              </tr>
            </thead>
            <tbody>
              {splitRows(lines).map((row, index) =>
                'folded' in row ? (
                  <tr key={index} className="json-folded">
                    <td colSpan={2}>⋯ {row.folded} unchanged lines</td>
                  </tr>
                ) : (
                  <tr key={index}>
                    <td data-change={row.left?.kind === 'removed' ? 'removed' : undefined}>
                      {row.left?.text ?? ''}
                    </td>
                    <td data-change={row.right?.kind === 'added' ? 'added' : undefined}>
                      {row.right?.text ?? ''}
                    </td>
                  </tr>
                ),
              )}
            </tbody>
          </table>
        </div>
      </>
    );
  }
  return (
    <>
      {caption}
      <pre className="json-diff" data-testid="json-diff">
        {lines.map((line, index) =>
          line.kind === 'folded' ? (
            <span key={index} className="json-diff-line" data-change="folded">
              {`  ⋯ ${line.count} unchanged lines\n`}
            </span>
          ) : (
            <span key={index} className="json-diff-line" data-change={line.kind}>
              {`${line.kind === 'added' ? '+' : line.kind === 'removed' ? '-' : ' '} ${line.text}\n`}
            </span>
          ),
        )}
      </pre>
    </>
  );
}
