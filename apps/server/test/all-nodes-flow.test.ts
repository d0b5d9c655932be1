import { WORKFLOW_FORMAT } from '@hookflow/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startHookflow, startSink } from './helpers.ts';

let hookflow: Awaited<ReturnType<typeof startHookflow>>;
let sink: Awaited<ReturnType<typeof startSink>>;

beforeAll(async () => {
  hookflow = await startHookflow();
  sink = await startSink();
});
afterAll(async () => {
  await hookflow.close();
  await sink.close();
});

/** trigger (wait) -> filter -> router -> big: transform -> HTTP -> respond 201; else: respond 200. */
function orderWorkflow(sinkUrl: string) {
  const node = (id: string, type: string, config: Record<string, unknown>, x: number, y = 0) => ({
    id,
    key: id,
    type,
    name: id,
    config,
    position: { x, y },
  });
  return {
    format: WORKFLOW_FORMAT,
    name: 'Orders: filter, route, transform, forward, respond',
    nodes: [
      node('trigger', 'webhook-trigger', { responseMode: 'wait', waitTimeoutMs: 10_000 }, 0),
      node(
        'paid',
        'filter',
        {
          conditions: {
            combinator: 'all',
            items: [
              {
                type: 'text',
                value: '{{ trigger.body.status }}',
                operator: 'equals',
                operand: 'PAID',
                ignoreCase: true,
              },
              { type: 'number', value: '{{ trigger.body.total }}', operator: 'gte', operand: 10 },
            ],
          },
        },
        200,
      ),
      node(
        'size',
        'router',
        {
          mode: 'first',
          routes: [
            {
              id: 'big',
              name: 'Big orders',
              conditions: {
                combinator: 'all',
                items: [
                  {
                    type: 'number',
                    value: '{{ trigger.body.total }}',
                    operator: 'gt',
                    operand: 100,
                  },
                ],
              },
            },
          ],
        },
        400,
      ),
      node(
        'shape',
        'transform',
        {
          mode: 'mapping',
          start: 'empty',
          operations: [
            { op: 'set', path: 'order.id', value: '{{ trigger.body.id }}', type: 'string' },
            { op: 'set', path: 'order.total', value: '{{ trigger.body.total }}', type: 'number' },
            { op: 'set', path: 'order.skus', value: '{{ trigger.body.items.sku }}', type: 'array' },
            { op: 'set', path: 'customer', value: '{{ $uppercase(trigger.body.customer) }}' },
          ],
        },
        600,
        -100,
      ),
      node(
        'crm',
        'http-request',
        {
          method: 'POST',
          url: `${sinkUrl}/crm/orders`,
          bodyType: 'json',
          body: '{{ steps.shape }}',
        },
        800,
        -100,
      ),
      node(
        'accepted',
        'respond',
        {
          status: 201,
          headers: [{ name: 'x-order', value: '{{ trigger.body.id }}' }],
          bodyType: 'json',
          body: {
            forwarded: true,
            crmStatus: '{{ steps.crm.status }}',
            order: '{{ steps.shape.order.id }}',
          },
        },
        1000,
        -100,
      ),
      node(
        'small',
        'respond',
        { status: 200, bodyType: 'text', body: 'small order {{ trigger.body.id }}' },
        600,
        100,
      ),
    ],
    edges: [
      { id: 'e1', source: 'trigger', target: 'paid' },
      { id: 'e2', source: 'paid', target: 'size' },
      { id: 'e3', source: 'size', sourceHandle: 'big', target: 'shape' },
      { id: 'e4', source: 'shape', target: 'crm' },
      { id: 'e5', source: 'crm', target: 'accepted' },
      { id: 'e6', source: 'size', sourceHandle: 'else', target: 'small' },
    ],
    settings: {},
  };
}

describe('a workflow that uses every kind of node', () => {
  it('filters, routes, transforms, forwards and answers the sender', async () => {
    const imported = await hookflow.api.workflows.import.mutate({
      document: orderWorkflow(sink.url),
      publish: true,
    });
    const url = hookflow.localUrl(imported.triggerUrl);
    const send = (body: unknown) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    const big = await send({
      id: 'A-1',
      status: 'paid',
      total: 250,
      customer: 'ada',
      items: [{ sku: 'BOOK' }, { sku: 'PEN' }],
    });
    expect(big.status).toBe(201);
    expect(big.headers.get('x-order')).toBe('A-1');
    expect(await big.json()).toEqual({ forwarded: true, crmStatus: 200, order: 'A-1' });
    expect(sink.received).toHaveLength(1);
    expect(sink.received[0]?.url).toBe('/crm/orders');
    expect(JSON.parse(sink.received[0]!.body)).toEqual({
      order: { id: 'A-1', total: 250, skus: ['BOOK', 'PEN'] },
      customer: 'ADA',
    });

    const small = await send({ id: 'B-2', status: 'PAID', total: '42', items: [] });
    expect(small.status).toBe(200);
    expect(await small.text()).toBe('small order B-2');

    const unpaid = await send({ id: 'C-3', status: 'pending', total: 500 });
    expect(unpaid.status).toBe(200);
    const filtered = (await unpaid.json()) as { runId: string; status: string };
    expect(filtered.status).toBe('filtered');
    expect(sink.received).toHaveLength(1);

    const run = await eventually(async () => {
      const detail = await hookflow.api.runs.get.query({ id: filtered.runId });
      return detail.finishedAt ? detail : undefined;
    });
    expect(run.status).toBe('filtered');
    expect(run.steps.map((s) => [s.nodeKey, s.status])).toEqual([
      ['trigger', 'succeeded'],
      ['paid', 'filtered'],
    ]);
  });
});
