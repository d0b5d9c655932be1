import type { HttpClient, HttpResponse } from '@hookflow/engine';
import { Agent, type Dispatcher, interceptors, request } from 'undici';

/** A response larger than the node allows. */
export class ResponseTooLargeError extends Error {
  override readonly name = 'ResponseTooLargeError';
  readonly code = 'RESPONSE_TOO_LARGE';
}

/**
 * The HTTP client nodes use: undici with connection pooling, a total timeout, a redirect limit
 * and a cap on the response size. (The SSRF guard plugs into this dispatcher.)
 */
export function createHttpClient(): HttpClient & { close(): Promise<void> } {
  const agent = new Agent({ keepAliveTimeout: 10_000, connections: 128 });
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
    const signal = AbortSignal.any([req.signal, AbortSignal.timeout(req.timeoutMs)]);
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
      throw describeNetworkError(error, req.url, req.timeoutMs);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of response.body) {
        size += (chunk as Buffer).length;
        if (size > req.maxResponseBytes) {
          response.body.destroy();
          throw new ResponseTooLargeError(
            `the response is larger than ${req.maxResponseBytes} bytes`,
          );
        }
        chunks.push(chunk as Buffer);
      }
    } catch (error) {
      if (error instanceof ResponseTooLargeError) throw error;
      throw describeNetworkError(error, req.url, req.timeoutMs);
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    return { status: response.statusCode, headers, body: Buffer.concat(chunks), url: req.url };
  };
  return Object.assign(client, { close: () => agent.close() });
}

function describeNetworkError(error: unknown, url: string, timeoutMs: number): Error {
  if (error instanceof Error) {
    const name = error.name;
    if (
      name === 'TimeoutError' ||
      (error as { code?: string }).code === 'UND_ERR_HEADERS_TIMEOUT'
    ) {
      return Object.assign(new Error(`no answer from ${url} within ${timeoutMs} ms`), {
        code: 'TIMEOUT',
      });
    }
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const code = (error as { code?: string }).code ?? cause?.code;
    return Object.assign(
      new Error(`request to ${url} failed: ${cause?.message ?? error.message}`),
      {
        code: code ?? 'NETWORK',
      },
    );
  }
  return new Error(String(error));
}
