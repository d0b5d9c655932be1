import { useQuery } from '@tanstack/react-query';
import { isNotFound } from '../lib/api-error.ts';
import { formatDuration, formatRelativeTime } from '../lib/format.ts';
import { paths } from '../lib/paths.ts';
import { Link, useLocation, useSetSearchParams } from '../lib/router.tsx';
import { useTRPC } from '../lib/trpc.ts';
import { useNow } from '../lib/use-now.ts';
import { EmptyState, Loading, Page } from '../ui/page.tsx';
import { ProblemMessage } from '../ui/problem-message.tsx';
import { RunsChart } from './runs-chart.tsx';
import { useLiveRuns } from './use-live-runs.ts';
import { WorkflowTabs } from './workflow-tabs.tsx';
import './runs.css';

const ranges = { '24h': 'Last 24 hours', '7d': 'Last 7 days' } as const;
type Range = keyof typeof ranges;

/** `/workflows/:id/overview?range=7d`: how the workflow is doing, at a glance. */
export function WorkflowOverviewPage({ workflowId }: { workflowId: string }) {
  const trpc = useTRPC();
  const { searchParams } = useLocation();
  const setSearchParams = useSetSearchParams();
  const range: Range = searchParams.get('range') === '7d' ? '7d' : '24h';
  useLiveRuns({ workflowId });
  const workflow = useQuery(trpc.workflows.get.queryOptions({ id: workflowId }));
  const overview = useQuery(
    trpc.stats.overview.queryOptions({ workflowId, range }, { refetchInterval: 60_000 }),
  );
  const now = useNow(30_000);
  const name = workflow.data?.name ?? 'Workflow';

  if (overview.isError && isNotFound(overview.error)) {
    return (
      <Page title="Overview">
        <EmptyState title="Workflow not found" testId="workflow-not-found">
          <p>
            There is no workflow <code>{workflowId}</code>.{' '}
            <Link to={paths.workflows()}>See all workflows</Link>.
          </p>
        </EmptyState>
      </Page>
    );
  }

  const data = overview.data;
  const total = data ? Object.values(data.totals).reduce((sum, n) => sum + n, 0) : 0;
  return (
    <Page
      title={`Overview · ${name}`}
      heading={
        <>
          <p className="breadcrumb">
            <Link to={paths.workflows()}>Workflows</Link> /{' '}
            <Link to={paths.workflow(workflowId)}>{name}</Link>
          </p>
          <h1>Overview</h1>
        </>
      }
      actions={
        <fieldset className="overview-tabs" aria-label="Time range">
          {(Object.keys(ranges) as Range[]).map((value) => (
            <button
              key={value}
              type="button"
              aria-pressed={range === value}
              data-testid={`range-${value}`}
              onClick={() => setSearchParams({ range: value === '24h' ? null : value })}
            >
              {ranges[value]}
            </button>
          ))}
        </fieldset>
      }
    >
      <WorkflowTabs workflowId={workflowId} current="overview" />
      {overview.isPending ? (
        <Loading what="the overview" />
      ) : overview.isError ? (
        <ProblemMessage title="Could not load the overview" error={overview.error} />
      ) : (
        data && (
          <>
            <section className="section" aria-labelledby="chart-heading">
              <div className="section-header">
                <h2 id="chart-heading">Runs per hour</h2>
                <span className="muted small">
                  {ranges[range]} · {total.toLocaleString()} run{total === 1 ? '' : 's'}
                </span>
              </div>
              <RunsChart buckets={data.buckets} bucketMs={data.bucketMs} />
            </section>
            <dl className="overview-cards" data-testid="overview-cards">
              <div className="overview-card">
                <dt>Runs</dt>
                <dd data-testid="overview-total">{total.toLocaleString()}</dd>
              </div>
              <div
                className="overview-card"
                title="Succeeded and filtered runs among finished ones"
              >
                <dt>Success rate</dt>
                <dd data-testid="overview-success-rate">
                  {data.successRate === null ? '—' : formatPercent(data.successRate)}
                </dd>
              </div>
              <div className="overview-card">
                <dt>Failed</dt>
                <dd data-testid="overview-failed">
                  <Link to={`${paths.runs({ workflowId, status: 'failed' })}&range=${range}`}>
                    {data.totals.failed.toLocaleString()}
                  </Link>
                </dd>
              </div>
              <div
                className="overview-card"
                title={`Over the newest ${data.durations.sample.toLocaleString()} finished runs`}
              >
                <dt>Median duration</dt>
                <dd data-testid="overview-median">
                  {data.durations.medianMs === null ? '—' : formatDuration(data.durations.medianMs)}
                </dd>
              </div>
              <div
                className="overview-card"
                title={`Over the newest ${data.durations.sample.toLocaleString()} finished runs`}
              >
                <dt>p95 duration</dt>
                <dd data-testid="overview-p95">
                  {data.durations.p95Ms === null ? '—' : formatDuration(data.durations.p95Ms)}
                </dd>
              </div>
            </dl>
            <section className="section" aria-labelledby="errors-heading">
              <h2 id="errors-heading">Most frequent errors</h2>
              {data.topErrors.length === 0 ? (
                <p className="muted" data-testid="no-errors">
                  No failed run in this time range.
                </p>
              ) : (
                <div className="table-wrap">
                  <ol className="error-ranking" data-testid="top-errors">
                    {data.topErrors.map((error) => (
                      <li key={error.message} data-testid="top-error">
                        <span className="error-count">{error.count.toLocaleString()}×</span>
                        <span className="error-message">{error.message}</span>
                        <span className="muted small">
                          last {formatRelativeTime(error.lastAt, now)} ·{' '}
                          <Link to={paths.run(error.lastRunId)}>latest run</Link>
                        </span>
                      </li>
                    ))}
                  </ol>
                </div>
              )}
            </section>
          </>
        )
      )}
    </Page>
  );
}

function formatPercent(rate: number): string {
  const percent = rate * 100;
  return `${percent >= 99.95 || percent === 0 ? percent.toFixed(0) : percent.toFixed(1)}%`;
}
