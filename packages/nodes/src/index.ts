import { createNodeRegistry, type NodeDefinition } from '@hookflow/engine';
import { httpRequest } from './http-request/http-request.ts';
import { respond } from './respond/respond.ts';
import { transform } from './transform/transform.ts';
import { webhookTrigger } from './webhook-trigger/webhook-trigger.ts';

/** Every node type Hookflow knows. A new node type is one folder and one line here. */
export const nodes: readonly NodeDefinition[] = [webhookTrigger, transform, httpRequest, respond];

export const nodeRegistry = createNodeRegistry(nodes);

export type { WebhookResponse } from './respond/respond.ts';
export type { WebhookTriggerConfig } from './webhook-trigger/webhook-trigger.ts';
export { httpRequest, respond, transform, webhookTrigger };
