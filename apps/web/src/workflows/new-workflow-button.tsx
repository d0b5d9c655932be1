import { webhookTrigger } from '@hookflow/nodes';
import { useMutation } from '@tanstack/react-query';
import { usePermission } from '../account/session.tsx';
import { newWorkflowDocument } from '../editor/graph.ts';
import { paths } from '../lib/paths.ts';
import { openPage } from '../lib/router.tsx';
import { useTRPC } from '../lib/trpc.ts';

/**
 * Creates a workflow that holds only a webhook trigger (an unpublished draft, imported like any
 * document) and opens it in the editor.
 */
export function NewWorkflowButton({ onError }: { onError(error: unknown): void }) {
  const trpc = useTRPC();
  const editor = usePermission('editor');
  const create = useMutation(trpc.workflows.import.mutationOptions());
  const start = async () => {
    try {
      const document = newWorkflowDocument(webhookTrigger, 'Untitled workflow');
      const created = await create.mutateAsync({ document, publish: false });
      void openPage(paths.editWorkflow(created.id));
    } catch (error) {
      onError(error);
    }
  };
  return (
    <button
      type="button"
      className="button button-primary"
      onClick={() => void start()}
      disabled={create.isPending || !editor.allowed}
      title={editor.reason}
      data-testid="new-workflow"
    >
      {create.isPending ? 'Creating…' : 'New workflow'}
    </button>
  );
}
