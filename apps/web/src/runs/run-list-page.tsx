import { useInfiniteQuery } from '@tanstack/react-query';
import { exampleRequest } from '../lib/format.ts';
import { useLocation, useSetSearchParams } from '../lib/router.tsx';
import { type RunListInput, useTRPC } from '../lib/trpc.ts';
import { EmptyState, Loading, Page } from '../ui/page.tsx';
import { ProblemMessage } from '../ui/problem-message.tsx';
import { isRunStatus, runStatuses } from './run-status.tsx';
import { RunTable } from './run-table.tsx';

const PAGE_SIZE = 50;
const REFRESH_MS = 2000;

/** `/runs?status=failed&workflow=wf_...`: every run, newest first, live. */
export function RunListPage() {
  const { searchParams } = useLocation();
  const setSearchParams = useSetSearchParams();
  const statusParam = searchParams.get('status');
  const status = isRunStatus(statusParam) ? statusParam : undefined;
  const workflowId = searchParams.get('workflow') ?? undefined;

  const trpc = useTRPC();
  const filter: RunListInput = {
    limit: PAGE_SIZE,
    ...(status ? { status } : {}),
    ...(workflowId ? { workflowId } : {}),
  };
  const runs = useInfiniteQuery(
    trpc.runs.list.infiniteQueryOptions(filter, {
      getNextPageParam: (page) => page.nextCursor ?? undefined,
      refetchInterval: REFRESH_MS,
    }),
  );
  const items = runs.data?.pages.flatMap((page) => page.items) ?? [];
  const workflowName = items.find((run) => run.workflowId === workflowId)?.workflowName;

  return (
    <Page
      title="Runs"
      actions={
        <label className="field-inline">
          <span>Status</span>
          <select
            className="select"
            data-testid="status-filter"
            value={status ?? ''}
            onChange={(event) => setSearchParams({ status: event.target.value })}
          >
            <option value="">All statuses</option>
            {runStatuses.map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </label>
      }
    >
      <p className="page-intro muted">
        Every run of every workflow, newest first. The list refreshes every {REFRESH_MS / 1000} s.
      </p>
      {workflowId && (
        <p className="filter-chip" data-testid="workflow-filter">
          Workflow: <strong>{workflowName ?? workflowId}</strong>{' '}
          <button
            type="button"
            className="button button-small button-quiet"
            onClick={() => setSearchParams({ workflow: null })}
          >
            Show all workflows
          </button>
        </p>
      )}
      {runs.isPending ? (
        <Loading what="runs" />
      ) : runs.isError && items.length === 0 ? (
        <ProblemMessage title="Could not load the runs" error={runs.error} />
      ) : items.length === 0 ? (
        <EmptyState title={status ? `No ${status} runs` : 'No runs yet'} testId="runs-empty">
          <p>
            A run starts when a request reaches a published workflow's trigger URL. Copy one from
            the Workflows page and send it a request, for example:
          </p>
          <pre className="command">{exampleRequest('<trigger URL>')}</pre>
        </EmptyState>
      ) : (
        <>
          {runs.isError && <ProblemMessage title="Could not refresh the runs" error={runs.error} />}
          <RunTable runs={items} />
          {runs.hasNextPage && (
            <div className="load-more">
              <button
                type="button"
                className="button"
                data-testid="load-more"
                disabled={runs.isFetchingNextPage}
                onClick={() => runs.fetchNextPage()}
              >
                {runs.isFetchingNextPage ? 'Loading…' : 'Load more'}
              </button>
            </div>
          )}
        </>
      )}
    </Page>
  );
}
