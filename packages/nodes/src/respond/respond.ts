import { defineNode, stringifyForText } from '@hookflow/engine';
import { z } from 'zod';

/** RFC 9110 token characters: what a header name may hold. */
const headerName = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Tab, visible ASCII, space and Latin-1: what Node accepts in a header value (no CR, LF, NUL). */
const headerValue = /^[\t\x20-\x7e\x80-\xff]*$/;

/** Headers the server writes itself or that belong to the connection, not to this response. */
const hopByHop = 'it is a hop-by-hop header that belongs to the connection';
const refusedHeaders: ReadonlyMap<string, string> = new Map([
  ['content-length', 'the server sets content-length from the body'],
  ['transfer-encoding', 'the server chooses the transfer encoding'],
  ['content-encoding', 'the body is sent as written, not compressed'],
  ['connection', hopByHop],
  ['keep-alive', hopByHop],
  ['proxy-connection', hopByHop],
  ['proxy-authenticate', hopByHop],
  ['proxy-authorization', hopByHop],
  ['te', hopByHop],
  ['trailer', hopByHop],
  ['upgrade', hopByHop],
]);

const headerSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'a header name is required')
    .superRefine((name, ctx) => {
      if (!headerName.test(name)) {
        ctx.addIssue({
          code: 'custom',
          message: `"${name}" is not a valid header name: use letters, digits and !#$%&'*+-.^_\`|~`,
        });
        return;
      }
      const reason = refusedHeaders.get(name.toLowerCase());
      if (reason !== undefined) {
        ctx.addIssue({ code: 'custom', message: `${name} cannot be set: ${reason}` });
      }
    }),
  /** A typed expression result is written as text. */
  value: z
    .union([z.string(), z.number(), z.boolean(), z.null()])
    .transform((value) => (value === null ? '' : String(value).trim()))
    .refine((value) => headerValue.test(value), {
      message:
        'a header value cannot hold line breaks, control characters or characters beyond Latin-1',
    }),
});

const configSchema = z.object({
  status: z.coerce
    .number()
    .int('the status is a whole number')
    .min(100, 'the status is between 100 and 599')
    .max(599, 'the status is between 100 and 599')
    .default(200),
  headers: z
    .array(headerSchema)
    .default([])
    .superRefine((headers, ctx) => {
      const seen = new Set<string>();
      headers.forEach((header, index) => {
        const name = header.name.toLowerCase();
        if (seen.has(name)) {
          ctx.addIssue({
            code: 'custom',
            path: [index, 'name'],
            message: `${name} is set twice: write one value`,
          });
        }
        seen.add(name);
      });
    }),
  bodyType: z.enum(['json', 'text', 'none']).default('json'),
  /** JSON: any value, whose strings may hold expressions. Text: a string. */
  body: z.unknown().optional(),
});

export type RespondConfig = z.output<typeof configSchema>;

/** What the trigger answers the sender when it waits for the result. */
export interface WebhookResponse {
  status: number;
  /** Names in lower case; `content-type` is always present when there is a body. */
  headers: Record<string, string>;
  /**
   * null: no body. A string: sent as it is. Anything else: sent as JSON (the content type is
   * then a JSON one).
   */
  body: unknown;
}

/** HTTP forbids a body on these answers. */
function statusHasNoBody(status: number): boolean {
  return status < 200 || status === 204 || status === 304;
}

function isJsonType(contentType: string): boolean {
  return /^[^;]*[/+]json\s*(;|$)/i.test(contentType);
}

export const respond = defineNode({
  type: 'respond',
  label: 'Respond to webhook',
  description:
    'Sets the status, headers and body the sender receives when the trigger waits for the result.',
  group: 'flow',
  icon: '↩',
  respondsToWebhook: true,
  config: configSchema,
  defaults: { status: 200, headers: [], bodyType: 'json', body: { ok: true } },
  form: [
    {
      kind: 'number',
      field: 'status',
      label: 'Status',
      min: 100,
      max: 599,
      expression: true,
    },
    { kind: 'key-value', field: 'headers', label: 'Headers', expression: true },
    {
      kind: 'select',
      field: 'bodyType',
      label: 'Body',
      options: [
        { value: 'json', label: 'JSON' },
        { value: 'text', label: 'Text' },
        { value: 'none', label: 'None' },
      ],
    },
    {
      kind: 'json',
      field: 'body',
      label: 'Body',
      help: 'JSON: any value, whose strings may hold {{ }}. Text: a text with {{ }} in it.',
      expression: true,
      showWhen: { field: 'bodyType', equals: ['json', 'text'] },
    },
  ],
  summary: (config) =>
    `Respond ${config.status}${
      config.bodyType === 'none' ? '' : config.bodyType === 'json' ? ' with JSON' : ' with text'
    }`,
  run({ config }): WebhookResponse {
    const headers = new Map(config.headers.map(({ name, value }) => [name.toLowerCase(), value]));
    const body = statusHasNoBody(config.status) ? null : encodeBody(config, headers);
    // fromEntries defines own properties, so even a header named __proto__ stays data.
    return { status: config.status, headers: Object.fromEntries(headers), body };
  },
});

/** The body as the ingress sends it (see WebhookResponse); sets the default content type. */
function encodeBody(config: RespondConfig, headers: Map<string, string>): unknown {
  if (config.bodyType === 'none') return null;
  if (config.bodyType === 'text') {
    if (!headers.has('content-type')) headers.set('content-type', 'text/plain; charset=utf-8');
    return stringifyForText(config.body);
  }
  if (!headers.has('content-type')) headers.set('content-type', 'application/json; charset=utf-8');
  const value = config.body ?? null;
  // null means "no body" and a string is sent as it is, so those go out as JSON text; so does
  // any value under a content type of the user's that is not a JSON one.
  const keepsValue =
    value !== null && typeof value !== 'string' && isJsonType(headers.get('content-type') ?? '');
  return keepsValue ? value : JSON.stringify(value);
}
