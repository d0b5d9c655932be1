import {
  compileWorkflow,
  createNodeRegistry,
  executeWorkflow,
  formatPath,
  type NodeRunContext,
  parseWorkflowDocument,
  type TriggerEvent,
  WORKFLOW_FORMAT,
} from '@hookflow/engine';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { transform } from '../transform/transform.ts';
import { webhookTrigger } from '../webhook-trigger/webhook-trigger.ts';
import { type RespondConfig, respond, type WebhookResponse } from './respond.ts';

const event: TriggerEvent = {
  method: 'POST',
  path: '/hooks/t',
  headers: {},
  query: {},
  body: { id: 'ord_1', ok: true },
  receivedAt: '2026-01-01T00:00:00.000Z',
};

const services = {
  http: async () => {
    throw new Error('no network in this test');
  },
  now: () => new Date(),
};

function runWith(config: z.input<typeof respond.config>): WebhookResponse {
  // run() is typed `unknown` through NodeDefinition; this node returns a WebhookResponse.
  return respond.run({
    config: respond.config.parse(config),
    input: { something: 'else' },
    trigger: event,
    steps: {},
    node: { id: 'r', key: 'respond', name: 'Respond', type: 'respond' },
    run: { id: 'run_1' },
    signal: new AbortController().signal,
    services,
  } satisfies NodeRunContext<RespondConfig>) as WebhookResponse;
}

describe('respond', () => {
  it('answers 200 with a JSON body by default, not the input', () => {
    expect(runWith({ body: { ok: true } })).toEqual({
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: { ok: true },
    });
    expect(respond.respondsToWebhook).toBe(true);
  });

  it.each([
    [
      'JSON with headers (names in lower case, values as text)',
      {
        status: 201,
        headers: [
          { name: 'X-Request-Id', value: 'abc' },
          { name: 'Retry-After', value: 30 },
        ],
        body: [1, 2],
      },
      {
        status: 201,
        headers: {
          'x-request-id': 'abc',
          'retry-after': '30',
          'content-type': 'application/json; charset=utf-8',
        },
        body: [1, 2],
      },
    ],
    [
      'a JSON string, encoded so it is sent as JSON',
      { bodyType: 'json' as const, body: 'done' },
      {
        status: 200,
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: '"done"',
      },
    ],
    [
      'JSON under a JSON content type of the user',
      { headers: [{ name: 'Content-Type', value: 'application/problem+json' }], body: { e: 1 } },
      { status: 200, headers: { 'content-type': 'application/problem+json' }, body: { e: 1 } },
    ],
    [
      'JSON under a content type that is not JSON, written as JSON text',
      { headers: [{ name: 'content-type', value: 'text/html' }], body: { e: 1 } },
      { status: 200, headers: { 'content-type': 'text/html' }, body: '{"e":1}' },
    ],
    [
      'no JSON body as null',
      { bodyType: 'json' as const },
      { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: 'null' },
    ],
    [
      'text',
      { bodyType: 'text' as const, body: 'thanks' },
      { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'thanks' },
    ],
    [
      'text from a value that is not text',
      { bodyType: 'text' as const, body: { a: 1 } },
      { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: '{"a":1}' },
    ],
    [
      'no body',
      { status: 202, bodyType: 'none' as const, body: 'ignored' },
      { status: 202, headers: {}, body: null },
    ],
    [
      'a status that forbids a body',
      { status: 204, body: { dropped: true } },
      { status: 204, headers: {}, body: null },
    ],
    [
      'a status written as text by an expression',
      { status: '418', bodyType: 'none' as const },
      { status: 418, headers: {}, body: null },
    ],
    [
      'a header named like a prototype key, kept as data',
      { headers: [{ name: '__proto__', value: 'x' }], bodyType: 'none' as const },
      { status: 200, headers: JSON.parse('{"__proto__": "x"}'), body: null },
    ],
  ])('answers %s', (_name, config, expected) => {
    expect(runWith(config)).toEqual(expected);
  });

  it('answers a body of null with JSON null text, which the sender reads as JSON', () => {
    expect(JSON.parse(runWith({ body: null }).body as string)).toBeNull();
  });

  it.each([
    [{ status: 99 }, 'status', 'between 100 and 599'],
    [{ status: 600 }, 'status', 'between 100 and 599'],
    [{ status: 200.5 }, 'status', 'whole number'],
    [{ status: 'ok' }, 'status', ''],
    [{ headers: [{ name: 'bad name', value: 'x' }] }, 'headers[0].name', 'not a valid header name'],
    [{ headers: [{ name: 'x:y', value: 'x' }] }, 'headers[0].name', 'not a valid header name'],
    [{ headers: [{ name: '', value: 'x' }] }, 'headers[0].name', 'a header name is required'],
    [{ headers: [{ name: 'Content-Length', value: '3' }] }, 'headers[0].name', 'content-length'],
    [{ headers: [{ name: 'Transfer-Encoding', value: 'chunked' }] }, 'headers[0].name', ''],
    [{ headers: [{ name: 'Connection', value: 'close' }] }, 'headers[0].name', 'hop-by-hop'],
    [{ headers: [{ name: 'keep-alive', value: '5' }] }, 'headers[0].name', 'hop-by-hop'],
    [{ headers: [{ name: 'Upgrade', value: 'h2c' }] }, 'headers[0].name', 'hop-by-hop'],
    [{ headers: [{ name: 'Content-Encoding', value: 'gzip' }] }, 'headers[0].name', 'compressed'],
    [
      { headers: [{ name: 'x-a', value: 'ok\r\nSet-Cookie: evil=1' }] },
      'headers[0].value',
      'line breaks',
    ],
    [{ headers: [{ name: 'x-a', value: '☃' }] }, 'headers[0].value', 'Latin-1'],
    [{ headers: [{ name: 'x-a', value: { a: 1 } }] }, 'headers[0].value', ''],
    [
      {
        headers: [
          { name: 'X-A', value: '1' },
          { name: 'x-a', value: '2' },
        ],
      },
      'headers[1].name',
      'x-a is set twice',
    ],
    [{ bodyType: 'xml' }, 'bodyType', ''],
  ])('refuses %j', (config, field, message) => {
    const result = respond.config.safeParse(config);
    expect(result.success).toBe(false);
    const issue = result.error?.issues[0];
    expect(formatPath(issue?.path ?? [])).toBe(field);
    expect(issue?.message).toContain(message);
  });

  it.each([
    [{}, 'Respond 200 with JSON'],
    [{ status: 201, bodyType: 'text' }, 'Respond 201 with text'],
    [{ status: 204, bodyType: 'none' }, 'Respond 204'],
  ] as const)('%j reads "%s"', (config, summary) => {
    expect(respond.summary?.(respond.config.parse(config))).toBe(summary);
  });
});

describe('respond in a workflow', () => {
  const registry = createNodeRegistry([webhookTrigger, transform, respond]);
  const execute = async (config: Record<string, unknown>) => {
    const parsed = parseWorkflowDocument({
      format: WORKFLOW_FORMAT,
      name: 'test',
      nodes: [
        { id: 't', key: 'trigger', type: 'webhook-trigger', name: 'Webhook', config: {} },
        { id: 'r', key: 'reply', type: 'respond', name: 'Reply', config },
        {
          id: 'x',
          key: 'after',
          type: 'transform',
          name: 'After',
          config: { operations: [{ op: 'set', path: 'seen', value: true }] },
        },
      ],
      edges: [
        { id: 'e1', source: 't', target: 'r' },
        { id: 'e2', source: 'r', target: 'x' },
      ],
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    return executeWorkflow(compileWorkflow(parsed.document, registry), {
      event,
      run: { id: 'run_1' },
      workflow: { id: 'wf', name: 'test', versionId: 'v1' },
      services,
    });
  };

  it('becomes the run response, with expressions in status, headers and body', async () => {
    const result = await execute({
      status: '{{ trigger.body.ok ? 201 : 422 }}',
      headers: [{ name: 'x-order', value: '{{ trigger.body.id }}' }],
      body: { received: '{{ trigger.body.id }}', at: '{{ trigger.receivedAt }}' },
    });
    expect(result.status).toBe('succeeded');
    expect(result.response).toEqual({
      status: 201,
      headers: { 'x-order': 'ord_1', 'content-type': 'application/json; charset=utf-8' },
      body: { received: 'ord_1', at: '2026-01-01T00:00:00.000Z' },
    });
    // The next step's input is the response object.
    expect(result.steps[2]?.input).toEqual(result.response);
  });

  it('fails the step when an expression gives a status out of range', async () => {
    const result = await execute({ status: '{{ 42 }}' });
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'CONFIG', field: 'status' });
    expect(result.response).toBeUndefined();
  });
});
