import { useQuery } from '@tanstack/react-query';
import { lazy, type ReactNode, Suspense, useState } from 'react';
import { isNotFound } from '../lib/api-error.ts';
import {
  errorSummary,
  formatBytes,
  formatDateTime,
  formatDuration,
  runDuration,
} from '../lib/format.ts';
import { paths } from '../lib/paths.ts';
import { Link } from '../lib/router.tsx';
import { type RunDetail, useTRPC } from '../lib/trpc.ts';
import { useNow } from '../lib/use-now.ts';
import { JsonViewer } from '../ui/json-viewer.tsx';
import { EmptyState, Loading, Page } from '../ui/page.tsx';
import { ProblemMessage } from '../ui/problem-message.tsx';
import { RunActions } from './run-actions.tsx';
import { isFinished, StatusBadge } from './run-status.tsx';
import { latestSteps } from './run-steps.ts';
import { shortId } from './run-table.tsx';
import { StepInspector } from './step-inspector.tsx';
import { useLiveRuns } from './use-live-runs.ts';
import { Waterfall } from './waterfall.tsx';
import './runs.css';

/** The graph brings the canvas library with it: loaded when a run is opened. */
const RunGraph = lazy(() =>
  import('./run-graph.tsx').then((module) => ({ default: module.RunGraph })),
);

/** `/runs/:id`: what arrived, and what each step did with it. Live until the run finishes. */
export function RunDetailPage({ id }: { id: string }) {
  const trpc = useTRPC();
  const run = useQuery(
    trpc.runs.get.queryOptions(
      { id },
      {
        // Live updates refetch it; this only catches up after a dropped event stream.
        refetchInterval: (query) =>
          query.state.data && isFinished(query.state.data.status) ? false : 5000,
      },
    ),
  );
  useLiveRuns({ workflowId: run.data?.workflowId, runId: id });

  if (run.isPending) {
    return (
      <Page title="Run">
        <Loading what="the run" />
      </Page>
    );
  }
  if (run.isError) {
    return (
      <Page title="Run">
        {isNotFound(run.error) ? (
          <EmptyState title="Run not found" testId="run-not-found">
            <p>
              There is no run <code>{id}</code>; it may have been deleted.{' '}
              <Link to={paths.runs()}>See all runs</Link>.
            </p>
          </EmptyState>
        ) : (
          <ProblemMessage title="Could not load the run" error={run.error} />
        )}
      </Page>
    );
  }
  return <RunView run={run.data} />;
}

function RunView({ run }: { run: RunDetail }) {
  const trpc = useTRPC();
  const finished = isFinished(run.status);
  const now = useNow(finished ? 60_000 : 500);
  const duration = runDuration(run, now);
  const message = errorSummary(run.error);
  const version = useQuery(trpc.workflows.version.queryOptions({ versionId: run.versionId }));
  const latest = latestSteps(run.steps);
  const failedStep = run.steps.findLast((step) => step.status === 'failed');
  const [chosenKey, setChosenKey] = useState<string | null>(null);
  const selectedKey = chosenKey ?? failedStep?.nodeKey ?? run.steps.at(-1)?.nodeKey ?? null;
  const selectedStep = [...latest.values()].find((step) => step.nodeKey === selectedKey) ?? null;
  const selectedNode = version.data?.document.nodes.find((node) => node.key === selectedKey);

  return (
    <Page
      title={`Run ${run.id}`}
      heading={
        <>
          <p className="breadcrumb">
            <Link to={paths.runs()}>Runs</Link> /{' '}
            <Link to={paths.runs({ workflowId: run.workflowId })}>{run.workflowName}</Link>
          </p>
          <h1 className="heading-with-badge">
            Run <code className="run-id">{run.id}</code> <StatusBadge status={run.status} />
          </h1>
        </>
      }
      actions={<RunActions run={run} />}
    >
      <dl className="facts" data-testid="run-timings">
        <Fact label="Queued">{formatDateTime(run.queuedAt)}</Fact>
        <Fact label="Started">{run.startedAt ? formatDateTime(run.startedAt) : '—'}</Fact>
        <Fact label="Finished">{run.finishedAt ? formatDateTime(run.finishedAt) : '—'}</Fact>
        <Fact label="Waited in queue">
          {run.startedAt ? formatDuration(run.startedAt - run.queuedAt) : '—'}
        </Fact>
        <Fact label="Duration">{duration === null ? '—' : formatDuration(duration)}</Fact>
        <Fact label="Attempt">{run.attempt}</Fact>
        <Fact label="Version">
          {version.data ? `v${version.data.number}` : <code>{shortId(run.versionId)}</code>}
        </Fact>
        {run.replayOf && (
          <Fact label="Replay of">
            <Link to={paths.run(run.replayOf)} data-testid="replay-of">
              {shortId(run.replayOf)}
            </Link>
          </Fact>
        )}
      </dl>

      {message && (
        <div className="run-error" data-testid="run-error-summary">
          <strong>Error:</strong> {message}
        </div>
      )}

      <section className="section" aria-labelledby="graph-heading">
        <div className="section-header">
          <h2 id="graph-heading">Workflow</h2>
          <span className="muted small">
            As it was for this run{version.data ? ` (version ${version.data.number})` : ''}. Click a
            node to see its data.
          </span>
        </div>
        {version.isError ? (
          <ProblemMessage title="Could not load the workflow version" error={version.error} />
        ) : !version.data ? (
          <div className="run-graph run-graph-loading">
            <Loading what="the workflow" />
          </div>
        ) : (
          <Suspense
            fallback={
              <div className="run-graph run-graph-loading">
                <Loading what="the workflow" />
              </div>
            }
          >
            <RunGraph
              document={version.data.document}
              steps={run.steps}
              runFinished={finished}
              selectedKey={selectedKey}
              onSelect={setChosenKey}
            />
          </Suspense>
        )}
      </section>

      <div className="run-columns">
        <section className="section" aria-labelledby="steps-heading">
          <h2 id="steps-heading">Steps</h2>
          {run.steps.length === 0 ? (
            <p className="muted" data-testid="steps-empty">
              {finished ? 'No step ran.' : 'No step has finished yet.'}
            </p>
          ) : (
            <Waterfall steps={run.steps} selectedKey={selectedKey} onSelect={setChosenKey} />
          )}
        </section>
        <section className="section" aria-labelledby="inspector-heading">
          <h2 id="inspector-heading" className="visually-hidden">
            Selected step
          </h2>
          {selectedKey === null ? (
            <p className="muted">Select a step to see its data.</p>
          ) : (
            <StepInspector
              nodeKey={selectedKey}
              step={selectedStep}
              node={selectedNode}
              runFinished={finished}
            />
          )}
        </section>
      </div>

      {run.output !== null && run.output !== undefined && (
        <section className="section">
          <h2>Output</h2>
          <JsonViewer label="Run output" value={run.output} testId="run-output" />
        </section>
      )}
      {/* A step's error shows in the inspector; this is for the others (canceled, stalled). */}
      {run.error !== null && run.error !== undefined && !failedStep && (
        <section className="section">
          <h2>Run error</h2>
          <JsonViewer label="Error" value={run.error} testId="run-error" tone="error" />
        </section>
      )}

      <EventSection event={run.event} />
    </Page>
  );
}

function EventSection({ event }: { event: RunDetail['event'] }) {
  const [raw, setRaw] = useState(false);
  return (
    <section className="section" aria-labelledby="event-heading" data-testid="run-event">
      <div className="section-header">
        <h2 id="event-heading">Event</h2>
        <button
          type="button"
          className="button button-small"
          aria-pressed={raw}
          data-testid="event-raw-toggle"
          onClick={() => setRaw(!raw)}
        >
          {raw ? 'Parsed view' : 'Raw request'}
        </button>
      </div>
      <p className="event-line">
        <span className="method" data-testid="event-method">
          {event.method}
        </span>{' '}
        <code data-testid="event-path">{event.path}</code>
        <span className="muted small">
          {' '}
          received {formatDateTime(event.receivedAt)} · {event.contentType ?? 'no content type'} ·{' '}
          {formatBytes(event.size)}
        </span>
      </p>
      {raw ? (
        <pre className="raw-request" data-testid="event-raw">
          {rawRequest(event)}
        </pre>
      ) : (
        <div className="event-grid">
          <JsonViewer
            label="Body"
            value={event.body}
            expressionBase="trigger.body"
            testId="event-body"
          />
          <JsonViewer
            label="Headers"
            value={event.headers}
            expressionBase="trigger.headers"
            testId="event-headers"
          />
          <JsonViewer
            label="Query"
            value={event.query}
            expressionBase="trigger.query"
            testId="event-query"
          />
        </div>
      )}
    </section>
  );
}

/** The request as it came over the wire: request line, headers, then the body as received. */
function rawRequest(event: RunDetail['event']): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(event.query)) {
    for (const item of Array.isArray(value) ? value : [value]) query.append(name, item);
  }
  const search = query.toString();
  const head = [
    `${event.method} ${event.path}${search ? `?${search}` : ''} HTTP/1.1`,
    ...Object.entries(event.headers).map(([name, value]) => `${name}: ${value}`),
  ].join('\n');
  const body =
    event.rawBody.encoding === 'utf8'
      ? event.rawBody.data
      : `[${formatBytes(event.size)} of binary data, base64]\n${event.rawBody.data}`;
  return `${head}\n\n${body}`;
}

export function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="fact">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}
