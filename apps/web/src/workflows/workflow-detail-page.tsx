import { useQuery } from '@tanstack/react-query';
import { isNotFound } from '../lib/api-error.ts';
import { exampleRequest } from '../lib/format.ts';
import { nodeTypeLabel } from '../lib/node-types.ts';
import { paths } from '../lib/paths.ts';
import { Link } from '../lib/router.tsx';
import { useTRPC, type WorkflowDetail } from '../lib/trpc.ts';
import { RunTable } from '../runs/run-table.tsx';
import { Notice } from '../ui/notice.tsx';
import { EmptyState, Loading, Page } from '../ui/page.tsx';
import { ProblemMessage } from '../ui/problem-message.tsx';
import { TriggerUrl } from '../ui/trigger-url.tsx';
import { WorkflowStatus } from './workflow-status.tsx';

const RECENT_RUNS = 20;

/** `/workflows/:id`: the trigger URL, the nodes and the latest runs of one workflow. */
export function WorkflowDetailPage({ id }: { id: string }) {
  const trpc = useTRPC();
  const workflow = useQuery(trpc.workflows.get.queryOptions({ id }));

  if (workflow.isPending) {
    return (
      <Page title="Workflow">
        <Loading what="the workflow" />
      </Page>
    );
  }
  if (workflow.isError) {
    return (
      <Page title="Workflow">
        {isNotFound(workflow.error) ? (
          <EmptyState title="Workflow not found" testId="workflow-not-found">
            <p>
              There is no workflow <code>{id}</code>; it may have been deleted.{' '}
              <Link to={paths.workflows()}>See all workflows</Link>.
            </p>
          </EmptyState>
        ) : (
          <ProblemMessage title="Could not load the workflow" error={workflow.error} />
        )}
      </Page>
    );
  }
  return <WorkflowView workflow={workflow.data} />;
}

function WorkflowView({ workflow }: { workflow: WorkflowDetail }) {
  const published = workflow.versions.find((version) => version.id === workflow.publishedVersionId);
  const nodeNames = new Map(
    workflow.document.nodes.map((node) => [node.id, node.name || node.key]),
  );
  return (
    <Page
      title={workflow.name}
      actions={
        <>
          <Link to={paths.overview(workflow.id)} className="button" data-testid="workflow-overview">
            Overview
          </Link>
          <Link to={paths.requests(workflow.id)} className="button" data-testid="workflow-requests">
            Request log
          </Link>
          <Link
            to={paths.editWorkflow(workflow.id)}
            className="button button-primary"
            data-testid="edit-workflow"
          >
            Edit workflow
          </Link>
        </>
      }
      heading={
        <>
          <p className="breadcrumb">
            <Link to={paths.workflows()}>Workflows</Link>
          </p>
          <h1 className="heading-with-badge" data-testid="workflow-title">
            {workflow.name}{' '}
            <WorkflowStatus active={workflow.active} publishedVersion={published?.number ?? null} />
          </h1>
        </>
      }
    >
      <section className="section" aria-labelledby="trigger-heading">
        <h2 id="trigger-heading">Trigger URL</h2>
        <p>
          <TriggerUrl url={workflow.triggerUrl} />
        </p>
        <p className="muted small">
          {published
            ? 'Requests to this URL start a run of the published version. Try it:'
            : 'Requests to this URL are kept as samples but start no run until the workflow is published.'}
        </p>
        {published && <pre className="command">{exampleRequest(workflow.triggerUrl)}</pre>}
      </section>

      {workflow.issues.length > 0 && (
        <Notice
          tone="warning"
          testId="workflow-issues"
          title={`The draft has ${workflow.issues.length} problem${workflow.issues.length === 1 ? '' : 's'}`}
        >
          <ul className="issue-list">
            {workflow.issues.map((issue) => (
              <li key={`${issue.nodeId ?? ''}|${issue.field ?? ''}|${issue.message}`}>
                {issue.nodeId !== undefined && (
                  <code>{nodeNames.get(issue.nodeId) ?? issue.nodeId}</code>
                )}{' '}
                {issue.field && <code>{issue.field}</code>} {issue.message}
              </li>
            ))}
          </ul>
        </Notice>
      )}

      <section className="section" aria-labelledby="nodes-heading">
        <h2 id="nodes-heading">Nodes</h2>
        <NodeTable nodes={workflow.document.nodes} />
      </section>

      <section className="section" aria-labelledby="runs-heading">
        <div className="section-header">
          <h2 id="runs-heading">Latest runs</h2>
          <Link to={paths.runs({ workflowId: workflow.id })}>All runs of this workflow</Link>
        </div>
        <WorkflowRuns workflowId={workflow.id} />
      </section>
    </Page>
  );
}

function NodeTable({ nodes }: { nodes: WorkflowDetail['document']['nodes'] }) {
  if (nodes.length === 0) return <p className="muted">This workflow has no nodes.</p>;
  return (
    <div className="table-wrap">
      <table className="table" data-testid="node-table">
        <thead>
          <tr>
            <th scope="col" className="icon-column">
              <span className="visually-hidden">Icon</span>
            </th>
            <th scope="col">Name</th>
            <th scope="col">Key</th>
            <th scope="col">Type</th>
          </tr>
        </thead>
        <tbody>
          {nodes.map((node) => {
            const type = nodeTypeLabel(node.type);
            return (
              <tr key={node.id} data-testid="node-row" data-node-key={node.key}>
                <td className="icon-column">
                  <span className="node-icon" aria-hidden="true">
                    {type.icon}
                  </span>
                </td>
                <td>{node.name || <span className="muted">unnamed</span>}</td>
                <td>
                  <code>{node.key}</code>
                </td>
                <td>
                  {type.label} <code className="muted small">{node.type}</code>
                  {!type.known && <span className="badge badge-failed">unknown type</span>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function WorkflowRuns({ workflowId }: { workflowId: string }) {
  const trpc = useTRPC();
  const runs = useQuery(
    trpc.runs.list.queryOptions({ workflowId, limit: RECENT_RUNS }, { refetchInterval: 2000 }),
  );
  if (runs.isPending) return <Loading what="runs" />;
  if (runs.isError) return <ProblemMessage title="Could not load the runs" error={runs.error} />;
  const items = runs.data.items;
  if (items.length === 0) {
    return (
      <p className="muted" data-testid="runs-empty">
        No runs yet. Send a request to the trigger URL and it shows up here.
      </p>
    );
  }
  return <RunTable runs={items} showWorkflow={false} />;
}
