import type { HttpClient, HttpResponse } from '@hookflow/engine';
import { Agent, type Dispatcher, interceptors } from 'undici';
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

  /**
   * One request on undici's dispatcher with a handler of our own: undici's `request()` wraps each
   * response in a Readable stream and a promise of its own, about 60 µs a request more on these
   * machines (an HTTP request step spent a third of its execution thread's time in the client).
   */
  const client = (req: Parameters<HttpClient>[0]): Promise<HttpResponse> =>
    new Promise<HttpResponse>((resolve, reject) => {
      let controller: Dispatcher.DispatchController | undefined;
      let settled = false;
      // The status and headers came: a failure from now on is the body's.
      let answered = false;
      let status = 0;
      let headers: Record<string, string> = {};
      const chunks: Buffer[] = [];
      let size = 0;

      const finish = () => {
        settled = true;
        clearTimeout(timer);
        req.signal.removeEventListener('abort', onAbort);
      };
      const fail = (error: unknown) => {
        if (settled) return;
        finish();
        reject(error);
      };
      /** Stops the exchange: `reason` is the answer, and undici closes the connection. */
      const stop = (reason: Error) => {
        // Settled first: the abort calls onResponseError at once, with the same reason.
        fail(reason);
        controller?.abort(reason);
      };
      // Stopped with the step (canceled, out of time) or after the request's own time.
      const onAbort = () => stop(req.signal.reason as Error);
      const timer = setTimeout(
        () =>
          stop(
            describeFailure(
              new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
              req,
              answered ? 'body' : 'answer',
            ) as Error,
          ),
        req.timeoutMs,
      );
      if (req.signal.aborted) return onAbort();
      req.signal.addEventListener('abort', onAbort, { once: true });

      let url: URL;
      try {
        url = new URL(req.url);
        if (url.protocol !== 'http:' && url.protocol !== 'https:') {
          throw new TypeError('the URL must start with http: or https:');
        }
      } catch (error) {
        return fail(describeFailure(error, req, 'answer'));
      }
      try {
        dispatcherFor(req.maxRedirects).dispatch(
          {
            origin: url.origin,
            path: `${url.pathname}${url.search}`,
            method: req.method as Dispatcher.HttpMethod,
            headers: req.headers,
            body: req.body ?? null,
            headersTimeout: req.timeoutMs,
            bodyTimeout: req.timeoutMs,
          },
          {
            onRequestStart(started) {
              controller = started;
              // Stopped while it waited for a connection.
              if (settled) started.abort(new Error('the request was stopped'));
            },
            onResponseStart(_, statusCode, responseHeaders) {
              if (settled || statusCode < 200) return;
              answered = true;
              // undici hands back the redirect it was not allowed to follow; with a limit set,
              // that is a failure, not an answer. (A limit of 0 asks for the redirect itself.)
              if (
                req.maxRedirects > 0 &&
                redirectStatuses.has(statusCode) &&
                responseHeaders.location
              ) {
                return stop(
                  new TooManyRedirectsError(
                    `${displayUrl(req.url)} redirected more than ${req.maxRedirects} times`,
                  ),
                );
              }
              // Refused before reading when the size is declared (a HEAD answer declares a body
              // it lacks).
              const declared = Number(responseHeaders['content-length']);
              if (req.method !== 'HEAD' && declared > req.maxResponseBytes) {
                return stop(
                  new ResponseTooLargeError(
                    `the response is ${declared} bytes, more than the ${req.maxResponseBytes} allowed`,
                  ),
                );
              }
              status = statusCode;
              headers = {};
              for (const [name, value] of Object.entries(responseHeaders)) {
                if (value !== undefined) {
                  headers[name] = Array.isArray(value) ? value.join(', ') : value;
                }
              }
            },
            onResponseData(_, chunk) {
              if (settled) return;
              size += chunk.length;
              if (size > req.maxResponseBytes) {
                return stop(
                  new ResponseTooLargeError(
                    `the response is larger than the ${req.maxResponseBytes} bytes allowed`,
                  ),
                );
              }
              chunks.push(chunk);
            },
            onResponseEnd() {
              if (settled) return;
              finish();
              // Copied: undici's chunks are views of the socket's read buffers.
              resolve({ status, headers, body: Buffer.concat(chunks), url: req.url });
            },
            onResponseError(_, error) {
              fail(describeFailure(error, req, answered ? 'body' : 'answer'));
            },
          },
        );
      } catch (error) {
        fail(describeFailure(error, req, 'answer'));
      }
    });
  return Object.assign(client, { close: () => agent.close() });
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
