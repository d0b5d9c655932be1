import {
  compileWorkflow,
  executeWorkflow,
  type HttpClient,
  parseWorkflowDocument,
  type TriggerEvent,
} from '@hookflow/engine';
import { nodeRegistry } from '@hookflow/nodes';
import { sampleBody } from './load.ts';
import type { Row } from './report.ts';

/** trigger -> filter -> transform (5 fields) -> HTTP request, the benchmark workflow. */
export function benchmarkWorkflow(sinkUrl: string) {
  return {
    format: 'hookflow/workflow@1',
    name: 'Benchmark: filter, transform, forward',
    nodes: [
      {
        id: 'trigger',
        key: 'trigger',
        type: 'webhook-trigger',
        name: 'Webhook',
        config: {},
        position: { x: 0, y: 0 },
      },
      {
        id: 'filter',
        key: 'paid_orders',
        type: 'filter',
        name: 'Paid orders',
        config: {
          conditions: {
            combinator: 'all',
            items: [
              {
                value: '{{ trigger.body.order.status }}',
                type: 'text',
                operator: 'equals',
                operand: 'paid',
              },
            ],
          },
        },
        position: { x: 250, y: 0 },
      },
      {
        id: 'transform',
        key: 'order',
        type: 'transform',
        name: 'Shape the order',
        config: {
          mode: 'mapping',
          start: 'empty',
          operations: [
            { op: 'set', path: 'orderId', value: '{{ trigger.body.order.id }}', type: 'number' },
            {
              op: 'set',
              path: 'customer.name',
              value: '{{ trigger.body.order.customer.name }}',
              type: 'string',
            },
            {
              op: 'set',
              path: 'customer.email',
              value: '{{ trigger.body.order.customer.email }}',
              type: 'string',
            },
            { op: 'set', path: 'total', value: '{{ trigger.body.order.total }}', type: 'number' },
            { op: 'set', path: 'skus', value: '{{ trigger.body.items.sku }}', type: 'auto' },
          ],
        },
        position: { x: 500, y: 0 },
      },
      {
        id: 'forward',
        key: 'crm',
        type: 'http-request',
        name: 'Send to CRM',
        config: {
          method: 'POST',
          url: `${sinkUrl}/orders`,
          bodyType: 'json',
          body: '{{ steps.order }}',
        },
        position: { x: 750, y: 0 },
      },
    ],
    edges: [
      { id: 'e1', source: 'trigger', target: 'filter' },
      { id: 'e2', source: 'filter', target: 'transform' },
      { id: 'e3', source: 'transform', target: 'forward' },
    ],
    settings: {},
  };
}

/** Runs the benchmark workflow in-process against an HTTP client that answers at once. */
export async function executorBenchmark(seconds: number): Promise<Row> {
  const parsed = parseWorkflowDocument(benchmarkWorkflow('http://sink.invalid'));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const plan = compileWorkflow(parsed.document, nodeRegistry);
  const answer = new TextEncoder().encode('{"ok":true}');
  const http: HttpClient = async (req) => ({
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: answer,
    url: req.url,
  });
  const services = { http, now: () => new Date() };
  const event: TriggerEvent = {
    method: 'POST',
    path: '/hooks/bench',
    headers: { 'content-type': 'application/json' },
    query: {},
    body: JSON.parse(sampleBody()),
    receivedAt: new Date().toISOString(),
  };
  const run = async (i: number) => {
    const result = await executeWorkflow(plan, {
      event,
      run: { id: `run_${i}` },
      workflow: { id: 'wf', name: 'bench', versionId: 'v' },
      services,
    });
    if (result.status !== 'succeeded')
      throw new Error(`run ${i} ${result.status}: ${JSON.stringify(result.error)}`);
  };
  for (let i = 0; i < 2000; i++) await run(i); // warm up
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let runs = 0;
  while (performance.now() < deadline) {
    for (let i = 0; i < 500; i++) await run(runs++);
  }
  const elapsed = performance.now() - started;
  return {
    benchmark: 'executor in-process (filter, transform 5 fields, HTTP)',
    'runs/s': Math.round((runs / elapsed) * 1000),
    'µs/run': Math.round((elapsed * 1000) / runs),
  };
}
