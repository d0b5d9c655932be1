import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { usePermission } from '../account/session.tsx';
import { paths } from '../lib/paths.ts';
import { navigate, openPage } from '../lib/router.tsx';
import { type RunDetail, useTRPC, useTRPCClient } from '../lib/trpc.ts';
import { ProblemMessage } from '../ui/problem-message.tsx';
import { isFinished } from './run-status.tsx';

/**
 * What can be done with a run: replay it on the current version, resume it from its failed
 * step (on the version it ran, or on the workflow's published version once that is another:
 * the workflow was fixed), cancel it, export it, delete it, or open its event in the editor as
 * a sample.
 */
export function RunActions({ run }: { run: RunDetail }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.runs.pathKey() });

  const replay = useMutation({
    mutationFn: () => client.runs.replay.mutate({ id: run.id }),
    onSuccess: (result) => {
      void refresh();
      navigate(paths.run(result.id));
    },
  });
  const failed = run.status === 'failed';
  // Only a failed run can be resumed on the current version: the workflow is read for it alone.
  const workflow = useQuery(
    trpc.workflows.get.queryOptions({ id: run.workflowId }, { enabled: failed, retry: false }),
  );
  const published = workflow.data?.versions.find(
    (version) => version.id === workflow.data.publishedVersionId,
  );
  const newerVersion = published && published.id !== run.versionId ? published : null;
  const resume = useMutation({
    mutationFn: (version: 'original' | 'current') =>
      client.runs.resume.mutate({ id: run.id, version }),
    onSuccess: refresh,
  });
  const cancel = useMutation({
    mutationFn: () => client.runs.cancel.mutate({ id: run.id }),
    onSuccess: refresh,
  });
  const debug = useMutation({
    mutationFn: () =>
      client.samples.save.mutate({
        workflowId: run.workflowId,
        eventId: run.event.id,
        name: `Run ${run.id} (${new Date(run.event.receivedAt).toISOString()})`,
      }),
    onSuccess: (sample) => openPage(paths.editWorkflow(run.workflowId, { sampleId: sample.id })),
  });
  const exportRun = useMutation({
    // The export has the whole event (raw body included), credential headers masked.
    mutationFn: () => client.runs.export.query({ id: run.id }),
    onSuccess: (document) => downloadJson(`${run.id}.json`, document),
  });
  const remove = useMutation({
    mutationFn: () => client.runs.delete.mutate({ ids: [run.id] }),
    onSuccess: () => {
      void refresh();
      navigate(paths.runs({ workflowId: run.workflowId }));
    },
  });
  const failures = [
    { title: 'Could not export the run', error: exportRun.error, reset: exportRun.reset },
    { title: 'Could not delete the run', error: remove.error, reset: remove.reset },
    { title: 'Could not replay the run', error: replay.error, reset: replay.reset },
    { title: 'Could not resume the run', error: resume.error, reset: resume.reset },
    { title: 'Could not cancel the run', error: cancel.error, reset: cancel.reset },
    { title: 'Could not open the event in the editor', error: debug.error, reset: debug.reset },
  ].filter((failure) => failure.error !== null);
  const busy =
    replay.isPending || resume.isPending || cancel.isPending || debug.isPending || remove.isPending;
  const finished = isFinished(run.status);
  // Viewers see the actions that change runs, disabled, with the reason as their tooltip.
  const editor = usePermission('editor');
  const blocked = busy || !editor.allowed;

  return (
    <div className="run-actions">
      <div className="button-group">
        {failed && (
          <button
            type="button"
            // A newer published version (the fix) is the likelier choice: it gets the emphasis.
            className={newerVersion ? 'button' : 'button button-primary'}
            data-testid="resume-run"
            disabled={blocked}
            title={
              editor.reason ??
              'Run it again from the failed step, on the version it ran; finished steps are kept'
            }
            onClick={() => resume.mutate('original')}
          >
            Resume from failed step
          </button>
        )}
        {failed && newerVersion && (
          <button
            type="button"
            className="button button-primary"
            data-testid="resume-run-current"
            disabled={blocked}
            title={
              editor.reason ??
              `Run it again from the failed step on the published version ${newerVersion.number} (the fixed workflow); finished steps are kept`
            }
            onClick={() => resume.mutate('current')}
          >
            Resume on version {newerVersion.number} (current)
          </button>
        )}
        {finished && (
          <button
            type="button"
            className="button"
            data-testid="replay-run"
            disabled={blocked}
            title={
              editor.reason ??
              'Run the same event again, as a new run on the current published version'
            }
            onClick={() => replay.mutate()}
          >
            Replay on current version
          </button>
        )}
        {!finished && (
          <button
            type="button"
            className="button button-danger"
            data-testid="cancel-run"
            disabled={blocked}
            title={editor.reason}
            onClick={() => cancel.mutate()}
          >
            Cancel run
          </button>
        )}
        <button
          type="button"
          className="button"
          data-testid="debug-in-editor"
          disabled={blocked}
          title={
            editor.reason ?? "Keep this event as a sample and open the workflow's editor with it"
          }
          onClick={() => debug.mutate()}
        >
          Debug in editor
        </button>
        <button
          type="button"
          className="button"
          data-testid="export-run"
          disabled={exportRun.isPending}
          onClick={() => exportRun.mutate()}
        >
          Export JSON
        </button>
        {finished && (
          <button
            type="button"
            className="button button-danger"
            data-testid="delete-run"
            disabled={blocked}
            title={editor.reason}
            onClick={() => {
              if (window.confirm(`Delete run ${run.id} and its steps for good?`)) remove.mutate();
            }}
          >
            Delete
          </button>
        )}
      </div>
      {failures.map((failure) => (
        <ProblemMessage
          key={failure.title}
          title={failure.title}
          error={failure.error}
          onDismiss={failure.reset}
        />
      ))}
    </div>
  );
}

/** Saves `value` as a pretty JSON file through the browser's download. */
export function downloadJson(fileName: string, value: unknown): void {
  const blob = new Blob([`${JSON.stringify(value, null, 2)}\n`], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  window.setTimeout(() => URL.revokeObjectURL(url), 1000);
}
