import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { formatDateTime, formatRelativeTime } from '../lib/format.ts';
import { paths } from '../lib/paths.ts';
import { Link } from '../lib/router.tsx';
import { useTRPC, type WorkflowSummary } from '../lib/trpc.ts';
import { useNow } from '../lib/use-now.ts';
import { isRunStatus, StatusBadge } from '../runs/run-status.tsx';
import { ListTable } from '../ui/list.tsx';
import { Notice } from '../ui/notice.tsx';
import { EmptyState, Loading, Page } from '../ui/page.tsx';
import { ProblemMessage } from '../ui/problem-message.tsx';
import { TriggerUrl } from '../ui/trigger-url.tsx';
import { type ImportOutcome, ImportWorkflowButton } from './import-workflow-button.tsx';
import { NewWorkflowButton } from './new-workflow-button.tsx';
import { NewFromTemplateButton } from './template-gallery.tsx';
import { WorkflowStatus } from './workflow-status.tsx';

/** `/`: every workflow with its trigger URL and how its runs are going. */
export function WorkflowListPage() {
  const trpc = useTRPC();
  const workflows = useQuery(
    trpc.workflows.list.queryOptions(undefined, { refetchInterval: 5000 }),
  );
  const [outcome, setOutcome] = useState<ImportOutcome | null>(null);
  const [createError, setCreateError] = useState<unknown>(null);

  return (
    <Page
      title="Workflows"
      actions={
        <>
          <ImportWorkflowButton onOutcome={setOutcome} />
          <NewFromTemplateButton />
          <NewWorkflowButton onError={setCreateError} />
        </>
      }
    >
      {createError !== null && (
        <ProblemMessage
          title="Could not create the workflow"
          error={createError}
          onDismiss={() => setCreateError(null)}
        />
      )}
      {outcome && <ImportNotice outcome={outcome} onDismiss={() => setOutcome(null)} />}
      {workflows.isPending ? (
        <Loading what="workflows" />
      ) : workflows.isError ? (
        <ProblemMessage title="Could not load the workflows" error={workflows.error} />
      ) : workflows.data.length === 0 ? (
        <EmptyState title="No workflows yet" testId="workflows-empty">
          <p>
            The quickest start is a template: a ready workflow (GitHub pushes to a chat, shop orders
            to a CRM, form leads, Stripe payments…) with a sample event to test it on.
          </p>
          <p>
            <NewFromTemplateButton
              className="button button-primary"
              testId="empty-new-from-template"
            />
          </p>
          <p>
            Or start an empty one with <strong>New workflow</strong> above and build it on the
            canvas, or import a workflow document (a JSON file) with{' '}
            <strong>Import workflow</strong>; an imported one is published at once and gets its
            trigger URL. From the command line:
          </p>
          <pre className="command">pnpm hookflow import &lt;file&gt; --publish</pre>
        </EmptyState>
      ) : (
        <WorkflowTable workflows={workflows.data} />
      )}
    </Page>
  );
}

function WorkflowTable({ workflows }: { workflows: readonly WorkflowSummary[] }) {
  const now = useNow(5000);
  return (
    <ListTable
      testId="workflow-table"
      columns={[
        'Name',
        'Status',
        'Trigger URL',
        'Last run',
        { label: 'Runs (24 h)', className: 'numeric' },
      ]}
    >
      {workflows.map((workflow) => (
        <tr key={workflow.id} data-testid="workflow-row" data-workflow-id={workflow.id}>
          <td>
            <Link to={paths.workflow(workflow.id)} className="strong" data-testid="workflow-name">
              {workflow.name}
            </Link>
          </td>
          <td>
            <WorkflowStatus active={workflow.active} publishedVersion={workflow.publishedVersion} />
          </td>
          <td className="cell-url">
            <TriggerUrl url={workflow.triggerUrl} />
          </td>
          <td data-testid="last-run">
            {workflow.lastRun ? (
              <Link
                to={paths.run(workflow.lastRun.id)}
                className="last-run"
                title={formatDateTime(workflow.lastRun.queuedAt)}
              >
                <LastRunStatus status={workflow.lastRun.status} />{' '}
                <span className="muted small">
                  {formatRelativeTime(workflow.lastRun.queuedAt, now)}
                </span>
              </Link>
            ) : (
              <span className="muted">never</span>
            )}
          </td>
          <td className="numeric" data-testid="runs-24h">
            {workflow.runsLast24h}
          </td>
          <td className="row-actions">
            <Link
              to={paths.editWorkflow(workflow.id)}
              className="button button-small"
              data-testid="edit-workflow"
              aria-label={`Edit ${workflow.name}`}
            >
              Edit
            </Link>
          </td>
        </tr>
      ))}
    </ListTable>
  );
}

/** The list's last-run status is a plain string in the API; show unknown ones uncoloured. */
function LastRunStatus({ status }: { status: string }) {
  return isRunStatus(status) ? (
    <StatusBadge status={status} />
  ) : (
    <span className="badge" data-testid="run-status">
      {status}
    </span>
  );
}

function ImportNotice({ outcome, onDismiss }: { outcome: ImportOutcome; onDismiss: () => void }) {
  if (outcome.kind === 'failed') {
    return (
      <ProblemMessage
        title={`Could not import ${outcome.fileName}`}
        error={outcome.error}
        onDismiss={onDismiss}
      />
    );
  }
  const version = outcome.publishedVersion;
  return (
    <Notice
      tone="success"
      testId="import-result"
      onDismiss={onDismiss}
      title={
        <>
          Imported <Link to={paths.workflow(outcome.id)}>{outcome.name}</Link>
          {version !== null && ` and published version ${version}`}.
        </>
      }
    >
      <p>
        Send requests to <TriggerUrl url={outcome.triggerUrl} testId="import-trigger-url" />
      </p>
    </Notice>
  );
}
