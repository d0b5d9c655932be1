import { defineNode } from '@hookflow/engine';
import { z } from 'zod';

const triggerMethods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

const headerPair = z.object({
  name: z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'is not a valid header name'),
  value: z.string(),
});

/**
 * The trigger's settings: how its URL answers. The ingress reads them from the published
 * version (and from the draft while the workflow was never published).
 */
export const webhookTriggerConfig = z.object({
  methods: z.array(z.enum(triggerMethods)).min(1, 'allow at least one method').default(['POST']),
  /**
   * immediate: 202 {"runId"} once the event is stored. custom: a fixed answer once stored.
   * wait: the workflow's answer (a Respond node, else the last step's output), or 202 after
   * `waitTimeoutMs`.
   */
  responseMode: z.enum(['immediate', 'custom', 'wait']).default('immediate'),
  responseStatus: z.coerce.number().int().min(200).max(599).default(200),
  responseHeaders: z.array(headerPair).default([]),
  responseBody: z.string().max(65_536).default(''),
  waitTimeoutMs: z.coerce.number().int().min(100).max(300_000).default(30_000),
});

export type WebhookTriggerConfig = z.output<typeof webhookTriggerConfig>;

/** The request that reached the trigger URL starts the run. */
export const webhookTrigger = defineNode({
  type: 'webhook-trigger',
  label: 'Webhook',
  description: 'Starts the workflow when a request reaches its trigger URL.',
  group: 'trigger',
  icon: '⚡',
  trigger: true,
  config: webhookTriggerConfig,
  defaults: { methods: ['POST'], responseMode: 'immediate' },
  form: [
    {
      kind: 'multiselect',
      field: 'methods',
      label: 'Accepted methods',
      options: triggerMethods.map((method) => ({ value: method, label: method })),
    },
    {
      kind: 'select',
      field: 'responseMode',
      label: 'Answer',
      options: [
        { value: 'immediate', label: '202 with the run id, at once' },
        { value: 'custom', label: 'A fixed answer, at once' },
        { value: 'wait', label: "The workflow's answer (wait for it)" },
      ],
    },
    {
      kind: 'number',
      field: 'responseStatus',
      label: 'Status',
      min: 200,
      max: 599,
      showWhen: { field: 'responseMode', equals: ['custom'] },
    },
    {
      kind: 'key-value',
      field: 'responseHeaders',
      label: 'Headers',
      showWhen: { field: 'responseMode', equals: ['custom'] },
    },
    {
      kind: 'text',
      field: 'responseBody',
      label: 'Body',
      multiline: true,
      showWhen: { field: 'responseMode', equals: ['custom'] },
    },
    {
      kind: 'number',
      field: 'waitTimeoutMs',
      label: 'Wait at most (ms), then answer 202',
      min: 100,
      showWhen: { field: 'responseMode', equals: ['wait'] },
    },
  ],
  // Settings are for the ingress; nothing in them is a template.
  literalFields: ['responseBody'],
  summary: (config) =>
    `${config.methods.join(', ')} · ${config.responseMode === 'wait' ? 'answers with the result' : 'answers at once'}`,
  run: ({ trigger }) => trigger,
});
