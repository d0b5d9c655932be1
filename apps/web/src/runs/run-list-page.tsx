import type { AppRouter } from '@hookflow/api';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { inferOutput, TRPCOptionsProxy } from '@trpc/tanstack-react-query';
import { useEffect, useRef, useState } from 'react';
import { usePermission } from '../account/session.tsx';
import { exampleRequest } from '../lib/format.ts';
import { paths } from '../lib/paths.ts';
import { Link, useLocation, useSetSearchParams } from '../lib/router.tsx';
import {
  type RunListInput,
  type RunStatus,
  type RunSummary,
  useTRPC,
  useTRPCClient,
} from '../lib/trpc.ts';
import { Notice } from '../ui/notice.tsx';
import { EmptyState, Loading, Page } from '../ui/page.tsx';
import { ProblemMessage } from '../ui/problem-message.tsx';
import { RunFilters, readRunFilter } from './run-filters.tsx';
import { isFinished, runStatuses } from './run-status.tsx';
import { RunTable } from './run-table.tsx';
import { type LiveState, useLiveRuns } from './use-live-runs.ts';
import './runs.css';

const PAGE_SIZE = 50;
/** A safety net under the live updates: a dropped event stream still catches up. */
const FALLBACK_REFRESH_MS = 30_000;

/** `/runs?status=failed&workflow=wf_...&range=24h`: every run, newest first, live. */
export function RunListPage() {
  const { searchParams } = useLocation();
  const setSearchParams = useSetSearchParams();
  // A time range counts back from when it was chosen, so the pages loaded so far hold still.
  const [rangeChosen, setRangeChosen] = useState(() => ({
    range: searchParams.get('range'),
    at: Date.now(),
  }));
  if (rangeChosen.range !== searchParams.get('range')) {
    setRangeChosen({ range: searchParams.get('range'), at: Date.now() });
  }
  const filter = readRunFilter(searchParams, rangeChosen.at);
  const trpc = useTRPC();
  const live = useLiveRuns({ workflowId: filter.workflowId });

  const input: RunListInput = { limit: PAGE_SIZE, ...filter.input };
  const runs = useInfiniteQuery(
    trpc.runs.list.infiniteQueryOptions(input, {
      getNextPageParam: (page) => page.nextCursor ?? undefined,
      refetchInterval: FALLBACK_REFRESH_MS,
    }),
  );
  // The workflow filter's names, like the counts, come after the runs: the page does not wait.
  const workflows = useQuery(
    trpc.workflows.list.queryOptions(undefined, {
      enabled: !runs.isPending,
      trpc: { context: { skipBatch: true } },
    }),
  );
  const counts = useQuery(
    trpc.runs.counts.queryOptions(filter.countsInput, {
      refetchInterval: FALLBACK_REFRESH_MS,
      // Counting reads every run of the filter: asked once the page is drawn, on its own, so
      // the page never waits for it (the server answers one query at a time).
      enabled: !runs.isPending,
      trpc: { context: { skipBatch: true } },
    }),
  );
  const items = runs.data?.pages.flatMap((page) => page.items) ?? [];
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const filtered = filter.active;

  return (
    <Page
      title="Runs"
      heading={
        <h1 className="heading-with-badge">
          Runs <LiveIndicator state={live} />
        </h1>
      }
      actions={
        filter.workflowId ? (
          <>
            <Link className="button" to={paths.overview(filter.workflowId)}>
              Overview
            </Link>
            <Link className="button" to={paths.requests(filter.workflowId)}>
              Request log
            </Link>
          </>
        ) : undefined
      }
    >
      <RunFilters
        filter={filter}
        workflows={workflows.data ?? []}
        workflowName={items.find((run) => run.workflowId === filter.workflowId)?.workflowName}
        onChange={(changes) => {
          setSelected(new Set());
          setSearchParams(changes);
        }}
      />
      <div className="runs-toolbar">
        {counts.data && (
          <StatusCounts
            counts={counts.data}
            current={filter.status}
            onChoose={(status) => setSearchParams({ status: status ?? null })}
          />
        )}
        <BulkActions
          runs={items}
          selected={selected}
          onSelect={setSelected}
          onDone={() => setSelected(new Set())}
        />
      </div>
      {runs.isPending ? (
        <Loading what="runs" />
      ) : runs.isError && items.length === 0 ? (
        <ProblemMessage title="Could not load the runs" error={runs.error} />
      ) : items.length === 0 ? (
        filtered ? (
          <EmptyState title="No run matches these filters" testId="runs-empty">
            <p>
              Change the filters above, or{' '}
              <Link to={paths.runs()}>see every run of every workflow</Link>.
            </p>
            {runs.hasNextPage && (
              <LoadMore
                loading={runs.isFetchingNextPage}
                onLoad={() => runs.fetchNextPage()}
                auto={false}
                busy={runs.isFetching}
                label="Search older runs"
              />
            )}
          </EmptyState>
        ) : (
          <EmptyState title="No runs yet" testId="runs-empty">
            <p>
              A run starts when a request reaches a published workflow's trigger URL. Copy one from
              the Workflows page and send it a request, for example:
            </p>
            <pre className="command">{exampleRequest('<trigger URL>')}</pre>
          </EmptyState>
        )
      ) : (
        <>
          {runs.isError && <ProblemMessage title="Could not refresh the runs" error={runs.error} />}
          <RunTable runs={items} selection={{ selected, onChange: setSelected }} />
          {runs.hasNextPage ? (
            <LoadMore
              loading={runs.isFetchingNextPage}
              onLoad={() => runs.fetchNextPage()}
              // A search page reads a window of runs: going on is the user's choice, not a scroll's.
              auto={!filter.q}
              busy={runs.isFetching}
              label={filter.q ? 'Search older runs' : 'Load more'}
            />
          ) : (
            <p className="muted small runs-end" data-testid="runs-end">
              {items.length} run{items.length === 1 ? '' : 's'}: that is all.
            </p>
          )}
        </>
      )}
    </Page>
  );
}

function LiveIndicator({ state }: { state: LiveState }) {
  const text = { live: 'Live', connecting: 'Connecting…', offline: 'Offline' }[state];
  const help = {
    live: 'New runs and status changes appear as they happen',
    connecting: 'Connecting to live updates',
    offline: 'Live updates are off; the list refreshes every 30 s',
  }[state];
  return (
    <span
      className={`live-indicator live-${state}`}
      title={help}
      data-testid="live-indicator"
      data-state={state}
    >
      {text}
    </span>
  );
}

/** The next page loads when this comes into view (infinite scroll, when `auto`), or on a click. */
function LoadMore({
  loading,
  onLoad,
  auto,
  busy,
  label,
}: {
  loading: boolean;
  onLoad: () => void;
  auto: boolean;
  /** Any fetch of the list in flight: the observer waits, then looks again (a new observer
   * reports at once whether the end is still in view, so a tall window keeps loading). */
  busy: boolean;
  label: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const load = useRef(onLoad);
  load.current = onLoad;
  useEffect(() => {
    const element = ref.current;
    if (!auto || busy || !element || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) load.current();
      },
      { rootMargin: '400px' },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [auto, busy]);
  return (
    <div className="load-more" ref={ref}>
      <button
        type="button"
        className="button"
        data-testid="load-more"
        disabled={loading}
        onClick={onLoad}
      >
        {loading ? 'Loading…' : label}
      </button>
    </div>
  );
}

type RunCounts = inferOutput<TRPCOptionsProxy<AppRouter>['runs']['counts']>;

/** How many runs of the filter have each status; a click narrows the list to one. */
function StatusCounts({
  counts,
  current,
  onChoose,
}: {
  counts: RunCounts;
  current: RunStatus | undefined;
  onChoose: (status: RunStatus | undefined) => void;
}) {
  const more = counts.complete ? '' : '+';
  return (
    <div className="status-counts" data-testid="status-counts">
      <button
        type="button"
        className="status-count"
        aria-pressed={current === undefined}
        onClick={() => onChoose(undefined)}
        title={counts.complete ? undefined : 'The search read only the newest 20,000 runs'}
      >
        All <strong data-testid="count-all">{`${counts.total.toLocaleString()}${more}`}</strong>
      </button>
      {runStatuses
        .filter((status) => counts.byStatus[status] > 0 || status === current)
        .map((status) => (
          <button
            key={status}
            type="button"
            className="status-count"
            aria-pressed={current === status}
            data-testid={`count-${status}`}
            onClick={() => onChoose(current === status ? undefined : status)}
          >
            <span className={`badge badge-${status}`}>{status}</span>
            <strong>{`${counts.byStatus[status].toLocaleString()}${more}`}</strong>
          </button>
        ))}
    </div>
  );
}

/**
 * Select several runs (all failed ones at a click), then replay them on the current version or
 * delete them.
 */
function BulkActions({
  runs,
  selected,
  onSelect,
  onDone,
}: {
  runs: readonly RunSummary[];
  selected: ReadonlySet<string>;
  onSelect: (ids: ReadonlySet<string>) => void;
  onDone: () => void;
}) {
  const client = useTRPCClient();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const failed = runs.filter((run) => run.status === 'failed');
  const replay = useMutation({
    mutationFn: async (ids: readonly string[]) => {
      const results = await Promise.allSettled(ids.map((id) => client.runs.replay.mutate({ id })));
      const problems = results.flatMap((result, index) =>
        result.status === 'rejected'
          ? [
              `${ids[index]}: ${result.reason instanceof Error ? result.reason.message : String(result.reason)}`,
            ]
          : [],
      );
      return { replayed: results.length - problems.length, problems };
    },
    onSuccess: onDone,
  });
  const remove = useMutation({
    mutationFn: (ids: readonly string[]) => client.runs.delete.mutate({ ids: [...ids] }),
    onSuccess: () => {
      onDone();
      void queryClient.invalidateQueries({ queryKey: trpc.runs.pathKey() });
    },
  });
  const unfinished = runs.filter((run) => selected.has(run.id) && !isFinished(run.status));
  const busy = replay.isPending || remove.isPending;
  const editor = usePermission('editor');

  return (
    <div className="bulk-bar" data-testid="bulk-bar">
      <span className="muted">
        {selected.size > 0 ? `${selected.size} selected` : 'Select runs to act on them together.'}
      </span>
      <button
        type="button"
        className="button button-small"
        data-testid="select-failed"
        disabled={failed.length === 0}
        onClick={() => onSelect(new Set(failed.map((run) => run.id)))}
      >
        Select failed ({failed.length})
      </button>
      {selected.size > 0 && (
        <>
          <button
            type="button"
            className="button button-small button-primary"
            data-testid="bulk-replay"
            disabled={busy || !editor.allowed}
            title={editor.reason}
            onClick={() => replay.mutate([...selected])}
          >
            {replay.isPending ? 'Replaying…' : `Replay ${selected.size} on the current version`}
          </button>
          <button
            type="button"
            className="button button-small button-danger"
            data-testid="bulk-delete"
            disabled={busy || unfinished.length > 0 || !editor.allowed}
            title={
              editor.reason ??
              (unfinished.length > 0
                ? 'Queued, running and waiting runs cannot be deleted: cancel them first'
                : 'Delete the selected runs with their steps, for good')
            }
            onClick={() => {
              if (
                window.confirm(
                  `Delete ${selected.size} run${selected.size === 1 ? '' : 's'} for good?`,
                )
              ) {
                remove.mutate([...selected]);
              }
            }}
          >
            {remove.isPending ? 'Deleting…' : `Delete ${selected.size}`}
          </button>
          <button
            type="button"
            className="button button-small button-quiet"
            onClick={() => onSelect(new Set())}
          >
            Clear selection
          </button>
        </>
      )}
      {replay.data && (
        <Notice
          tone={replay.data.problems.length > 0 ? 'warning' : 'success'}
          title={`Replayed ${replay.data.replayed} run${replay.data.replayed === 1 ? '' : 's'}`}
          testId="bulk-result"
          onDismiss={() => replay.reset()}
        >
          {replay.data.problems.length > 0 && (
            <ul className="issue-list">
              {replay.data.problems.map((problem) => (
                <li key={problem}>{problem}</li>
              ))}
            </ul>
          )}
        </Notice>
      )}
      {remove.data && (
        <Notice
          tone="success"
          title={`Deleted ${remove.data.deleted} run${remove.data.deleted === 1 ? '' : 's'}`}
          testId="bulk-delete-result"
          onDismiss={() => remove.reset()}
        />
      )}
      {remove.error && (
        <ProblemMessage
          title="Could not delete the runs"
          error={remove.error}
          onDismiss={() => remove.reset()}
        />
      )}
    </div>
  );
}
