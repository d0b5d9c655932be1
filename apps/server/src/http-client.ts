import type { HttpClient, HttpResponse } from '@hookflow/engine';
import { Agent, type Dispatcher, interceptors, request } from 'undici';
import {
  createGuardedConnector,
  createOutboundPolicy,
  type OutboundPolicy,
  type Resolve,
} from './net-guard/net-guard.ts';

/** A response larger than the node allows. */
export class ResponseTooLargeError extends Error {
  override readonly name = 'ResponseTooLargeError';
  readonly code = 'RESPONSE_TOO_LARGE';
}

/** A chain of redirects longer than the node allows. */
export class TooManyRedirectsError extends Error {
  override readonly name = 'TooManyRedirectsError';
  readonly code = 'TOO_MANY_REDIRECTS';
}

/** The failure of one request, with a code (`TIMEOUT`, `ECONNREFUSED`, …) a node can act on. */
export class HttpClientError extends Error {
  override readonly name = 'HttpClientError';
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** The statuses undici's redirect interceptor follows. */
const redirectStatuses = new Set([300, 301, 302, 303, 307, 308]);

export interface HttpClientOptions {
  /** Where requests may go; by default nowhere internal (see net-guard). */
  outbound?: OutboundPolicy;
  /** How host names are resolved; `dns.lookup` unless a test maps its own names. */
  resolve?: Resolve;
}

/**
 * The HTTP client nodes use: undici with connection pooling, a total timeout, a redirect limit
 * and a cap on the response size. Every connection, the first and each redirect's, goes
 * through the SSRF guard, which checks the address actually connected to.
 *
 * Redirects drop `Authorization`, `Cookie` and `Proxy-Authorization` when they leave the
 * origin (undici); other headers go along.
 *
 * @example
 * const http = createHttpClient();
 * const response = await http({ method: 'GET', url: 'https://example.com/', headers: {},
 *   timeoutMs: 30_000, maxResponseBytes: 10_485_760, maxRedirects: 5, signal });
 * await http.close();
 */
export function createHttpClient(
  options: HttpClientOptions = {},
): HttpClient & { close(): Promise<void> } {
  const connect = createGuardedConnector(options.outbound ?? createOutboundPolicy(), {
    ...(options.resolve ? { resolve: options.resolve } : {}),
  });
  const agent = new Agent({ keepAliveTimeout: 10_000, connections: 128, connect });
  const byRedirects = new Map<number, Dispatcher>();
  const dispatcherFor = (maxRedirections: number): Dispatcher => {
    let dispatcher = byRedirects.get(maxRedirections);
    if (!dispatcher) {
      dispatcher =
        maxRedirections > 0 ? agent.compose(interceptors.redirect({ maxRedirections })) : agent;
      byRedirects.set(maxRedirections, dispatcher);
    }
    return dispatcher;
  };

  const client = async (req: Parameters<HttpClient>[0]): Promise<HttpResponse> => {
    const { signal, done } = requestSignal(req.signal, req.timeoutMs);
    try {
      return await send(req, signal);
    } finally {
      done();
    }
  };

  const send = async (
    req: Parameters<HttpClient>[0],
    signal: AbortSignal,
  ): Promise<HttpResponse> => {
    let response: Dispatcher.ResponseData;
    try {
      response = await request(req.url, {
        method: req.method as Dispatcher.HttpMethod,
        headers: req.headers,
        body: req.body ?? null,
        signal,
        dispatcher: dispatcherFor(req.maxRedirects),
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
      });
    } catch (error) {
      throw describeFailure(error, req, 'answer');
    }

    // undici hands back the redirect it was not allowed to follow; with a limit set, that is
    // a failure, not an answer. (A limit of 0 asks for the redirect itself.)
    const location = response.headers.location;
    if (req.maxRedirects > 0 && redirectStatuses.has(response.statusCode) && location) {
      discard(response.body);
      throw new TooManyRedirectsError(
        `${displayUrl(req.url)} redirected more than ${req.maxRedirects} times`,
      );
    }
    // Refused before reading when the size is declared (a HEAD answer declares a body it lacks).
    const declared = Number(response.headers['content-length']);
    if (req.method !== 'HEAD' && declared > req.maxResponseBytes) {
      discard(response.body);
      throw new ResponseTooLargeError(
        `the response is ${declared} bytes, more than the ${req.maxResponseBytes} allowed`,
      );
    }

    const body = await readBody(response.body, req.maxResponseBytes).catch((error: unknown) => {
      throw error instanceof ResponseTooLargeError ? error : describeFailure(error, req, 'body');
    });
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    return { status: response.statusCode, headers, body, url: req.url };
  };
  return Object.assign(client, { close: () => agent.close() });
}

/**
 * Reads a body whole, refusing it once it passes `maxBytes`. With listeners rather than
 * `for await`: the stream's async iterator cost about 15 µs a response in an execution thread.
 */
function readBody(stream: Dispatcher.ResponseData['body'], maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        stream.removeAllListeners('data');
        discard(stream);
        reject(
          new ResponseTooLargeError(`the response is larger than the ${maxBytes} bytes allowed`),
        );
        return;
      }
      chunks.push(chunk);
    });
    stream.once('end', () => resolve(Buffer.concat(chunks)));
    stream.once('error', reject);
  });
}

/**
 * The signal of one request: aborted by the step's signal or after `timeoutMs` (with a
 * TimeoutError, as AbortSignal.timeout does). One controller and one timer, cleared by `done()`
 * once the body is read: AbortSignal.any over AbortSignal.timeout cost about 3 % of an
 * execution thread's time under load, each signal held weakly and tracked until collected.
 */
function requestSignal(outer: AbortSignal, timeoutMs: number) {
  const controller = new AbortController();
  const onAbort = () => controller.abort(outer.reason);
  const timer = setTimeout(
    () =>
      controller.abort(
        new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
      ),
    timeoutMs,
  );
  if (outer.aborted) onAbort();
  else outer.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    done() {
      clearTimeout(timer);
      outer.removeEventListener('abort', onAbort);
    },
  };
}

/** Closes a body that will not be read; its abort error has no one to go to. */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => {});
  body.destroy();
}

const timeoutCodes = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function describeFailure(
  error: unknown,
  req: Parameters<HttpClient>[0],
  phase: 'answer' | 'body',
): unknown {
  // The step was canceled or ran out of time: its reason says so better than undici.
  if (req.signal.aborted) return req.signal.reason;
  const url = displayUrl(req.url);
  if (!(error instanceof Error)) return new HttpClientError(`request to ${url} failed`, 'NETWORK');
  const code = codeOf(error) ?? codeOf(error.cause);
  if (error.name === 'TimeoutError' || (code !== undefined && timeoutCodes.has(code))) {
    return new HttpClientError(
      phase === 'answer'
        ? `no answer from ${url} within ${req.timeoutMs} ms`
        : `the answer from ${url} did not arrive in full within ${req.timeoutMs} ms`,
      'TIMEOUT',
    );
  }
  const reason = error.cause instanceof Error ? error.cause.message : error.message;
  return new HttpClientError(`request to ${url} failed: ${reason}`, code ?? 'NETWORK');
}

function codeOf(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}

/** The URL without a user name or password, for messages. */
function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.href;
  } catch {
    return url;
  }
}
