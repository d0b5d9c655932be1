import {
  compileWorkflow,
  createNodeRegistry,
  executeWorkflow,
  formatPath,
  type NodeRunContext,
  parseWorkflowDocument,
  type TriggerEvent,
  validateWorkflow,
  WORKFLOW_FORMAT,
} from '@hookflow/engine';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { webhookTrigger } from '../webhook-trigger/webhook-trigger.ts';
import {
  convertValue,
  type TransformConfig,
  TransformError,
  transform,
  valueTypes,
} from './transform.ts';

const event: TriggerEvent = {
  method: 'POST',
  path: '/hooks/t',
  headers: { 'content-type': 'application/json' },
  query: {},
  body: { id: 'ord_1', total: '12.50', items: [{ sku: 'A-1', qty: 2 }], customer: { name: 'Ada' } },
  receivedAt: '2026-01-01T00:00:00.000Z',
};

/** Runs the node on a config as the editor stores it (already resolved: no templates). */
function runWith(config: z.input<typeof transform.config>, input: unknown = event) {
  return transform.run({
    config: transform.config.parse(config),
    input,
    trigger: event,
    steps: {},
    node: { id: 'n', key: 'transform_1', name: 'Transform', type: 'transform' },
    run: { id: 'run_1' },
    signal: new AbortController().signal,
    services: {
      http: async () => {
        throw new Error('no network in this test');
      },
      now: () => new Date(),
    },
  } satisfies NodeRunContext<TransformConfig>);
}

describe('transform: mapping', () => {
  it('applies set, rename and remove in order on a copy of the input', () => {
    const input = structuredClone(event.body);
    const output = runWith(
      {
        operations: [
          { op: 'set', path: 'total', value: '12.50', type: 'number' },
          { op: 'set', path: 'items[0].price', value: 4.5 },
          { op: 'set', path: 'tags[1]', value: 'vip' },
          { op: 'rename', from: 'customer.name', to: 'customerName' },
          { op: 'remove', path: 'customer' },
          { op: 'set', path: "meta['x.y']", value: true },
        ],
      },
      input,
    );
    expect(output).toEqual({
      id: 'ord_1',
      total: 12.5,
      items: [{ sku: 'A-1', qty: 2, price: 4.5 }],
      tags: [null, 'vip'],
      customerName: 'Ada',
      meta: { 'x.y': true },
    });
    expect(input).toEqual(event.body);
  });

  it('starts from an empty object when asked', () => {
    expect(runWith({ start: 'empty', operations: [{ op: 'set', path: 'a.b', value: 1 }] })).toEqual(
      { a: { b: 1 } },
    );
    expect(runWith({ start: 'empty' })).toEqual({});
  });

  it('passes the input through unchanged when there is nothing to do', () => {
    expect(runWith({ operations: [] }, event)).toBe(event);
  });

  it('leaves the output alone when a renamed or removed field is absent', () => {
    const input = { a: 1 };
    expect(
      runWith(
        {
          operations: [
            { op: 'rename', from: 'missing', to: 'b' },
            { op: 'remove', path: 'missing.deeper' },
          ],
        },
        input,
      ),
    ).toBe(input);
  });

  it('renames into its own old place', () => {
    expect(
      runWith({ operations: [{ op: 'rename', from: 'a', to: 'a.inner' }] }, { a: [1] }),
    ).toEqual({ a: { inner: [1] } });
  });

  it('sets nothing as null with type auto', () => {
    expect(
      runWith({ start: 'empty', operations: [{ op: 'set', path: 'x', value: null }] }),
    ).toEqual({ x: null });
  });

  it.each([
    [
      'an impossible conversion',
      {
        operations: [
          { op: 'set' as const, path: 'total', value: '12,50', type: 'number' as const },
        ],
      },
      event.body,
      'operations[0] (set total as number): cannot convert text ("12,50") to a number',
      'CONVERSION',
    ],
    [
      'a write through text',
      {
        operations: [
          { op: 'set' as const, path: 'x', value: 1 },
          { op: 'set' as const, path: 'customer.name.first', value: 'Ada' },
        ],
      },
      event.body,
      'operations[1] (set customer.name.first): "customer.name" is text, not an object',
      'PATH',
    ],
    [
      'a rename onto a list with a name',
      { operations: [{ op: 'rename' as const, from: 'id', to: 'items.id' }] },
      event.body,
      'operations[0] (rename id to items.id): "items" is a list, not an object',
      'PATH',
    ],
    [
      'an input that is not an object',
      { operations: [{ op: 'set' as const, path: 'a', value: 1 }] },
      'plain text',
      'operations[0] (set a): the top level is text, not an object',
      'PATH',
    ],
  ])('fails the step on %s, naming the row and path', (_name, config, input, message, code) => {
    let caught: unknown;
    try {
      runWith(config, input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TransformError);
    expect(caught).toMatchObject({ code });
    expect((caught as Error).message).toContain(message);
  });

  it.each([
    [{ op: 'set', path: 'items[0.sku', value: 1 }, 'operations[0].path', '"]" is expected'],
    [{ op: 'set', path: '__proto__.polluted', value: 1 }, 'operations[0].path', 'prototype'],
    [{ op: 'rename', from: 'a', to: 'constructor.prototype' }, 'operations[0].to', 'prototype'],
    [{ op: 'remove', path: '' }, 'operations[0].path', 'a path is required'],
    [{ op: 'set', path: 'a', value: 1, type: 'date' }, 'operations[0].type', ''],
    [{ op: 'copy', path: 'a' }, 'operations[0].op', ''],
  ])('refuses the row %j on save', (row, field, message) => {
    const result = transform.config.safeParse({ operations: [row] });
    expect(result.success).toBe(false);
    const issue = result.error?.issues[0];
    expect(formatPath(issue?.path ?? [])).toBe(field);
    expect(issue?.message).toContain(message);
  });

  it('no path in a row can pollute Object.prototype', () => {
    const piece = fc.constantFrom(
      '__proto__',
      'constructor',
      'prototype',
      'polluted',
      '.',
      '[',
      ']',
      '0',
      "'",
    );
    const path = fc.oneof(
      fc.array(piece, { maxLength: 8 }).map((p) => p.join('')),
      fc.string(),
    );
    fc.assert(
      fc.property(path, fc.constantFrom('input' as const, 'empty' as const), (text, start) => {
        const parsed = transform.config.safeParse({
          start,
          operations: [
            { op: 'set', path: text, value: { polluted: true }, type: 'object' },
            { op: 'set', path: `${text}.polluted`, value: 'yes' },
            { op: 'rename', from: 'id', to: text },
          ],
        });
        if (!parsed.success) return;
        try {
          runWith(parsed.data, JSON.parse('{"__proto__": {"a": 1}, "id": 1}'));
        } catch (error) {
          expect(error).toBeInstanceOf(TransformError);
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
      }),
      { numRuns: 1000 },
    );
  });
});

describe('transform: conversions', () => {
  it.each([
    ['auto', 'as is', 'as is'],
    ['auto', 42, 42],
    ['auto', undefined, null],
    ['string', 42, '42'],
    ['string', true, 'true'],
    ['string', null, ''],
    ['string', { a: 1 }, '{"a":1}'],
    ['number', ' 12.5 ', 12.5],
    ['number', '-3e2', -300],
    ['number', '.5', 0.5],
    ['number', 7, 7],
    ['boolean', 'TRUE', true],
    ['boolean', 'no', false],
    ['boolean', 'on', true],
    ['boolean', '0', false],
    ['boolean', 1, true],
    ['boolean', false, false],
    ['json', '{"a":[1,2]}', { a: [1, 2] }],
    ['json', '3', 3],
    ['json', { a: 1 }, { a: 1 }],
    ['json', undefined, null],
    ['array', [1, 2], [1, 2]],
    ['array', ' ["a","b"]', ['a', 'b']],
    ['array', 'A-1', ['A-1']],
    ['array', { sku: 'A-1' }, [{ sku: 'A-1' }]],
    ['array', undefined, []],
    ['object', { a: 1 }, { a: 1 }],
    ['object', '{"a":1}', { a: 1 }],
    ['object', null, {}],
  ] as const)('%s: %j becomes %j', (type, value, expected) => {
    expect(convertValue(value, type)).toEqual(expected);
  });

  it.each([
    ['number', '', 'cannot convert text ("") to a number'],
    ['number', '0x10', 'cannot convert text ("0x10") to a number'],
    ['number', '1,000', 'to a number'],
    ['number', 'Infinity', 'to a number'],
    ['number', true, 'cannot convert a boolean (true) to a number'],
    ['number', null, 'cannot convert nothing to a number'],
    ['number', [1], 'cannot convert a list ([1]) to a number'],
    ['boolean', 'maybe', 'cannot convert text ("maybe") to a boolean'],
    ['boolean', 2, 'to a boolean'],
    ['boolean', undefined, 'cannot convert nothing to a boolean'],
    ['json', '{a:1}', 'cannot read "{a:1}" as JSON'],
    ['array', '[1,', 'cannot read "[1," as a JSON list'],
    ['object', [1], 'cannot convert a list ([1]) to an object'],
    ['object', '[1]', 'to an object'],
    ['object', 'text', 'cannot convert text ("text") to an object'],
    ['object', '{"a":', 'as a JSON object'],
    ['object', 5, 'to an object'],
  ] as const)('%s: %j fails', (type, value, message) => {
    expect(() => convertValue(value, type)).toThrow(message);
  });

  it('keeps every type in the documented list', () => {
    expect(valueTypes).toEqual(['auto', 'string', 'number', 'boolean', 'json', 'array', 'object']);
  });
});

describe('transform: expression mode', () => {
  it('outputs the evaluated expression, and null for nothing', () => {
    expect(runWith({ mode: 'expression', expression: { id: 'ord_1' } })).toEqual({ id: 'ord_1' });
    expect(runWith({ mode: 'expression' })).toBeNull();
  });
});

describe('transform: summary', () => {
  it.each([
    [{}, 'Set 1 field'],
    [{ operations: [] }, 'Pass the input through'],
    [{ start: 'empty', operations: [] }, 'New object'],
    [
      {
        operations: [
          { op: 'set', path: 'a', value: 1 },
          { op: 'set', path: 'b', value: 2 },
          { op: 'rename', from: 'c', to: 'd' },
          { op: 'remove', path: 'e' },
        ],
      },
      'Set 2 fields, rename 1, remove 1',
    ],
    [
      { start: 'empty', operations: [{ op: 'set', path: 'a', value: 1 }] },
      'New object: set 1 field',
    ],
    [
      { mode: 'expression', expression: '{{ $merge([input, {"ok": true}]) }}' },
      'Output {{ $merge([input, {"ok": true}]) }}',
    ],
    [{ mode: 'expression' }, 'Output one expression'],
  ] as const)('%j reads "%s"', (config, summary) => {
    const parsed = transform.config.parse({ ...transform.defaults, ...config });
    expect(transform.summary?.(parsed)).toBe(summary);
  });
});

describe('transform in a workflow', () => {
  const registry = createNodeRegistry([webhookTrigger, transform]);
  const document = (config: Record<string, unknown>) => {
    const parsed = parseWorkflowDocument({
      format: WORKFLOW_FORMAT,
      name: 'test',
      nodes: [
        { id: 't', key: 'trigger', type: 'webhook-trigger', name: 'Webhook', config: {} },
        { id: 'x', key: 'shape', type: 'transform', name: 'Shape', config },
      ],
      edges: [{ id: 'e', source: 't', target: 'x' }],
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    return parsed.document;
  };
  const execute = (config: Record<string, unknown>) =>
    executeWorkflow(compileWorkflow(document(config), registry), {
      event,
      run: { id: 'run_1' },
      workflow: { id: 'wf', name: 'test', versionId: 'v1' },
      services: {
        http: async () => {
          throw new Error('no network in this test');
        },
        now: () => new Date(),
      },
    });

  it('sets typed values from expressions over the trigger as input', async () => {
    const result = await execute({
      start: 'empty',
      operations: [
        { op: 'set', path: 'orderId', value: '{{ input.body.id }}' },
        { op: 'set', path: 'total', value: '{{ input.body.total }}', type: 'number' },
        { op: 'set', path: 'skus', value: '{{ input.body.items.sku }}', type: 'array' },
        { op: 'set', path: 'greeting', value: 'Hi {{ input.body.customer.name }}' },
        { op: 'set', path: 'customer', value: '{{ input.body.customer }}' },
        { op: 'set', path: 'customer.vip', value: true },
      ],
    });
    expect(result.status).toBe('succeeded');
    expect(result.output).toEqual({
      orderId: 'ord_1',
      total: 12.5,
      skus: ['A-1'],
      greeting: 'Hi Ada',
      customer: { name: 'Ada', vip: true },
    });
    expect(event.body).toMatchObject({ customer: { name: 'Ada' } });
    expect((event.body as { customer: object }).customer).not.toHaveProperty('vip');
  });

  it('outputs one expression in expression mode', async () => {
    const result = await execute({
      mode: 'expression',
      expression: '{{ {"id": trigger.body.id, "count": $count(trigger.body.items)} }}',
    });
    expect(result.output).toEqual({ id: 'ord_1', count: 1 });
  });

  it('fails the step with the row and path when a conversion is impossible', async () => {
    const result = await execute({
      operations: [
        { op: 'set', path: 'n', value: '{{ trigger.body.customer.name }}', type: 'number' },
      ],
    });
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({
      code: 'CONVERSION',
      message: 'operations[0] (set n as number): cannot convert text ("Ada") to a number',
    });
  });

  it('checks a path resolved from an expression when the step runs', async () => {
    const result = await execute({
      operations: [{ op: 'set', path: '{{ "a..b" }}', value: 1 }],
    });
    expect(result.error).toMatchObject({ code: 'CONFIG', field: 'operations[0].path' });
  });

  it('reports a bad path on save, on the row', () => {
    const issues = validateWorkflow(
      document({ operations: [{ op: 'remove', path: 'a[' }] }),
      registry,
    );
    expect(issues).toEqual([expect.objectContaining({ nodeId: 'x', field: 'operations[0].path' })]);
  });
});
