import { createNodeRegistry, type NodeDefinition } from '@hookflow/engine';
import { httpRequest } from './http-request/http-request.ts';
import { webhookTrigger } from './webhook-trigger/webhook-trigger.ts';

/** Every node type Hookflow knows. A new node type is one folder and one line here. */
export const nodes: readonly NodeDefinition[] = [webhookTrigger, httpRequest];

export const nodeRegistry = createNodeRegistry(nodes);

export { httpRequest, webhookTrigger };
export type { WebhookTriggerConfig } from './webhook-trigger/webhook-trigger.ts';
