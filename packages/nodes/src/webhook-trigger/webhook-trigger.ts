import { defineNode } from '@hookflow/engine';
import { z } from 'zod';

/** The request that reached the trigger URL starts the run; its ingress settings live on the trigger. */
export const webhookTrigger = defineNode({
  type: 'webhook-trigger',
  label: 'Webhook',
  description: 'Starts the workflow when a request reaches its trigger URL.',
  group: 'trigger',
  icon: '⚡',
  trigger: true,
  config: z.object({}),
  defaults: {},
  form: [],
  summary: () => 'When a request reaches the trigger URL',
  run: ({ trigger }) => trigger,
});
