import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { WORKFLOW_FORMAT } from '@hookflow/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startHookflow } from './helpers.ts';

/**
 * What a sender, a browser or a stranger on the network can throw at the server. Each input
 * gets a clear status and a JSON error (or a failed step with a clear message), and the process
 * stays up to answer the next one. Runs execute in the main thread (EXECUTION_THREADS=0) so
 * that a polluted prototype would show in this process.
 */
let hookflow: Awaited<ReturnType<typeof startHookflow>>;
let webRoot: string;
let port: number;
/** Path of the trigger URL of a workflow that echoes its body through a Transform. */
let echoPath: string;
/** Path of a workflow whose Transform evaluates `trigger.body.expression`'s chosen case. */
let expressionsPath: string;
const requestTimeoutMs = 1_500;

const node = (id: string, type: string, config: Record<string, unknown>, x = 0) => ({
  id,
  key: id,
  type,
  name: id,
  config,
  position: { x, y: 0 },
});

async function publish(name: string, nodes: ReturnType<typeof node>[]) {
  const edges = nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: nodes[i]!.id, target: n.id }));
  const imported = await hookflow.api.workflows.import.mutate({
    document: { format: WORKFLOW_FORMAT, name, nodes, edges, settings: {} },
    publish: true,
  });
  return new URL(hookflow.localUrl(imported.triggerUrl)).pathname;
}

beforeAll(async () => {
  webRoot = mkdtempSync(join(tmpdir(), 'hookflow-web-'));
  writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>app</title>');
  hookflow = await startHookflow({ webRoot, threads: 0, requestTimeoutMs });
  port = Number(new URL(hookflow.address).port);
  // A file beside the web root: what path traversal would be after.
  writeFileSync(join(webRoot, '..', 'hookflow-outside-secret.txt'), 'outside secret');
  const trigger = node('trigger', 'webhook-trigger', { dedupe: 'off', maxBodyBytes: 32 * 1024 });
  echoPath = await publish('Echo', [
    trigger,
    node(
      'echo',
      'transform',
      { mode: 'expression', expression: '{{ $merge([{}, trigger.body]) }}' },
      200,
    ),
  ]);
  expressionsPath = await publish('Expressions', [
    trigger,
    node(
      'evaluate',
      'transform',
      {
        mode: 'expression',
        expression: `{{ (
          $case := trigger.body.case;
          $case = "backtracking" ? $match(trigger.body.text, /(a+)+$/) :
          $case = "huge-range" ? $count([1..100000000]) :
          $case = "recursion" ? ($f := function($n) { $f($n + 1) }; $f(0)) :
          $case = "huge-string" ? $join([1..100000].($pad("", 1000, "x"))) :
          null
        ) }}`,
      },
      200,
    ),
  ]);
});

afterAll(async () => {
  await hookflow.close();
  rmSync(webRoot, { recursive: true, force: true });
  rmSync(join(webRoot, '..', 'hookflow-outside-secret.txt'), { force: true });
});

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends bytes as they are (no client-side normalisation of paths or headers) and reads the
 * answer until the server closes the connection. `pauses` are sent one after the other with a
 * delay between, to play a slow client.
 */
function raw(parts: (string | Buffer)[], pauseMs = 0): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timers: NodeJS.Timeout[] = [];
    const guard = setTimeout(() => {
      socket.destroy();
      reject(new Error('no answer within 10 s'));
    }, 10_000);
    socket.on('connect', () => {
      parts.forEach((part, index) => {
        const send = () => {
          if (!socket.destroyed) socket.write(part);
        };
        if (pauseMs === 0 || index === 0) send();
        else timers.push(setTimeout(send, pauseMs * index));
      });
    });
    socket.on('data', (chunk) => chunks.push(chunk));
    // A server that resets after answering (it refused to read the rest) is still an answer.
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(guard);
      for (const timer of timers) clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      let body = rest.join('\r\n\r\n');
      if (headers['transfer-encoding'] === 'chunked') body = unchunk(body);
      resolve({ status: Number(statusLine.split(' ')[1] ?? 0), headers, body });
    });
  });
}

function unchunk(text: string): string {
  let out = '';
  let rest = text;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    const size = Number.parseInt(rest.slice(0, eol), 16);
    if (!(size > 0)) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}

/** A complete request with `Connection: close`. */
function request(
  method: string,
  path: string,
  headers: Record<string, string | number> = {},
  body: string | Buffer = '',
): (string | Buffer)[] {
  const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  const lines = [`${method} ${path} HTTP/1.1`, 'host: 127.0.0.1', 'connection: close'];
  const all: Record<string, string | number> = { ...headers };
  if (!('content-length' in all) && !('transfer-encoding' in all) && method !== 'GET') {
    all['content-length'] = length;
  }
  for (const [name, value] of Object.entries(all)) lines.push(`${name}: ${value}`);
  return [Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), Buffer.from(body)])];
}

const json = { 'content-type': 'application/json' };
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const invalidUtf8 = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]);
const multipart = (size: number) => {
  const boundary = 'hostile-boundary';
  return {
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    body: Buffer.concat([
      Buffer.from(
        `--${boundary}\r\ncontent-disposition: form-data; name="f"; filename="big.bin"\r\ncontent-type: application/octet-stream\r\n\r\n`,
      ),
      Buffer.alloc(size, 0x61),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]),
  };
};

interface Case {
  input: string;
  send: () => (string | Buffer)[];
  pauseMs?: number;
  status: number | number[];
  /** The JSON error code, when the answer is a JSON error. */
  code?: string;
  /** What the answer must not contain. */
  never?: string;
}

const cases: Case[] = [
  {
    input: 'malformed JSON',
    send: () => request('POST', echoPath, json, '{"a": 1,'),
    status: 400,
    code: 'invalid_json',
  },
  {
    input: 'JSON nested 10,000 deep',
    send: () => request('POST', echoPath, json, nested(10_000)),
    status: 400,
    code: 'json_too_deep',
  },
  {
    input: 'invalid UTF-8 in a JSON body',
    send: () => request('POST', echoPath, json, invalidUtf8),
    status: 400,
    code: 'invalid_utf8',
  },
  {
    input: 'invalid UTF-8 in a text body',
    send: () => request('POST', echoPath, { 'content-type': 'text/plain' }, invalidUtf8),
    status: 400,
    code: 'invalid_utf8',
  },
  {
    input: 'a form body sent as JSON',
    send: () => request('POST', echoPath, json, 'a=1&b=2'),
    status: 400,
    code: 'invalid_json',
  },
  {
    input: 'an unknown charset',
    send: () => request('POST', echoPath, { 'content-type': 'text/plain; charset=evil-7' }, 'x'),
    status: 415,
    code: 'unsupported_charset',
  },
  {
    input: 'an unknown content encoding',
    send: () => request('POST', echoPath, { ...json, 'content-encoding': 'evil' }, '{}'),
    status: 415,
    code: 'unsupported_encoding',
  },
  {
    input: 'a gzip body that is not gzip',
    send: () => request('POST', echoPath, { ...json, 'content-encoding': 'gzip' }, '{}'),
    status: 400,
    code: 'invalid_encoding',
  },
  {
    input: 'a compression bomb (20 MB of zeros in 20 KB)',
    send: () =>
      request(
        'POST',
        echoPath,
        { ...json, 'content-encoding': 'gzip' },
        gzipSync(Buffer.alloc(20e6)),
      ),
    status: 413,
    code: 'decoded_body_too_large',
  },
  {
    input: 'a body over the trigger limit',
    send: () => request('POST', echoPath, json, JSON.stringify({ pad: 'x'.repeat(40_000) })),
    status: 413,
    code: 'body_too_large',
  },
  {
    input: 'a declared length over the limit, without the body',
    send: () => request('POST', echoPath, { ...json, 'content-length': 10_000_000 }),
    status: 413,
    code: 'body_too_large',
  },
  {
    input: 'an oversized multipart upload',
    send: () => {
      const { headers, body } = multipart(60_000);
      return request('POST', echoPath, headers, body);
    },
    status: 413,
  },
  {
    input: 'multipart without a boundary',
    send: () => request('POST', echoPath, { 'content-type': 'multipart/form-data' }, 'x'),
    status: 400,
    code: 'invalid_multipart',
  },
  {
    input: 'a 32 KB header',
    send: () => request('POST', echoPath, { ...json, 'x-pad': 'x'.repeat(32 * 1024) }, '{}'),
    status: 431,
  },
  {
    input: 'a 20 KB query string',
    send: () => request('POST', `${echoPath}?${'a=1&'.repeat(5_000)}`, json, '{}'),
    status: [414, 431],
  },
  {
    input: 'a token of 5,000 characters',
    send: () => request('POST', `/hooks/${'A'.repeat(5_000)}`, json, '{}'),
    // Tokens are 22 characters; the router refuses a path parameter over 100.
    status: 414,
  },
  {
    input: 'an unknown token',
    send: () => request('POST', `/hooks/${'A'.repeat(22)}`, json, '{}'),
    status: 404,
    code: 'unknown_trigger',
  },
  {
    input: 'a method the trigger does not accept',
    send: () => request('DELETE', echoPath, json, '{}'),
    status: 405,
  },
  {
    input: 'binary bytes without a content type',
    send: () => request('POST', echoPath, {}, Buffer.from([0xff, 0xfe, 0x00, 0x01])),
    status: 202,
  },
  {
    input: 'a token that climbs out of /hooks',
    send: () => request('POST', '/hooks/..%2f..%2ftrpc%2fworkflows.list', json, '{}'),
    status: 404,
  },
  {
    input: 'Content-Length and Transfer-Encoding together (smuggling)',
    send: () =>
      request(
        'POST',
        echoPath,
        { ...json, 'content-length': 2, 'transfer-encoding': 'chunked' },
        '0\r\n\r\n',
      ),
    status: 400,
  },
  {
    input: 'a request line that is not HTTP',
    send: () => ['\x00\x01\x02 garbage\r\n\r\n'],
    status: 400,
  },
  {
    input: 'slow headers (slowloris)',
    send: () => [
      'POST ',
      `${echoPath} HTTP/1.1\r\n`,
      'host: 127.0.0.1\r\n',
      'x-a: 1\r\n',
      'x-b: 2\r\n',
    ],
    pauseMs: 600,
    status: 408,
  },
  {
    input: 'a body that trickles in',
    send: () => [
      `POST ${echoPath} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{`,
      '"a',
      '":',
      '1',
      ',',
    ],
    pauseMs: 600,
    status: 408,
  },
  {
    input: 'path traversal to a file beside the web root',
    send: () => request('GET', '/../hookflow-outside-secret.txt', { accept: 'text/html' }),
    status: [200, 400, 403, 404],
    never: 'outside secret',
  },
  {
    input: 'encoded path traversal',
    send: () => request('GET', '/%2e%2e/hookflow-outside-secret.txt', { accept: 'text/html' }),
    status: [200, 400, 403, 404],
    never: 'outside secret',
  },
  {
    input: 'encoded slashes in path traversal',
    send: () => request('GET', '/..%2fhookflow-outside-secret.txt', { accept: 'text/html' }),
    status: [200, 400, 403, 404],
    never: 'outside secret',
  },
  {
    input: 'double-encoded path traversal',
    send: () =>
      request('GET', '/%252e%252e%252fhookflow-outside-secret.txt', { accept: 'text/html' }),
    status: [200, 400, 403, 404],
    never: 'outside secret',
  },
  {
    input: 'a NUL byte in a static path',
    send: () => request('GET', '/index.html%00.txt', { accept: 'text/html' }),
    status: [200, 400, 404],
    never: 'ENOENT',
  },
  {
    input: 'garbage sent to the API',
    send: () =>
      request(
        'POST',
        '/trpc/workflows.import',
        { ...json, ...hookflow.authHeaders },
        '{"document": ',
      ),
    status: 400,
  },
  {
    input: 'an API call of the wrong shape',
    send: () =>
      request(
        'POST',
        '/trpc/workflows.import',
        { ...json, ...hookflow.authHeaders },
        '{"document": {"__proto__": 1}}',
      ),
    status: 400,
  },
];

describe('hostile input against the real server', () => {
  it.each(cases)('answers $input with a clear status', async (c) => {
    const response = await raw(c.send(), c.pauseMs);
    const allowed = Array.isArray(c.status) ? c.status : [c.status];
    expect(allowed, `${response.status} ${response.body.slice(0, 300)}`).toContain(response.status);
    // Errors are JSON with a message, and never carry a stack trace.
    if (response.status >= 400) {
      const body = JSON.parse(response.body) as {
        error?: { code?: string; message?: string } | string;
        message?: string;
      };
      const message =
        typeof body.error === 'object' ? body.error.message : (body.message ?? body.error);
      expect(typeof message).toBe('string');
      if (c.code) expect(body.error).toMatchObject({ code: c.code });
    }
    expect(response.body).not.toMatch(/\n\s+at .+:\d+:\d+/);
    if (c.never) expect(response.body).not.toContain(c.never);
  });

  it('is still up and accepting webhooks after all of it', async () => {
    const response = await raw(request('POST', echoPath, json, '{"still":"here"}'));
    expect(response.status).toBe(202);
    expect((await raw(request('GET', '/healthz'))).status).toBe(200);
  });
});

describe('prototype keys stay data', () => {
  it('keeps __proto__ and constructor as keys of the body, in history and through expressions', async () => {
    const body =
      '{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}, "ok": 1}';
    const response = await raw(request('POST', `${echoPath}?__proto__[polluted]=yes`, json, body));
    expect(response.status).toBe(202);
    const { runId } = JSON.parse(response.body) as { runId: string };
    const run = await eventually(async () => {
      const detail = await hookflow.api.runs.get.query({ id: runId });
      return detail.finishedAt ? detail : undefined;
    });
    expect(run.status).toBe('succeeded');
    const echoed = run.steps.find((s) => s.nodeKey === 'echo')?.output as Record<string, unknown>;
    expect(Object.keys(echoed)).toEqual(expect.arrayContaining(['__proto__', 'constructor', 'ok']));
    expect(Object.getPrototypeOf(echoed)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(run.event.body as object, '__proto__')).toBe(true);
  });
});

describe('hostile expressions and data', () => {
  const runCase = async (body: Record<string, unknown>) => {
    const response = await raw(request('POST', expressionsPath, json, JSON.stringify(body)));
    expect(response.status).toBe(202);
    const { runId } = JSON.parse(response.body) as { runId: string };
    return eventually(async () => {
      const detail = await hookflow.api.runs.get.query({ id: runId });
      return detail.finishedAt ? detail : undefined;
    }, 20_000);
  };

  it('matches a backtracking regex in linear time', async () => {
    const run = await runCase({ case: 'backtracking', text: `${'a'.repeat(30_000)}!` });
    expect(run.status).toBe('succeeded');
  });

  it.each([
    ['huge-range', /sequence|items|100000/i],
    ['recursion', /deep|depth|recursion|stack|ran longer/i],
    ['huge-string', /characters|size|large|long|result/i],
  ])('fails a runaway expression (%s) with a clear message', async (which, pattern) => {
    const run = await runCase({ case: which });
    expect(run.status).toBe('failed');
    const step = run.steps.find((s) => s.nodeKey === 'evaluate');
    expect(step?.error).toMatchObject({ message: expect.stringMatching(pattern) });
  });
});
