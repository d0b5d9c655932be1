import type { Store } from '@hookflow/db';
import type { NodeRegistry } from '@hookflow/engine';

/** What every procedure may use. The server builds one per request; tests and the CLI build their own. */
export interface ApiContext {
  store: Store;
  registry: NodeRegistry;
  /** The address senders use, without a trailing slash: trigger URLs start with it. */
  publicUrl: string;
  /** Told when a workflow's published version, state or token changes (caches forget it). */
  onWorkflowChanged?: (workflowId: string) => void;
}
