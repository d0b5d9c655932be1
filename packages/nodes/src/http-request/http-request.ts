import { createSecretScrubber, defineNode, type HttpResponse, SECRET_MASK } from '@hookflow/engine';
import { z } from 'zod';

const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

/** A header or query pair; a typed expression result is written as text. */
const pairSchema = z.object({
  name: z.string().min(1, 'a name is required'),
  value: z
    .union([z.string(), z.number(), z.boolean(), z.null()])
    .transform((value) => (value === null ? '' : String(value))),
});

/** A body field: a JSON body keeps the value's type, a form body writes it as text. */
const bodyFieldSchema = z.object({
  name: z.string().min(1, 'a name is required'),
  value: z.unknown(),
});

/** Messages name the rule, never the value: they end up in run history. */
const oneLine = (what: string) =>
  z
    .string()
    .min(1, `${what} is required`)
    .refine((value) => !/[\r\n\0]/.test(value), `${what} must be on one line`);

/**
 * How the request proves who it is. Usually a credential from the store: `auth` is then
 * `{ "$credential": id }`, which the executor replaces with this shape before the node runs
 * (a bearer, basic or http-header credential). Written inline, it still works (older documents,
 * a token an expression takes from an earlier step), but the secret then sits in the document.
 */
const authSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }),
  z.object({
    type: z.literal('basic'),
    // RFC 7617: the user id cannot hold a colon, the password can.
    username: z.string().refine((value) => !value.includes(':'), 'cannot contain ":"'),
    password: z.string(),
  }),
  z.object({ type: z.literal('bearer'), token: oneLine('a token') }),
  z.object({
    type: z.literal('header'),
    name: z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be a header name'),
    value: oneLine('a value'),
  }),
]);

const configSchema = z
  .object({
    method: z.enum(methods).default('POST'),
    url: z
      .url({ protocol: /^https?$/, error: 'must be an http or https URL' })
      .refine(
        (url) => !/^[a-z]+:\/\/[^/?#]*@/i.test(url),
        'put the user name and password under auth (basic), not in the URL',
      ),
    query: z.array(pairSchema).default([]),
    headers: z.array(pairSchema).default([]),
    auth: authSchema.default({ type: 'none' }),
    bodyType: z.enum(['none', 'json', 'json-fields', 'form', 'text']).default('json'),
    /** JSON body: any value; its strings may hold templates. Form body: an object of fields. */
    body: z.unknown().optional(),
    /** The fields of a `json-fields` body; appended to a `form` body. */
    bodyFields: z.array(bodyFieldSchema).default([]),
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
    /** Off by default: repeating a POST the server may already have acted on is not safe. */
    retries: z.coerce.number().int().min(0).max(10).default(0),
    retryDelayMs: z.coerce.number().int().min(0).max(600_000).default(1_000),
    maxRetryDelayMs: z.coerce.number().int().min(0).max(600_000).default(30_000),
  })
  .superRefine((config, context) => {
    if (config.bodyType !== 'json-fields') return;
    const seen = new Set<string>();
    config.bodyFields.forEach((field, index) => {
      if (seen.has(field.name)) {
        context.addIssue({
          code: 'custom',
          path: ['bodyFields', index, 'name'],
          message: `"${field.name}" is given twice`,
        });
      }
      seen.add(field.name);
    });
  });

export type HttpRequestConfig = z.output<typeof configSchema>;
type Auth = HttpRequestConfig['auth'];

export interface HttpRequestOutput {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  /** How many requests were sent: 1 plus the retries. */
  attempts: number;
}

/** A response that the node did not accept (non-2xx with "fail on error"). */
export class HttpStatusError extends Error {
  override readonly name = 'HttpStatusError';
  readonly code = 'HTTP_STATUS';
  constructor(
    readonly status: number,
    readonly response: HttpRequestOutput,
    message: string,
  ) {
    super(message);
  }
}

/** No response: the network failed or the client refused (too large, too many redirects). */
export class HttpRequestError extends Error {
  override readonly name = 'HttpRequestError';
  constructor(
    message: string,
    readonly code: string,
    readonly attempts: number,
  ) {
    super(message);
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
    auth: { type: 'none' },
    bodyType: 'json',
    body: { event: '{{ trigger.body }}' },
  },
  secretFields: ['auth.password', 'auth.token', 'auth.value'],
  form: [
    {
      kind: 'select',
      field: 'method',
      label: 'Method',
      options: methods.map((m) => ({ value: m, label: m })),
    },
    { kind: 'text', field: 'url', label: 'URL', expression: true, placeholder: 'https://…' },
    { kind: 'key-value', field: 'query', label: 'Query parameters', expression: true },
    { kind: 'key-value', field: 'headers', label: 'Headers', expression: true },
    {
      kind: 'credential',
      field: 'auth',
      label: 'Authentication',
      credentialTypes: ['bearer', 'basic', 'http-header'],
      expression: true,
      help: 'A credential from the store. Custom: {"type": "bearer", "token": "{{ steps.login.body.token }}"}, "basic" (username, password) or "header" (name, value).',
    },
    {
      kind: 'select',
      field: 'bodyType',
      label: 'Body',
      options: [
        { value: 'none', label: 'None' },
        { value: 'json', label: 'JSON' },
        { value: 'json-fields', label: 'JSON from fields' },
        { value: 'form', label: 'Form (URL-encoded)' },
        { value: 'text', label: 'Text' },
      ],
    },
    {
      kind: 'json',
      field: 'body',
      label: 'Body',
      expression: true,
      showWhen: { field: 'bodyType', equals: ['json', 'form', 'text'] },
    },
    {
      kind: 'key-value',
      field: 'bodyFields',
      label: 'Body fields',
      expression: true,
      showWhen: { field: 'bodyType', equals: ['json-fields', 'form'] },
    },
    {
      kind: 'text',
      field: 'contentType',
      label: 'Content type',
      showWhen: { field: 'bodyType', equals: ['text'] },
    },
    { kind: 'number', field: 'timeoutMs', label: 'Timeout per attempt (ms)', min: 1 },
    { kind: 'boolean', field: 'failOnError', label: 'Fail when the status is not 2xx' },
    {
      kind: 'number',
      field: 'retries',
      label: 'Retries',
      min: 0,
      max: 10,
      help: 'On network errors, 408, 429 and 5xx (not 501, 505)',
    },
    { kind: 'number', field: 'retryDelayMs', label: 'First retry delay (ms)', min: 0 },
    { kind: 'number', field: 'maxRetryDelayMs', label: 'Longest retry delay (ms)', min: 0 },
    { kind: 'number', field: 'maxRedirects', label: 'Redirects to follow', min: 0, max: 20 },
    { kind: 'number', field: 'maxResponseBytes', label: 'Largest response (bytes)', min: 0 },
  ],
  summary: (config) => `${config.method} ${config.url}`,
  sideEffects: {
    summary: 'sends an HTTP request',
    // The request as it would leave, its credential masked (the scheme stays: "Bearer ••••••").
    effect: (config) => {
      const { method, url, headers, body, credentials } = buildRequest(config);
      if (credentials) headers[credentials.name] = maskCredential(credentials.value);
      return { request: { method, url, headers, body: readableBody(body, headers) } };
    },
  },
  async run({ config, services, signal }): Promise<HttpRequestOutput> {
    const { method, url, headers, body, credentials } = buildRequest(config);
    const redact = createSecretScrubber(secretsOf(config.auth, credentials?.value)).text;
    const request = {
      method,
      url,
      headers,
      ...(body === undefined ? {} : { body }),
      timeoutMs: config.timeoutMs,
      maxResponseBytes: config.maxResponseBytes,
      maxRedirects: config.maxRedirects,
      signal,
    };

    const maxAttempts = config.retries + 1;
    const counted = (attempts: number) =>
      config.retries > 0 ? ` after ${attempts} attempt${attempts === 1 ? '' : 's'}` : '';
    // Bounded: on the last attempt neither branch that continues can be taken.
    for (let attempt = 1; ; attempt++) {
      signal.throwIfAborted();
      const canRetry = attempt < maxAttempts;
      let response: HttpResponse;
      try {
        response = await services.http(request);
      } catch (error) {
        // Canceled or out of time: stop here, with the engine's own error.
        if (signal.aborted) throw signal.reason;
        const code = errorCode(error);
        if (canRetry && transientErrorCodes.has(code)) {
          await sleep(backoffMs(attempt, config), signal);
          continue;
        }
        const message = error instanceof Error ? error.message : String(error);
        throw new HttpRequestError(`${redact(message)}${counted(attempt)}`, code, attempt);
      }

      let note = '';
      if (canRetry && isTransientStatus(response.status)) {
        const asked = retryAfterMs(response.headers['retry-after'], services.now());
        const wait = asked ?? backoffMs(attempt, config);
        if (wait <= config.maxRetryDelayMs) {
          await sleep(wait, signal);
          continue;
        }
        note = ` (it asked to wait ${Math.ceil(wait / 1000)} s, more than maxRetryDelayMs)`;
      }

      const text = redact(new TextDecoder().decode(response.body));
      const output: HttpRequestOutput = {
        status: response.status,
        headers: redactValues(response.headers, redact),
        body: decodeBody(text, response.headers['content-type'], redact),
        attempts: attempt,
      };
      if (config.failOnError && (response.status < 200 || response.status > 299)) {
        const excerpt = excerptOf(text, response.headers['content-type'], response.body.length);
        throw new HttpStatusError(
          response.status,
          output,
          `the server answered ${response.status}${counted(attempt)}${note}${excerpt ? `: ${excerpt}` : ''}`,
        );
      }
      return output;
    }
  },
});

/** The request a config describes: what run() sends and what a dry run shows. */
function buildRequest(config: HttpRequestConfig) {
  const url = new URL(config.url);
  for (const { name, value } of config.query) url.searchParams.append(name, value);
  const headers: Record<string, string> = {};
  for (const { name, value } of config.headers) headers[name.toLowerCase()] = value;
  const body = encodeBody(config, headers);
  // Set last so that it replaces a header of the same name from the list.
  const credentials = authHeader(config.auth);
  if (credentials) headers[credentials.name] = credentials.value;
  return { method: config.method, url: url.toString(), headers, body, credentials };
}

/** `Bearer abc` -> `Bearer ••••••`; a value without a scheme is masked whole. */
function maskCredential(value: string): string {
  const scheme = /^(Basic|Bearer) /.exec(value);
  return scheme ? `${scheme[0]}${SECRET_MASK}` : SECRET_MASK;
}

/** A JSON body as its value (so a check can compare it field by field), any other as its text. */
function readableBody(body: string | undefined, headers: Record<string, string>): unknown {
  if (body === undefined) return null;
  if (jsonType.test(headers['content-type'] ?? '')) {
    try {
      return JSON.parse(body);
    } catch {
      return body;
    }
  }
  return body;
}

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
  if (config.bodyType === 'json-fields') {
    headers['content-type'] ??= 'application/json';
    return JSON.stringify(Object.fromEntries(config.bodyFields.map((f) => [f.name, f.value])));
  }
  if (config.bodyType === 'form') {
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
    const form = new URLSearchParams();
    const fields = config.body && typeof config.body === 'object' ? config.body : {};
    for (const [name, value] of Object.entries(fields)) {
      for (const item of Array.isArray(value) ? value : [value]) form.append(name, formText(item));
    }
    for (const { name, value } of config.bodyFields) form.append(name, formText(value));
    return form.toString();
  }
  headers['content-type'] ??= config.contentType;
  return typeof config.body === 'string' ? config.body : JSON.stringify(config.body ?? '');
}

function formText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function authHeader(auth: Auth): { name: string; value: string } | null {
  switch (auth.type) {
    case 'none':
      return null;
    case 'basic':
      return {
        name: 'authorization',
        value: `Basic ${base64(`${auth.username}:${auth.password}`)}`,
      };
    case 'bearer':
      return { name: 'authorization', value: `Bearer ${auth.token}` };
    case 'header':
      return { name: auth.name.toLowerCase(), value: auth.value };
  }
}

/** UTF-8 first: btoa alone only takes Latin-1. */
function base64(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * The credentials this request sends, masked wherever the step could show them: a server that
 * echoes the request (many do on errors) would otherwise put them into run history.
 */
function secretsOf(auth: Auth, headerValue: string | undefined): string[] {
  const secrets = headerValue === undefined ? [] : [headerValue];
  if (auth.type === 'basic') secrets.push(auth.password, headerValue?.slice('Basic '.length) ?? '');
  if (auth.type === 'bearer') secrets.push(auth.token);
  return secrets;
}

function redactValues(values: Record<string, string>, redact: (text: string) => string) {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, redact(value)]));
}

function redactDeep(value: unknown, redact: (text: string) => string): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, redact));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([name, item]) => [name, redactDeep(item, redact)]),
    );
  }
  return value;
}

const jsonType = /[/+]json\b/i;

function decodeBody(
  text: string,
  contentType: string | undefined,
  redact: (text: string) => string,
): unknown {
  if (contentType && jsonType.test(contentType) && text.trim() !== '') {
    try {
      // Parsed from the redacted text; redacted again for secrets that JSON escapes hid.
      return redactDeep(JSON.parse(text), redact);
    } catch {
      return text;
    }
  }
  return text;
}

const excerptLength = 200;

/** The start of a response body on one line, for an error message; binary bodies by size. */
function excerptOf(text: string, contentType: string | undefined, bytes: number): string {
  if (contentType && !/^text\/|[/+](json|xml)\b|urlencoded|javascript/i.test(contentType)) {
    return `${bytes} bytes of ${contentType.split(';')[0]?.trim()}`;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it strips
  const line = text.replace(/[\u0000-\u001f\u007f\s]+/g, ' ').trim();
  const characters = Array.from(line);
  return characters.length > excerptLength
    ? `${characters.slice(0, excerptLength).join('')}…`
    : line;
}

/** Errors worth another attempt: the connection failed or timed out, not a refusal. */
const transientErrorCodes = new Set([
  'TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

function errorCode(error: unknown): string {
  if (error instanceof Error) {
    if ('code' in error && typeof error.code === 'string') return error.code;
    const { cause } = error;
    if (cause instanceof Error && 'code' in cause && typeof cause.code === 'string') {
      return cause.code;
    }
  }
  return 'NETWORK';
}

/** 501 and 505 say the server will never do it; other 5xx, 408 and 429 may pass later. */
function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

/** Exponential, with "equal jitter": between half and all of the doubled delay, capped. */
function backoffMs(
  attempt: number,
  config: Pick<HttpRequestConfig, 'retryDelayMs' | 'maxRetryDelayMs'>,
): number {
  const ceiling = Math.min(config.maxRetryDelayMs, config.retryDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

/** `Retry-After` in seconds or as an HTTP date; null when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now: Date): number | null {
  if (value === undefined) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}

/** Waits, but rejects with the signal's reason the moment it fires. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
