import { defineNode } from '@hookflow/engine';
import { z } from 'zod';

/** A header or query pair; a typed expression result is written as text. */
const pairSchema = z.object({
  name: z.string().min(1, 'a name is required'),
  value: z
    .union([z.string(), z.number(), z.boolean(), z.null()])
    .transform((value) => (value === null ? '' : String(value))),
});

const configSchema = z.object({
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']).default('POST'),
  url: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }),
  query: z.array(pairSchema).default([]),
  headers: z.array(pairSchema).default([]),
  bodyType: z.enum(['none', 'json', 'form', 'text']).default('json'),
  /** JSON body: any value; its strings may hold templates. Form body: an object of fields. */
  body: z.unknown().optional(),
  contentType: z.string().default('text/plain; charset=utf-8'),
  timeoutMs: z.coerce.number().int().min(1).max(600_000).default(30_000),
  maxResponseBytes: z.coerce
    .number()
    .int()
    .min(0)
    .max(100 * 1024 * 1024)
    .default(10 * 1024 * 1024),
  maxRedirects: z.coerce.number().int().min(0).max(20).default(5),
  failOnError: z.boolean().default(true),
});

export type HttpRequestConfig = z.output<typeof configSchema>;

/** A response that the node did not accept (non-2xx with "fail on error"). */
export class HttpStatusError extends Error {
  override readonly name = 'HttpStatusError';
  readonly code = 'HTTP_STATUS';
  constructor(
    readonly status: number,
    readonly response: unknown,
  ) {
    super(`the server answered ${status}`);
  }
}

export const httpRequest = defineNode({
  type: 'http-request',
  label: 'HTTP request',
  description: 'Calls a URL and outputs the response: status, headers and body.',
  group: 'action',
  icon: '↗',
  config: configSchema,
  defaults: {
    method: 'POST',
    url: 'https://example.com/hooks',
    query: [],
    headers: [],
    bodyType: 'json',
    body: { event: '{{ trigger.body }}' },
  },
  form: [
    {
      kind: 'select',
      field: 'method',
      label: 'Method',
      options: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'].map((m) => ({
        value: m,
        label: m,
      })),
    },
    { kind: 'text', field: 'url', label: 'URL', expression: true, placeholder: 'https://…' },
    { kind: 'key-value', field: 'query', label: 'Query parameters', expression: true },
    { kind: 'key-value', field: 'headers', label: 'Headers', expression: true },
    {
      kind: 'select',
      field: 'bodyType',
      label: 'Body',
      options: [
        { value: 'none', label: 'None' },
        { value: 'json', label: 'JSON' },
        { value: 'form', label: 'Form (URL-encoded)' },
        { value: 'text', label: 'Text' },
      ],
    },
    { kind: 'json', field: 'body', label: 'Body', expression: true },
    { kind: 'text', field: 'contentType', label: 'Content type (text body)' },
    { kind: 'number', field: 'timeoutMs', label: 'Timeout (ms)', min: 1 },
    { kind: 'boolean', field: 'failOnError', label: 'Fail when the status is not 2xx' },
  ],
  summary: (config) => `${config.method} ${config.url}`,
  async run({ config, services, signal }) {
    const url = new URL(config.url);
    for (const { name, value } of config.query) url.searchParams.append(name, value);
    const headers: Record<string, string> = {};
    for (const { name, value } of config.headers) headers[name.toLowerCase()] = value;
    const body = encodeBody(config, headers);

    const response = await services.http({
      method: config.method,
      url: url.toString(),
      headers,
      ...(body === undefined ? {} : { body }),
      timeoutMs: config.timeoutMs,
      maxResponseBytes: config.maxResponseBytes,
      maxRedirects: config.maxRedirects,
      signal,
    });
    const output = {
      status: response.status,
      headers: response.headers,
      body: decodeBody(response.body, response.headers['content-type']),
    };
    if (config.failOnError && (response.status < 200 || response.status > 299)) {
      throw new HttpStatusError(response.status, output);
    }
    return output;
  },
});

function encodeBody(
  config: HttpRequestConfig,
  headers: Record<string, string>,
): string | undefined {
  if (config.bodyType === 'none' || config.method === 'GET' || config.method === 'HEAD') {
    return undefined;
  }
  if (config.bodyType === 'json') {
    headers['content-type'] ??= 'application/json';
    return JSON.stringify(config.body ?? null);
  }
  if (config.bodyType === 'form') {
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
    const form = new URLSearchParams();
    const fields = config.body && typeof config.body === 'object' ? config.body : {};
    for (const [name, value] of Object.entries(fields)) {
      for (const item of Array.isArray(value) ? value : [value]) {
        form.append(name, typeof item === 'string' ? item : JSON.stringify(item));
      }
    }
    return form.toString();
  }
  headers['content-type'] ??= config.contentType;
  return typeof config.body === 'string' ? config.body : JSON.stringify(config.body ?? '');
}

function decodeBody(bytes: Uint8Array, contentType: string | undefined): unknown {
  const text = new TextDecoder().decode(bytes);
  if (contentType && /[/+]json\b/i.test(contentType) && text.trim() !== '') {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}
