import {
  compileWorkflow,
  createNodeRegistry,
  executeWorkflow,
  isSuspension,
  type NodeRunContext,
  parseWorkflowDocument,
  type StepResult,
  type TriggerEvent,
  validateWorkflow,
  WORKFLOW_FORMAT,
} from '@hookflow/engine';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { transform } from '../transform/transform.ts';
import { webhookTrigger } from '../webhook-trigger/webhook-trigger.ts';
import { type DelayConfig, delay, parseTime } from './delay.ts';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const event: TriggerEvent = {
  method: 'POST',
  path: '/hooks/t',
  headers: {},
  query: {},
  body: { sendAt: '2026-03-01T15:30:00+01:00', order: 'ord_1' },
  receivedAt: NOW.toISOString(),
};
const services = {
  http: async () => {
    throw new Error('no network in this test');
  },
  now: () => NOW,
};

function runWith(config: z.input<typeof delay.config>) {
  return delay.run({
    config: delay.config.parse(config),
    input: { order: 'ord_1' },
    trigger: event,
    steps: {},
    node: { id: 'n', key: 'delay_1', name: 'Delay', type: 'delay' },
    run: { id: 'run_1' },
    signal: new AbortController().signal,
    services,
  } satisfies NodeRunContext<DelayConfig>);
}

function suspendedUntil(config: z.input<typeof delay.config>): string {
  const returned = runWith(config);
  if (!isSuspension(returned)) throw new Error('the delay did not park the run');
  expect(returned.output).toEqual({ order: 'ord_1' });
  return returned.until.toISOString();
}

describe('delay', () => {
  it('waits an amount of time from when the step runs', () => {
    expect(suspendedUntil({ mode: 'after', amount: 90, unit: 'seconds' })).toBe(
      '2026-03-01T12:01:30.000Z',
    );
    expect(suspendedUntil({ mode: 'after', amount: 1.5, unit: 'hours' })).toBe(
      '2026-03-01T13:30:00.000Z',
    );
    expect(suspendedUntil({ mode: 'after', amount: '2', unit: 'days' })).toBe(
      '2026-03-03T12:00:00.000Z',
    );
  });

  it('waits until an ISO time (with its offset) or epoch milliseconds', () => {
    expect(suspendedUntil({ mode: 'until', until: '2026-03-01T15:30:00+01:00' })).toBe(
      '2026-03-01T14:30:00.000Z',
    );
    const ms = Date.parse('2026-03-02T00:00:00Z');
    expect(suspendedUntil({ mode: 'until', until: ms })).toBe('2026-03-02T00:00:00.000Z');
    expect(suspendedUntil({ mode: 'until', until: String(ms) })).toBe('2026-03-02T00:00:00.000Z');
  });

  it('refuses a value that is not a time, saying what it expects', () => {
    for (const bad of ['tomorrow', '', 'not 2026', '2026-13-45T99:00:00Z']) {
      expect(() => runWith({ mode: 'until', until: bad })).toThrow(
        /must be an ISO 8601 time .* or milliseconds since the epoch; got/,
      );
    }
  });

  it('caps a delay at 30 days, on save and when a computed time is further', () => {
    const tooLong = delay.config.safeParse({ mode: 'after', amount: 31, unit: 'days' });
    expect(tooLong.success).toBe(false);
    expect(tooLong.error?.issues[0]).toMatchObject({
      path: ['amount'],
      message: 'a delay can be at most 30 days',
    });
    expect(delay.config.safeParse({ mode: 'after', amount: 30, unit: 'days' }).success).toBe(true);
    expect(() => runWith({ mode: 'until', until: '2026-05-01T00:00:00Z' })).toThrow(
      /more than 30 days ahead/,
    );
    expect(delay.config.safeParse({ mode: 'after', amount: -1, unit: 'days' }).success).toBe(false);
  });

  it('parses times strictly', () => {
    expect(parseTime(' 2026-01-01T00:00:00Z ').toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(() => parseTime(Number.NaN)).toThrow(/ISO 8601/);
  });
});

describe('delay in a workflow', () => {
  const registry = createNodeRegistry([webhookTrigger, delay, transform]);
  const parsed = parseWorkflowDocument({
    format: WORKFLOW_FORMAT,
    name: 'delayed',
    nodes: [
      { id: 't', key: 'trigger', type: 'webhook-trigger', name: 'Webhook', config: {} },
      {
        id: 'd',
        key: 'delay_1',
        type: 'delay',
        name: 'Delay',
        config: { mode: 'until', until: '{{ trigger.body.sendAt }}' },
      },
      {
        id: 'x',
        key: 'transform_1',
        type: 'transform',
        name: 'Transform',
        config: {
          operations: [{ op: 'set', path: 'order', value: '{{ trigger.body.order }}' }],
          start: 'empty',
        },
      },
    ],
    edges: [
      { id: 'e1', source: 't', target: 'd' },
      { id: 'e2', source: 'd', target: 'x' },
    ],
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const document = parsed.document;
  const execute = (at: Date, body: unknown, completed?: Map<string, StepResult>) =>
    executeWorkflow(compileWorkflow(document, registry), {
      event: { ...event, body },
      run: { id: 'run_1' },
      workflow: { id: 'wf', name: 'delayed', versionId: 'v1' },
      services: { ...services, now: () => at },
      ...(completed ? { completed, attempt: 2 } : {}),
    });

  it('validates, parks the run until the computed time, then continues', async () => {
    expect(validateWorkflow(document, registry)).toEqual([]);
    const first = await execute(NOW, event.body);
    expect(first.status).toBe('waiting');
    expect(first.resumeAt).toBe('2026-03-01T14:30:00.000Z');
    const completed = new Map(first.steps.map((step) => [step.nodeId, step]));
    const second = await execute(new Date('2026-03-01T14:30:00.000Z'), event.body, completed);
    expect(second.status).toBe('succeeded');
    expect(second.output).toEqual({ order: 'ord_1' });
  });

  it('continues at once when the time is already past', async () => {
    const result = await execute(NOW, { sendAt: '2020-01-01T00:00:00Z', order: 'ord_2' });
    expect(result.status).toBe('succeeded');
    expect(result.output).toEqual({ order: 'ord_2' });
  });

  it('fails the step with a clear message when the expression gives no time', async () => {
    const result = await execute(NOW, { sendAt: 'soon', order: 'ord_3' });
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({
      nodeId: 'd',
      code: 'INVALID_TIME',
      message: expect.stringContaining('got "soon"'),
    });
  });
});
