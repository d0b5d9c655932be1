import { createNodeRegistry, type NodeDefinition } from '@hookflow/engine';
import { delay } from './delay/delay.ts';
import { filter } from './filter/filter.ts';
import { httpRequest } from './http-request/http-request.ts';
import { respond } from './respond/respond.ts';
import { router } from './router/router.ts';
import { scheduleTrigger } from './schedule-trigger/schedule-trigger.ts';
import { transform } from './transform/transform.ts';
import { webhookTrigger } from './webhook-trigger/webhook-trigger.ts';

/** Every node type Hookflow knows. A new node type is one folder and one line here. */
export const nodes: readonly NodeDefinition[] = [
  webhookTrigger,
  scheduleTrigger,
  filter,
  router,
  transform,
  httpRequest,
  respond,
  delay,
];

export const nodeRegistry = createNodeRegistry(nodes);

export type { WebhookResponse } from './respond/respond.ts';
export {
  SCHEDULE_METHOD,
  type Schedule,
  type ScheduleTick,
  type ScheduleTriggerConfig,
  scheduleOf,
} from './schedule-trigger/schedule-trigger.ts';
export * from './templates/sample-request.ts';
export * from './templates/templates.ts';
export {
  type JwtAlgorithm,
  jwtAlgorithms,
  signatureHeaders,
  standardWebhooksKey,
  type TriggerAuth,
  type TriggerAuthInput,
  type TriggerAuthType,
  triggerAuthSchema,
} from './webhook-trigger/auth.ts';
export {
  type AddressRange,
  parseAddress,
  parseRange,
  rangeContains,
} from './webhook-trigger/ip-range.ts';
export type { WebhookTriggerConfig } from './webhook-trigger/webhook-trigger.ts';
export { delay, filter, httpRequest, respond, router, scheduleTrigger, transform, webhookTrigger };
