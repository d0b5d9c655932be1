import { compileExpression, defineNode, ExpressionError } from '@hookflow/engine';
import { z } from 'zod';
import { triggerAuthSchema } from './auth.ts';

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
  /**
   * While deactivated: refuse with 503 and Retry-After (senders that retry deliver later), or
   * keep the requests and run them when the workflow is activated again.
   */
  whenInactive: z.enum(['reject', 'hold']).default('reject'),
  /** Browser origins allowed to post here (website forms, fetch); `*` for any. */
  corsOrigins: z
    .array(
      z.string().regex(/^(\*|https?:\/\/[^/\s]+)$/, 'an origin like https://www.example.com, or *'),
    )
    .default([]),
  /** After a browser form post, send the visitor here (303 See Other). */
  redirectUrl: z.union([z.literal(''), z.url({ protocol: /^https?$/ })]).default(''),
  /**
   * Answer a provider's URL check instead of running: slack answers the url_verification
   * challenge; meta answers the hub.challenge GET when hub.verify_token matches.
   */
  handshake: z.enum(['none', 'slack', 'meta']).default('none'),
  metaVerifyToken: z.string().max(200).default(''),
  /**
   * Delivery ids that run once. auto: the id headers of GitHub, Standard Webhooks/Svix,
   * Shopify and Idempotency-Key. header: the header named below. expression: a JSONata
   * expression over `{ body, headers, query }` (Stripe: `body.id`).
   */
  dedupe: z.enum(['auto', 'header', 'expression', 'off']).default('auto'),
  dedupeHeader: z.string().max(200).default(''),
  dedupeExpression: z
    .string()
    .max(2000)
    .default('')
    .superRefine((source, context) => {
      if (source.trim() === '') return;
      try {
        compileExpression(source);
      } catch (error) {
        if (!(error instanceof ExpressionError)) throw error;
        context.addIssue({
          code: 'custom',
          message: `${error.message} (at character ${error.position + 1})`,
        });
      }
    }),
  dedupeWindowHours: z.coerce
    .number()
    .min(0.01)
    .max(24 * 30)
    .default(24),
  /** Requests per minute this URL accepts (a token bucket); 0 means no limit. */
  rateLimitPerMinute: z.coerce.number().int().min(0).max(1_000_000).default(0),
  /** Largest body accepted, in bytes; capped by the operator's MAX_BODY_BYTES. */
  maxBodyBytes: z.coerce
    .number()
    .int()
    .min(1)
    .max(1024 * 1024 * 1024)
    .default(10 * 1024 * 1024),
  /** Who may call the URL: a signature, a token, a password or an address allowlist. */
  auth: triggerAuthSchema.default({ type: 'none' }),
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
  defaults: { methods: ['POST'], responseMode: 'immediate', auth: { type: 'none' } },
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
    {
      kind: 'select',
      field: 'whenInactive',
      label: 'While deactivated',
      options: [
        { value: 'reject', label: 'Refuse with 503 (senders retry later)' },
        { value: 'hold', label: 'Keep requests and run them when reactivated' },
      ],
    },
    {
      kind: 'select',
      field: 'handshake',
      label: 'Answer the URL check of',
      options: [
        { value: 'none', label: 'Nobody' },
        { value: 'slack', label: 'Slack (url_verification)' },
        { value: 'meta', label: 'Meta: Facebook, Instagram, WhatsApp (hub.challenge)' },
      ],
    },
    {
      kind: 'text',
      field: 'metaVerifyToken',
      label: 'Meta verify token',
      showWhen: { field: 'handshake', equals: ['meta'] },
    },
    { kind: 'json', field: 'corsOrigins', label: 'Allowed browser origins (CORS)' },
    {
      kind: 'text',
      field: 'redirectUrl',
      label: 'After a form post, redirect to',
      placeholder: 'https://…/thanks',
    },
    {
      kind: 'select',
      field: 'dedupe',
      label: 'Run each delivery once',
      options: [
        {
          value: 'auto',
          label: 'By the delivery id header (GitHub, Svix, Shopify, Idempotency-Key)',
        },
        { value: 'header', label: 'By a header I name' },
        { value: 'expression', label: 'By an expression over the request' },
        { value: 'off', label: 'Off' },
      ],
    },
    {
      kind: 'text',
      field: 'dedupeHeader',
      label: 'Delivery id header',
      showWhen: { field: 'dedupe', equals: ['header'] },
    },
    {
      kind: 'text',
      field: 'dedupeExpression',
      label: 'Delivery id expression (JSONata over body, headers, query)',
      placeholder: 'body.id',
      showWhen: { field: 'dedupe', equals: ['expression'] },
    },
    {
      kind: 'number',
      field: 'dedupeWindowHours',
      label: 'Remember delivery ids for (hours)',
      min: 0.01,
    },
    {
      kind: 'number',
      field: 'rateLimitPerMinute',
      label: 'Requests per minute (0: no limit)',
      min: 0,
    },
    { kind: 'number', field: 'maxBodyBytes', label: 'Largest body (bytes)', min: 1 },
    {
      kind: 'json',
      field: 'auth',
      label: 'Authentication',
      help: 'For example {"type": "github"} with the verification secret below, or {"type": "basic", "username": "…"}; see the docs for every type.',
    },
    {
      kind: 'credential',
      field: 'auth.secrets',
      label: 'Verification secret',
      credentialTypes: ['hmac-secret', 'jwt-key', 'generic-secret'],
      maxItems: 2,
      help: 'The signing secret, token, password or JWT key, from the credential store. Add a second while rotating: both are accepted until you remove the old one.',
      showWhen: {
        field: 'auth.type',
        equals: [
          'basic',
          'header-token',
          'jwt',
          'github',
          'stripe',
          'standard-webhooks',
          'shopify',
          'slack',
          'twilio',
          'generic-hmac',
        ],
      },
    },
  ],
  // Settings are for the ingress; nothing in them is a template (a secret may hold "{{").
  literalFields: ['responseBody', 'dedupeExpression', 'auth'],
  // Every secret of every auth type sits in this one array; it is masked whole (references to
  // credentials are kept: they are ids).
  secretFields: ['auth.secrets', 'metaVerifyToken'],
  summary: (config) =>
    [
      config.methods.join(', '),
      config.responseMode === 'wait' ? 'answers with the result' : 'answers at once',
      ...(config.auth.type === 'none' ? [] : [`auth: ${config.auth.type}`]),
    ].join(' · '),
  run: ({ trigger }) => trigger,
});
