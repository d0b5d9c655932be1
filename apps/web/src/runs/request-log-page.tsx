import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { Fragment, useRef, useState } from 'react';
import { isNotFound } from '../lib/api-error.ts';
import { formatBytes, formatDateTime, formatRelativeTime } from '../lib/format.ts';
import { paths } from '../lib/paths.ts';
import { Link } from '../lib/router.tsx';
import { useTRPC } from '../lib/trpc.ts';
import { useNow } from '../lib/use-now.ts';
import { JsonViewer } from '../ui/json-viewer.tsx';
import { EmptyState, Loading, Page } from '../ui/page.tsx';
import { ProblemMessage } from '../ui/problem-message.tsx';
import { TriggerUrl } from '../ui/trigger-url.tsx';
import { shortId } from './run-table.tsx';
import { WorkflowTabs } from './workflow-tabs.tsx';
import './runs.css';

const PAGE_SIZE = 50;

/** Refusal codes in words a person debugging a sender can act on. */
const reasonText: Record<string, string> = {
  bad_signature: 'Bad signature: not signed with the trigger’s secret',
  missing_signature: 'Missing signature or credentials',
  bad_signature_format: 'Malformed signature',
  stale_signature: 'Expired timestamp: the signed time is too old (or a replay)',
  forbidden_token: 'Forbidden: the credentials are not allowed here',
  forbidden_address: 'Forbidden: the sender’s address is not on the allow-list',
  trigger_misconfigured: 'The trigger’s authentication settings are incomplete',
  body_too_large: 'Too large: the body is over the trigger’s size limit',
  rate_limited: 'Rate limited: too many requests a minute',
  duplicate: 'Duplicate delivery: already received, not run again',
  method_not_allowed: 'Method not allowed by the trigger',
  workflow_inactive: 'The workflow is deactivated',
  queue_full: 'Too many runs waiting',
};

/** `/workflows/:id/requests`: every request that reached the trigger URL, accepted or refused. */
export function RequestLogPage({ workflowId }: { workflowId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const workflow = useQuery(trpc.workflows.get.queryOptions({ id: workflowId }));
  const requests = useInfiniteQuery(
    trpc.requests.list.infiniteQueryOptions(
      { workflowId, limit: PAGE_SIZE },
      { getNextPageParam: (page) => page.nextCursor ?? undefined, refetchInterval: 30_000 },
    ),
  );
  const pending = useRef(false);
  useSubscription(
    trpc.live.requests.subscriptionOptions(
      { workflowId },
      {
        onData: () => {
          if (pending.current) return;
          pending.current = true;
          window.setTimeout(() => {
            pending.current = false;
            void queryClient.invalidateQueries({ queryKey: trpc.requests.pathKey() });
          }, 300);
        },
      },
    ),
  );
  const [open, setOpen] = useState<string | null>(null);
  const now = useNow(5000);
  const items = requests.data?.pages.flatMap((page) => page.items) ?? [];
  const name = workflow.data?.name ?? 'Workflow';

  if (workflow.isError && isNotFound(workflow.error)) {
    return (
      <Page title="Request log">
        <EmptyState title="Workflow not found" testId="workflow-not-found">
          <p>
            There is no workflow <code>{workflowId}</code>.{' '}
            <Link to={paths.workflows()}>See all workflows</Link>.
          </p>
        </EmptyState>
      </Page>
    );
  }

  return (
    <Page
      title={`Request log · ${name}`}
      heading={
        <>
          <p className="breadcrumb">
            <Link to={paths.workflows()}>Workflows</Link> /{' '}
            <Link to={paths.workflow(workflowId)}>{name}</Link>
          </p>
          <h1>Request log</h1>
        </>
      }
    >
      <WorkflowTabs workflowId={workflowId} current="requests" />
      <p className="page-intro muted">
        Every request that reached this trigger URL, newest first, accepted or refused, as it
        happens.{' '}
        {workflow.data && <TriggerUrl url={workflow.data.triggerUrl} testId="log-trigger-url" />}
      </p>
      {requests.isPending ? (
        <Loading what="requests" />
      ) : requests.isError && items.length === 0 ? (
        <ProblemMessage title="Could not load the requests" error={requests.error} />
      ) : items.length === 0 ? (
        <EmptyState title="No request yet" testId="requests-empty">
          <p>Requests sent to the trigger URL appear here as they arrive, even refused ones.</p>
        </EmptyState>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table" data-testid="request-table">
              <thead>
                <tr>
                  <th scope="col">Received</th>
                  <th scope="col">Request</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Reason</th>
                  <th scope="col" className="numeric">
                    Size
                  </th>
                  <th scope="col">From</th>
                  <th scope="col">Run</th>
                </tr>
              </thead>
              <tbody>
                {items.map((request) => (
                  <Fragment key={request.id}>
                    <tr
                      data-testid="request-row"
                      data-outcome={request.outcome}
                      data-reason={request.reason ?? undefined}
                    >
                      <td className="nowrap">
                        <button
                          type="button"
                          className="button button-small button-quiet"
                          aria-expanded={open === request.id}
                          aria-label="Show the request headers"
                          onClick={() => setOpen(open === request.id ? null : request.id)}
                        >
                          {open === request.id ? '▾' : '▸'}
                        </button>{' '}
                        {formatDateTime(request.receivedAt)}
                        <span className="muted small request-ago">
                          {formatRelativeTime(request.receivedAt, now)}
                        </span>
                      </td>
                      <td className="nowrap">
                        <span className="method">{request.method}</span>{' '}
                        <span className="muted" data-testid="request-status">
                          {request.status}
                        </span>
                      </td>
                      <td>
                        <span
                          className={`outcome outcome-${request.outcome}`}
                          data-testid="request-outcome"
                        >
                          {request.outcome}
                        </span>
                      </td>
                      <td data-testid="request-reason">
                        {request.reason ? (
                          <div className="request-reason">
                            <span>{reasonText[request.reason] ?? request.reason}</span>
                            {request.message && (
                              <span className="muted small">{request.message}</span>
                            )}
                          </div>
                        ) : (
                          <span className="muted">—</span>
                        )}
                      </td>
                      <td className="numeric">{formatBytes(request.size)}</td>
                      <td>
                        <code className="small">{request.remoteAddress ?? '—'}</code>
                      </td>
                      <td>
                        {request.runId ? (
                          <Link
                            to={paths.run(request.runId)}
                            className="nowrap"
                            data-testid="request-run"
                          >
                            {shortId(request.runId)}
                          </Link>
                        ) : (
                          <span className="muted">—</span>
                        )}
                      </td>
                    </tr>
                    {open === request.id && (
                      <tr>
                        <td colSpan={7} className="request-headers">
                          <JsonViewer
                            label="Headers"
                            value={request.headers}
                            testId="request-headers"
                          />
                        </td>
                      </tr>
                    )}
                  </Fragment>
                ))}
              </tbody>
            </table>
          </div>
          {requests.hasNextPage && (
            <div className="load-more">
              <button
                type="button"
                className="button"
                data-testid="load-more-requests"
                disabled={requests.isFetchingNextPage}
                onClick={() => requests.fetchNextPage()}
              >
                {requests.isFetchingNextPage ? 'Loading…' : 'Load more'}
              </button>
            </div>
          )}
        </>
      )}
    </Page>
  );
}
