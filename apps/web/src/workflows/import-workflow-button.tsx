import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type ChangeEvent, useRef } from 'react';
import { usePermission } from '../account/session.tsx';
import { useTRPC } from '../lib/trpc.ts';

export type ImportOutcome =
  | {
      kind: 'imported';
      fileName: string;
      name: string;
      id: string;
      triggerUrl: string;
      publishedVersion: number | null;
    }
  | { kind: 'failed'; fileName: string; error: unknown };

/**
 * Reads a workflow document (JSON) chosen by the user and imports it published, like
 * `hookflow import <file> --publish`. The page shows the outcome.
 */
export function ImportWorkflowButton({
  onOutcome,
}: {
  onOutcome: (outcome: ImportOutcome) => void;
}) {
  const trpc = useTRPC();
  const editor = usePermission('editor');
  const queryClient = useQueryClient();
  const fileInput = useRef<HTMLInputElement>(null);
  const importWorkflow = useMutation(
    trpc.workflows.import.mutationOptions({
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.workflows.list.queryKey() }),
    }),
  );

  const importFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const input = event.currentTarget;
    const file = input.files?.[0];
    // Cleared so that choosing the same file again (after fixing it) imports it again.
    input.value = '';
    if (!file) return;
    let document: unknown;
    try {
      document = JSON.parse(await file.text());
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      onOutcome({
        kind: 'failed',
        fileName: file.name,
        error: new Error(`${file.name} is not valid JSON: ${reason}`),
      });
      return;
    }
    try {
      const result = await importWorkflow.mutateAsync({ document, publish: true });
      onOutcome({ kind: 'imported', fileName: file.name, name: documentName(document), ...result });
    } catch (error) {
      onOutcome({ kind: 'failed', fileName: file.name, error });
    }
  };

  return (
    <>
      <input
        ref={fileInput}
        type="file"
        accept=".json,application/json"
        hidden
        aria-label="Workflow file"
        data-testid="import-file"
        onChange={importFile}
      />
      <button
        type="button"
        className="button"
        data-testid="import-workflow"
        disabled={importWorkflow.isPending || !editor.allowed}
        title={editor.reason}
        onClick={() => fileInput.current?.click()}
      >
        {importWorkflow.isPending ? 'Importing…' : 'Import workflow'}
      </button>
    </>
  );
}

function documentName(document: unknown): string {
  if (document && typeof document === 'object' && 'name' in document) {
    if (typeof document.name === 'string') return document.name;
  }
  return 'the workflow';
}
