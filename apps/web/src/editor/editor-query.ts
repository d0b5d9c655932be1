import type { PreloadContext } from '../lib/trpc.ts';

/**
 * The editor's query of its workflow, shared by the page and by the preload that starts it
 * when the app opens at the editor (a small module: the editor's own code loads later).
 */
export function editorWorkflowQuery(trpc: PreloadContext['trpc'], id: string) {
  return trpc.workflows.get.queryOptions({ id }, { refetchOnWindowFocus: false });
}
