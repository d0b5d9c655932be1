import { paths } from '../lib/paths.ts';
import { Link } from '../lib/router.tsx';

type Tab = 'overview' | 'requests' | 'runs';

/** The history pages of one workflow, side by side. */
export function WorkflowTabs({ workflowId, current }: { workflowId: string; current: Tab }) {
  const tabs: { id: Tab; label: string; to: string }[] = [
    { id: 'overview', label: 'Overview', to: paths.overview(workflowId) },
    { id: 'runs', label: 'Runs', to: paths.runs({ workflowId }) },
    { id: 'requests', label: 'Request log', to: paths.requests(workflowId) },
  ];
  return (
    <nav className="workflow-tabs" aria-label="Workflow history">
      {tabs.map((tab) => (
        <Link
          key={tab.id}
          to={tab.to}
          aria-current={tab.id === current ? 'page' : undefined}
          data-testid={`tab-${tab.id}`}
        >
          {tab.label}
        </Link>
      ))}
      <Link to={paths.editWorkflow(workflowId)}>Editor</Link>
    </nav>
  );
}
