import {
  compileWorkflow,
  createNodeRegistry,
  defineNode,
  executeWorkflow,
  isEmission,
  parseWorkflowDocument,
  type TriggerEvent,
  validateWorkflow,
  WORKFLOW_FORMAT,
} from '@hookflow/engine';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { webhookTrigger } from '../webhook-trigger/webhook-trigger.ts';
import { filter } from './filter.ts';

const now = new Date('2026-03-01T12:00:00.000Z');
const services = {
  http: async () => {
    throw new Error('no network in this test');
  },
  now: () => now,
};
const event = (body: unknown): TriggerEvent => ({
  method: 'POST',
  path: '/hooks/t',
  headers: {},
  query: {},
  body,
  receivedAt: now.toISOString(),
});

type ConfigInput = z.input<typeof filter.config>;

/** Runs the node directly; a filter always answers with an emission. */
const runFilter = (config: ConfigInput, input: unknown) => {
  const result = filter.run({
    config: filter.config.parse(config),
    input,
    trigger: event(input),
    steps: {},
    node: { id: 'f', key: 'only_paid', name: 'Only paid', type: 'filter' },
    run: { id: 'run_1' },
    signal: new AbortController().signal,
    services,
  });
  if (!isEmission(result)) throw new Error('the filter did not emit');
  return result;
};

const amountOver = (operand: unknown): ConfigInput => ({
  conditions: {
    combinator: 'all',
    items: [{ type: 'number', value: 150, operator: 'gt', operand }],
  },
});

describe('filter', () => {
  it('passes its input through unchanged on main when the conditions hold', () => {
    const input = { order: { id: 7 } };
    const result = runFilter(amountOver(100), input);
    expect(result).toMatchObject({ handles: ['main'], filtered: false });
    expect(result.output).toBe(input);
  });

  it('stops the path, marked filtered, when they do not', () => {
    const input = { order: { id: 7 } };
    const result = runFilter(amountOver('200'), input);
    expect(result).toMatchObject({ handles: [], filtered: true });
    expect(result.output).toBe(input);
  });

  it('reads the clock from services.now()', () => {
    const within = (minutes: number): ConfigInput => ({
      conditions: {
        items: [
          {
            type: 'date',
            value: new Date(now.getTime() - minutes * 60_000).toISOString(),
            operator: 'within-last',
            operand: 15,
            unit: 'minutes',
          },
        ],
      },
    });
    expect(runFilter(within(5), null).handles).toEqual(['main']);
    expect(runFilter(within(20), null).filtered).toBe(true);
  });

  it('has defaults that fit its schema, a form over real fields, and a summary', () => {
    expect(filter.config.safeParse(filter.defaults).success).toBe(true);
    for (const field of filter.form)
      expect(Object.keys(filter.config.shape)).toContain(field.field);
    expect(filter.type).toMatch(/^[a-z]+(-[a-z]+)*$/);
    const summary = (config: ConfigInput) => filter.summary?.(filter.config.parse(config));
    expect(summary(filter.defaults)).toBe('Continues if trigger.body.status equals "paid"');
    expect(summary({ conditions: {} })).toBe('Always continues');
    expect(summary({ conditions: { combinator: 'any' } })).toBe('Never continues');
  });

  it('refuses a config without conditions or with a bad rule', () => {
    const missing = filter.config.safeParse({});
    // Said as a person filling in the form needs it, not as zod's "expected object".
    expect(missing.error?.issues.map((issue) => [issue.path, issue.message])).toEqual([
      [['conditions'], 'a value is required'],
    ]);
    const bad = filter.config.safeParse({
      conditions: { items: [{ type: 'text', value: 'x', operator: 'gt', operand: 1 }] },
    });
    expect(bad.success || bad.error.issues[0]?.path).toEqual([
      'conditions',
      'items',
      0,
      'operator',
    ]);
  });
});

describe('filter in a workflow', () => {
  const record = defineNode({
    type: 'record',
    label: 'Record',
    description: 'Outputs its input',
    group: 'action',
    icon: 'R',
    config: z.object({}),
    defaults: {},
    form: [],
    run: ({ input }) => ({ recorded: input }),
  });
  const registry = createNodeRegistry([webhookTrigger, filter, record]);

  const workflow = (conditions: unknown) => {
    const parsed = parseWorkflowDocument({
      format: WORKFLOW_FORMAT,
      name: 'paid orders',
      nodes: [
        { id: 't', key: 'trigger', type: 'webhook-trigger', name: 'Webhook', config: {} },
        { id: 'f', key: 'only_big', type: 'filter', name: 'Only big', config: { conditions } },
        { id: 'r', key: 'record', type: 'record', name: 'Record', config: {} },
      ],
      edges: [
        { id: 'e1', source: 't', target: 'f' },
        { id: 'e2', source: 'f', target: 'r' },
      ],
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    return parsed.document;
  };
  const execute = (conditions: unknown, body: unknown) =>
    executeWorkflow(compileWorkflow(workflow(conditions), registry), {
      event: event(body),
      run: { id: 'run_1' },
      workflow: { id: 'w', name: 'paid orders', versionId: 'v1' },
      services,
    });

  const bigOrders = {
    combinator: 'all',
    items: [
      { type: 'number', value: '{{ trigger.body.amount }}', operator: 'gte', operand: '100' },
      {
        type: 'group',
        combinator: 'any',
        items: [
          { type: 'text', value: '{{ trigger.body.country }}', operator: 'equals', operand: 'DE' },
          { type: 'array', value: '{{ trigger.body.tags }}', operator: 'contains', operand: 'vip' },
        ],
      },
    ],
  };

  it('continues with the event when the resolved conditions hold', async () => {
    const result = await execute(bigOrders, { amount: '250', country: 'FR', tags: ['vip'] });
    expect(result.status).toBe('succeeded');
    expect(result.steps.map((s) => [s.nodeKey, s.status])).toEqual([
      ['trigger', 'succeeded'],
      ['only_big', 'succeeded'],
      ['record', 'succeeded'],
    ]);
    expect(result.steps[1]?.output).toEqual(result.steps[0]?.output);
    expect(result.steps[1]?.config).toMatchObject({
      conditions: { items: [{ value: '250' }, { items: [{ value: 'FR' }, { value: ['vip'] }] }] },
    });
  });

  it('records a filtered run, not a failure, when they do not', async () => {
    for (const body of [{ amount: 50, country: 'DE' }, { amount: 500, country: 'FR' }, {}]) {
      const result = await execute(bigOrders, body);
      expect(result.status).toBe('filtered');
      expect(result.error).toBeNull();
      expect(result.steps.map((s) => [s.nodeKey, s.status])).toEqual([
        ['trigger', 'succeeded'],
        ['only_big', 'filtered'],
      ]);
    }
  });

  it('refuses an invalid pattern on save, naming the rule', () => {
    const issues = validateWorkflow(
      workflow({
        items: [{ type: 'text', value: 'x', operator: 'matches-regex', operand: '(?=a)' }],
      }),
      registry,
    );
    expect(issues).toEqual([
      expect.objectContaining({
        nodeId: 'f',
        field: 'conditions.items[0].operand',
        message: expect.stringMatching(/not a regular expression RE2 accepts/),
      }),
    ]);
  });

  it('fails the step, naming the rule, when a pattern from an expression is invalid', async () => {
    const conditions = {
      items: [
        {
          type: 'text',
          value: '{{ trigger.body.id }}',
          operator: 'matches-regex',
          operand: '{{ trigger.body.pattern }}',
        },
      ],
    };
    expect(validateWorkflow(workflow(conditions), registry)).toEqual([]);
    const ok = await execute(conditions, { id: 'ord_1', pattern: '^ord_\\d+$' });
    expect(ok.status).toBe('succeeded');
    const bad = await execute(conditions, { id: 'ord_1', pattern: '(\\w)\\1' });
    expect(bad.status).toBe('failed');
    expect(bad.error).toMatchObject({
      nodeId: 'f',
      code: 'CONFIG',
      field: 'conditions.items[0].operand',
      message: expect.stringMatching(/^conditions\.items\[0\]\.operand: .*backreferences/),
    });
  });
});
