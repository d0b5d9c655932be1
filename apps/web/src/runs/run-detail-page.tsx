import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { isNotFound } from '../lib/api-error.ts';
import {
  errorSummary,
  formatBytes,
  formatDateTime,
  formatDuration,
  formatJson,
  runDuration,
} from '../lib/format.ts';
import { nodeTypeLabel } from '../lib/node-types.ts';
import { paths } from '../lib/paths.ts';
import { Link } from '../lib/router.tsx';
import { type RunDetail, type RunStep, useTRPC } from '../lib/trpc.ts';
import { useNow } from '../lib/use-now.ts';
import { JsonBlock } from '../ui/json-block.tsx';
import { EmptyState, Loading, Page } from '../ui/page.tsx';
import { ProblemMessage } from '../ui/problem-message.tsx';
import { isFinished, StatusBadge } from './run-status.tsx';

/** `/runs/:id`: what arrived, and what each step did with it. Polls until the run finishes. */
export function RunDetailPage({ id }: { id: string }) {
  const trpc = useTRPC();
  const run = useQuery(
    trpc.runs.get.queryOptions(
      { id },
      {
        refetchInterval: (query) =>
          query.state.data && isFinished(query.state.data.status) ? false : 1000,
      },
    ),
  );

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
              There is no run <code>{id}</code>. <Link to={paths.runs()}>See all runs</Link>.
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
  const now = useNow(isFinished(run.status) ? 60_000 : 500);
  const duration = runDuration(run, now);
  const message = errorSummary(run.error);
  return (
    <Page
      title={`Run ${run.id}`}
      heading={
        <>
          <p className="breadcrumb">
            <Link to={paths.runs()}>Runs</Link> /{' '}
            <Link to={paths.workflow(run.workflowId)}>{run.workflowName}</Link>
          </p>
          <h1 className="heading-with-badge">
            Run <code className="run-id">{run.id}</code> <StatusBadge status={run.status} />
          </h1>
        </>
      }
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
      </dl>

      {run.error !== null && run.error !== undefined && (
        <section className="section">
          <h2>Error</h2>
          {message && <p className="error-text">{message}</p>}
          <JsonBlock label="Details" value={run.error} testId="run-error" tone="error" />
        </section>
      )}

      <EventSection event={run.event} />

      <section className="section" aria-labelledby="steps-heading">
        <h2 id="steps-heading">Steps</h2>
        {run.steps.length === 0 ? (
          <p className="muted" data-testid="steps-empty">
            {isFinished(run.status) ? 'No step ran.' : 'No step has finished yet.'}
          </p>
        ) : (
          <ol className="steps">
            {run.steps.map((step, index) => (
              <StepItem key={step.id} step={step} position={index + 1} />
            ))}
          </ol>
        )}
      </section>

      {run.output !== null && run.output !== undefined && (
        <section className="section">
          <h2>Output</h2>
          <JsonBlock label="Run output" value={run.output} testId="run-output" />
        </section>
      )}
    </Page>
  );
}

function EventSection({ event }: { event: RunDetail['event'] }) {
  return (
    <section className="section" aria-labelledby="event-heading" data-testid="run-event">
      <h2 id="event-heading">Event</h2>
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
      <div className="json-grid">
        <JsonBlock label="Headers" value={event.headers} testId="event-headers" />
        <JsonBlock label="Query" value={event.query} testId="event-query" />
      </div>
      <JsonBlock label="Body" value={event.body} testId="event-body" />
      {event.size > 0 && (
        <details className="details">
          <summary>
            Raw body ({event.rawBody.encoding === 'utf8' ? 'text' : 'base64'},{' '}
            {formatBytes(event.size)})
          </summary>
          <pre data-testid="event-raw-body">{event.rawBody.data}</pre>
        </details>
      )}
    </section>
  );
}

function StepItem({ step, position }: { step: RunStep; position: number }) {
  const type = nodeTypeLabel(step.nodeType);
  const message = errorSummary(step.error);
  return (
    <li
      className="step"
      data-testid="step-row"
      data-node-key={step.nodeKey}
      data-status={step.status}
    >
      <header className="step-header">
        <span className="step-position">{position}</span>
        <span className="node-icon" aria-hidden="true">
          {type.icon}
        </span>
        <code className="step-key" data-testid="step-key">
          {step.nodeKey}
        </code>
        <span className="muted" data-testid="step-type" title={step.nodeType}>
          {type.label}
        </span>
        <StatusBadge status={step.status} testId="step-status" />
        <span className="step-duration" data-testid="step-duration">
          {formatDuration(step.durationMs)}
          {step.attempt > 1 && ` · attempt ${step.attempt}`}
        </span>
      </header>
      {message && <p className="error-text">{message}</p>}
      <div className="json-grid">
        <JsonBlock label="Input" value={step.input} testId="step-input" />
        <JsonBlock label="Output" value={step.output} testId="step-output" />
      </div>
      {step.error !== null && step.error !== undefined && (
        <JsonBlock label="Error" value={step.error} testId="step-error" tone="error" />
      )}
      <details className="details">
        <summary>Resolved config</summary>
        <pre data-testid="step-config">{formatJson(step.config)}</pre>
      </details>
    </li>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="fact">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}
