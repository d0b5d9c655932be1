import { useMutation } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { formatDateTime, formatJson } from '../lib/format.ts';
import { paths } from '../lib/paths.ts';
import { useTRPC } from '../lib/trpc.ts';
import { Dialog } from '../ui/dialog.tsx';
import { ProblemMessage } from '../ui/problem-message.tsx';
import {
  bodyChanges,
  type CheckDraftResult,
  type CheckedEvent,
  type Difference,
  describeDifference,
  describeOutcome,
  headerRows,
  requestOf,
  showValue,
  type ValueChange,
  verdictText,
} from './check-draft-text.ts';
import { useEditor, useEditorStore } from './editor-context.tsx';
import './check-draft.css';

const eventCounts = [20, 50, 100, 200] as const;

/**
 * "Check against recent traffic": the workflow's last real events run through the canvas as it
 * is (a dry run: no request is sent, nothing waits, nothing is recorded), each compared with what
 * the published version did for it. Opens checking the last 50.
 */
export function CheckDraftDialog({
  workflowId,
  onClose,
  onShowNode,
}: {
  workflowId: string;
  onClose(): void;
  onShowNode(nodeId: string): void;
}) {
  const trpc = useTRPC();
  const store = useEditorStore();
  const [limit, setLimit] = useState<number>(50);
  const [onlyChanged, setOnlyChanged] = useState(true);
  const [checkedJson, setCheckedJson] = useState<string | null>(null);
  const current = useEditor((state) => state.document);
  const check = useMutation(trpc.workflows.checkDraft.mutationOptions());
  const run = (events: number) => {
    const { document } = store.getState();
    setCheckedJson(JSON.stringify(document));
    check.mutate({ id: workflowId, document, limit: events });
  };
  // Checks once when the dialog opens (a ref, so a second mount in development does not repeat it).
  const opened = useRef(false);
  useEffect(() => {
    if (opened.current) return;
    opened.current = true;
    run(limit);
  });
  const result = check.data;
  const stale = checkedJson !== null && checkedJson !== JSON.stringify(current);

  return (
    <Dialog
      title="Check against recent traffic"
      onClose={onClose}
      testId="check-draft-dialog"
      className="check-dialog"
      headerExtra={
        <span className="check-controls">
          <label className="small">
            Last{' '}
            <select
              className="select input input-small"
              value={limit}
              onChange={(event) => setLimit(Number(event.currentTarget.value))}
              data-testid="check-limit"
            >
              {eventCounts.map((count) => (
                <option key={count} value={count}>
                  {count}
                </option>
              ))}
            </select>{' '}
            events
          </label>
          <button
            type="button"
            className="button button-small"
            onClick={() => run(limit)}
            disabled={check.isPending}
            data-testid="check-again"
          >
            {check.isPending ? 'Checking…' : 'Check again'}
          </button>
        </span>
      }
    >
      <p className="muted small">
        The workflow’s last real events run through the canvas as it is now, as a dry run: HTTP
        requests are not sent (each shows the request it would send), delays do not wait, nothing is
        written to the history. Each event is compared with what the published version did for it.
      </p>
      {check.isPending && (
        <p className="check-progress" role="status" data-testid="check-running">
          Checking the last {limit} events…
        </p>
      )}
      {check.isError && <ProblemMessage title="The check could not run" error={check.error} />}
      {result && !check.isPending && (
        <CheckResultView
          result={result}
          stale={stale}
          onlyChanged={onlyChanged}
          setOnlyChanged={setOnlyChanged}
          onShowNode={(nodeId) => {
            onClose();
            onShowNode(nodeId);
          }}
        />
      )}
    </Dialog>
  );
}

function CheckResultView({
  result,
  stale,
  onlyChanged,
  setOnlyChanged,
  onShowNode,
}: {
  result: CheckDraftResult;
  stale: boolean;
  onlyChanged: boolean;
  setOnlyChanged(value: boolean): void;
  onShowNode(nodeId: string): void;
}) {
  if (result.checked === 0) {
    return (
      <div className="check-empty" data-testid="check-empty">
        <p>
          <strong>No past events to check against.</strong>
        </p>
        <p className="muted small">
          This workflow has not run on real requests yet (requests to a workflow that was never
          published are kept as samples, not run). Once the published version has run, this replays
          the latest of them through your draft.
        </p>
      </div>
    );
  }
  const items = onlyChanged ? result.items.filter((item) => item.verdict !== 'same') : result.items;
  return (
    <>
      <div
        className="check-summary"
        data-testid="check-summary"
        data-changed={result.changed}
        data-checked={result.checked}
      >
        <p className="check-summary-text">{result.text}</p>
        <ul className="check-counts">
          <li data-verdict="same">
            <strong>{result.unchanged}</strong> the same
          </li>
          <li data-verdict="changed">
            <strong>{result.changed}</strong> would change
          </li>
          <li data-verdict="new-failure">
            <strong>{result.newFailures}</strong> new failure{result.newFailures === 1 ? '' : 's'}
          </li>
        </ul>
        <p className="muted small">
          {stale
            ? 'The canvas changed since this check: check again before you publish.'
            : 'Publish this draft as it is and the summary is recorded on the new version.'}
        </p>
      </div>
      <label className="check-filter small">
        <input
          type="checkbox"
          checked={onlyChanged}
          onChange={(event) => setOnlyChanged(event.currentTarget.checked)}
          data-testid="check-only-changed"
        />{' '}
        Only events that would change
      </label>
      {items.length === 0 ? (
        <p className="muted" data-testid="check-nothing-changed">
          None of these {result.checked} events would change.
        </p>
      ) : (
        <ul className="check-items" data-testid="check-items">
          {items.map((item) => (
            <CheckItem key={item.runId} item={item} onShowNode={onShowNode} />
          ))}
        </ul>
      )}
    </>
  );
}

function CheckItem({ item, onShowNode }: { item: CheckedEvent; onShowNode(nodeId: string): void }) {
  const [open, setOpen] = useState(false);
  const counted = item.differences.filter((difference) => difference.kind !== 'unreadable');
  const first = counted[0] ?? item.differences[0];
  const headline = first ? describeDifference(first) : null;
  return (
    <li className="check-item" data-verdict={item.verdict} data-testid="check-item">
      <button
        type="button"
        className="check-item-head"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
        disabled={item.differences.length === 0}
        data-testid="check-item-toggle"
      >
        <span className="check-verdict" data-verdict={item.verdict}>
          {verdictText[item.verdict]}
        </span>
        <span className="check-item-when small">{formatDateTime(item.receivedAt)}</span>
        <span className="check-item-text">
          {headline ? (
            <>
              {headline.key && <code>{headline.key}</code>} {headline.text}
              {counted.length > 1 && <span className="muted"> (+{counted.length - 1} more)</span>}
            </>
          ) : (
            <span className="muted">
              {describeOutcome(item.before.status)} before and now
              {item.versionNumber !== null ? ` (version ${item.versionNumber})` : ''}
            </span>
          )}
          <span className="check-item-request" title={item.request.excerpt}>
            {item.request.method} {item.request.excerpt}
          </span>
        </span>
        {item.differences.length > 0 && (
          <span className="check-item-chevron" aria-hidden="true">
            {open ? '▾' : '▸'}
          </span>
        )}
      </button>
      {open && (
        <div className="check-item-body" data-testid="check-item-body">
          <p className="small muted">
            Ran on version {item.versionNumber ?? '?'}: {describeOutcome(item.before.status)}
            {item.before.error && ` at ${item.before.error.nodeKey} (${item.before.error.message})`}
            . The draft: {describeOutcome(item.after.status)}
            {item.after.error && ` at ${item.after.error.nodeKey} (${item.after.error.message})`}.{' '}
            <a href={paths.run(item.runId)} target="_blank" rel="noreferrer">
              Open the recorded run
            </a>
          </p>
          <ul className="check-differences">
            {item.differences.map((difference, index) => (
              <DifferenceView key={index} difference={difference} onShowNode={onShowNode} />
            ))}
          </ul>
        </div>
      )}
    </li>
  );
}

function DifferenceView({
  difference,
  onShowNode,
}: {
  difference: Difference;
  onShowNode(nodeId: string): void;
}) {
  const { key, text } = describeDifference(difference);
  return (
    <li className="check-difference" data-kind={difference.kind} data-testid="check-difference">
      <p>
        {key && 'nodeId' in difference ? (
          <button
            type="button"
            className="link-button"
            onClick={() => onShowNode(difference.nodeId)}
            title="Show this node on the canvas"
          >
            <code>{key}</code>
          </button>
        ) : null}{' '}
        {text}
      </p>
      {difference.kind === 'effect' && (
        <EffectDiff
          before={difference.before}
          after={difference.after}
          changes={difference.changes}
          more={difference.moreChanges}
        />
      )}
      {(difference.kind === 'effect-added' || difference.kind === 'effect-removed') &&
        difference.effect && (
          <details>
            <summary className="small">
              {difference.kind === 'effect-added' ? 'What it would do' : 'What it did'}
            </summary>
            <pre className="check-json">{formatJson(difference.effect)}</pre>
          </details>
        )}
    </li>
  );
}

/** A request side by side: method, URL, headers and the body's changed fields. */
function EffectDiff({
  before,
  after,
  changes,
  more,
}: {
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  changes: readonly ValueChange[];
  more: number;
}) {
  const was = requestOf(before);
  const is = requestOf(after);
  if (!was || !is) return <ChangeTable changes={changes} more={more} />;
  const headers = headerRows(was, is);
  const body = bodyChanges(changes);
  return (
    <div className="request-diff" data-testid="request-diff">
      <table className="request-diff-table">
        <colgroup>
          <col className="request-diff-label" />
          <col />
          <col />
        </colgroup>
        <thead>
          <tr>
            <th scope="col" />
            <th scope="col">Published version sent</th>
            <th scope="col">The draft would send</th>
          </tr>
        </thead>
        <tbody>
          <DiffRow label="Method" before={showValue(was.method)} after={showValue(is.method)} />
          <DiffRow label="URL" before={showValue(was.url)} after={showValue(is.url)} />
          {headers.map((row) => (
            <DiffRow
              key={row.name}
              label={row.name}
              labelKind="header"
              before={row.before ?? '—'}
              after={row.after ?? '—'}
            />
          ))}
        </tbody>
      </table>
      {body.length > 0 && (
        <>
          <p className="small request-diff-caption">Body</p>
          <ChangeTable changes={body} more={more} testId="body-diff" />
        </>
      )}
      <details>
        <summary className="small">Both bodies</summary>
        <div className="request-bodies">
          <pre className="check-json">{formatJson(was.body)}</pre>
          <pre className="check-json">{formatJson(is.body)}</pre>
        </div>
      </details>
    </div>
  );
}

function DiffRow({
  label,
  before,
  after,
  labelKind,
}: {
  label: string;
  before: string;
  after: string;
  labelKind?: 'header';
}) {
  const changed = before !== after;
  return (
    <tr data-changed={changed || undefined} data-testid={`diff-row-${label.toLowerCase()}`}>
      <th scope="row">{labelKind === 'header' ? <code>{label}</code> : label}</th>
      <td className="diff-before">{before}</td>
      <td className="diff-after">{after}</td>
    </tr>
  );
}

function ChangeTable({
  changes,
  more,
  testId,
}: {
  changes: readonly ValueChange[];
  more: number;
  testId?: string;
}) {
  return (
    <table className="request-diff-table" data-testid={testId}>
      <colgroup>
        <col className="request-diff-label" />
        <col />
        <col />
      </colgroup>
      <tbody>
        {changes.map((change) => (
          <tr key={change.path} data-changed data-change={change.change}>
            <th scope="row">
              <code>{change.path}</code>
            </th>
            <td className="diff-before">
              {change.change === 'added' ? '(absent)' : showValue(change.before)}
            </td>
            <td className="diff-after">
              {change.change === 'removed' ? '(absent)' : showValue(change.after)}
            </td>
          </tr>
        ))}
        {more > 0 && (
          <tr>
            <td colSpan={3} className="muted small">
              and {more} more change{more === 1 ? '' : 's'}
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}
