/** Whether a workflow takes requests, and which version runs them. */
export function WorkflowStatus({
  active,
  publishedVersion,
}: {
  active: boolean;
  publishedVersion: number | null;
}) {
  return (
    <span className="workflow-status" data-testid="workflow-status">
      <span
        className={active ? 'badge badge-active' : 'badge badge-inactive'}
        data-active={active}
        title={
          active
            ? 'Requests to the trigger URL start runs'
            : 'Requests to the trigger URL are refused'
        }
      >
        {active ? 'active' : 'inactive'}
      </span>{' '}
      {publishedVersion === null ? (
        <span
          className="muted small"
          data-testid="published-version"
          title="Publish it to start runs"
        >
          not published
        </span>
      ) : (
        <span className="small" data-testid="published-version">
          v{publishedVersion}
        </span>
      )}
    </span>
  );
}
