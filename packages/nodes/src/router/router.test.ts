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
import { router } from './router.ts';

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

type ConfigInput = z.input<typeof router.config>;

/** Routes an order by its total: big (over 1000), medium (over 100), and marked (`vip`). */
const byTotal = (mode: 'first' | 'every'): ConfigInput => ({
  mode,
  routes: [
    {
      id: 'big',
      name: 'Big orders',
      conditions: {
        items: [{ type: 'number', value: '{{ input.total }}', operator: 'gt', operand: 1000 }],
      },
    },
    {
      id: 'medium',
      name: 'Medium orders',
      conditions: {
        items: [{ type: 'number', value: '{{ input.total }}', operator: 'gt', operand: 100 }],
      },
    },
    {
      id: 'vip',
      name: 'VIP',
      conditions: {
        items: [
          {
            type: 'array',
            value: '{{ input.tags }}',
            operator: 'contains',
            operand: 'VIP',
            ignoreCase: true,
          },
        ],
      },
    },
  ],
});

/** Runs the node directly, with `value`s resolved the way the engine would for `input`. */
const runRouter = (config: ConfigInput, input: { total?: unknown; tags?: unknown }) => {
  const resolved = JSON.parse(
    JSON.stringify(config)
      .replaceAll('"{{ input.total }}"', JSON.stringify(input.total ?? null))
      .replaceAll('"{{ input.tags }}"', JSON.stringify(input.tags ?? null)),
  );
  const result = router.run({
    config: router.config.parse(resolved),
    input,
    trigger: event(input),
    steps: {},
    node: { id: 'r', key: 'route_order', name: 'Route order', type: 'router' },
    run: { id: 'run_1' },
    signal: new AbortController().signal,
    services,
  });
  if (!isEmission(result)) throw new Error('the router did not emit');
  return result;
};

describe('router', () => {
  it('first: the first matching route wins', () => {
    expect(runRouter(byTotal('first'), { total: 5000, tags: ['vip'] }).handles).toEqual(['big']);
    expect(runRouter(byTotal('first'), { total: '500', tags: ['vip'] }).handles).toEqual([
      'medium',
    ]);
    expect(runRouter(byTotal('first'), { total: 5, tags: ['vip'] }).handles).toEqual(['vip']);
  });

  it('every: all matching routes continue, in route order', () => {
    expect(runRouter(byTotal('every'), { total: 5000, tags: ['vip'] }).handles).toEqual([
      'big',
      'medium',
      'vip',
    ]);
    expect(runRouter(byTotal('every'), { total: 500 }).handles).toEqual(['medium']);
  });

  it('else: when nothing matches, in either mode', () => {
    for (const mode of ['first', 'every'] as const) {
      const result = runRouter(byTotal(mode), { total: 'n/a', tags: [] });
      expect(result).toMatchObject({ handles: ['else'], filtered: false });
    }
  });

  it('outputs its input unchanged', () => {
    const input = { total: 5000, tags: ['x'] };
    expect(runRouter(byTotal('first'), input).output).toBe(input);
  });

  it('has one output per route, labelled by its name, plus else', () => {
    expect(router.outputs?.(router.config.parse(byTotal('first')))).toEqual([
      { id: 'big', label: 'Big orders' },
      { id: 'medium', label: 'Medium orders' },
      { id: 'vip', label: 'VIP' },
      { id: 'else', label: 'Else' },
    ]);
  });

  it('has defaults that fit its schema, a form over real fields, and a summary', () => {
    expect(router.config.safeParse(router.defaults).success).toBe(true);
    for (const field of router.form)
      expect(Object.keys(router.config.shape)).toContain(field.field);
    expect(router.type).toMatch(/^[a-z]+(-[a-z]+)*$/);
    expect(router.summary?.(router.config.parse(router.defaults))).toBe(
      'First match of Paid, Refunded; else',
    );
    expect(router.summary?.(router.config.parse(byTotal('every')))).toBe(
      'Every match of Big orders, Medium orders, VIP; else',
    );
  });

  it('refuses duplicate, reserved and non-slug route ids, and an empty router', () => {
    const issues = (routes: unknown) => {
      const result = router.config.safeParse({ routes });
      return result.success
        ? []
        : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    };
    const route = (id: string) => ({ id, name: 'Route', conditions: {} });
    expect(issues([route('paid'), route('paid')])).toEqual([
      'routes.1.id: route id "paid" is used twice',
    ]);
    expect(issues([route('else')])).toEqual(['routes.0.id: else, main and error are reserved ids']);
    expect(issues([route('error')])).toHaveLength(1);
    for (const id of ['Paid', 'paid orders', 'paid--x', '-paid', '', 'a'.repeat(51)]) {
      expect(issues([route(id)]), id).toHaveLength(1);
    }
    expect(issues([])).toEqual(['routes: a router needs at least one route']);
    expect(issues([{ id: 'paid', name: ' ', conditions: {} }])).toEqual([
      'routes.0.name: a route needs a name',
    ]);
    expect(router.config.safeParse({ mode: 'all', routes: [route('a')] }).success).toBe(false);
  });
});

describe('router in a workflow', () => {
  const record = defineNode({
    type: 'record',
    label: 'Record',
    description: 'Outputs its input',
    group: 'action',
    icon: 'R',
    config: z.object({}),
    defaults: {},
    form: [],
    run: ({ input }) => input,
  });
  const registry = createNodeRegistry([webhookTrigger, router, record]);

  const workflow = (config: unknown, handles = ['paid', 'refunded', 'else']) => {
    const parsed = parseWorkflowDocument({
      format: WORKFLOW_FORMAT,
      name: 'orders',
      nodes: [
        { id: 't', key: 'trigger', type: 'webhook-trigger', name: 'Webhook', config: {} },
        { id: 'r', key: 'by_status', type: 'router', name: 'By status', config },
        ...handles.map((handle) => ({
          id: handle,
          key: `on_${handle}`,
          type: 'record',
          name: handle,
          config: {},
        })),
      ],
      edges: [
        { id: 'e0', source: 't', target: 'r' },
        ...handles.map((handle) => ({
          id: `e-${handle}`,
          source: 'r',
          sourceHandle: handle,
          target: handle,
        })),
      ],
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    return parsed.document;
  };
  const ran = async (config: unknown, body: unknown) => {
    const result = await executeWorkflow(compileWorkflow(workflow(config), registry), {
      event: event(body),
      run: { id: 'run_1' },
      workflow: { id: 'w', name: 'orders', versionId: 'v1' },
      services,
    });
    expect(result.status).toBe('succeeded');
    return result.steps.map((step) => step.nodeKey);
  };

  it('runs only the nodes on the routes taken', async () => {
    expect(await ran(router.defaults, { status: 'paid' })).toEqual([
      'trigger',
      'by_status',
      'on_paid',
    ]);
    expect(await ran(router.defaults, { status: 'refunded' })).toEqual([
      'trigger',
      'by_status',
      'on_refunded',
    ]);
    expect(await ran(router.defaults, { status: 'pending' })).toEqual([
      'trigger',
      'by_status',
      'on_else',
    ]);
    expect(await ran(router.defaults, {})).toEqual(['trigger', 'by_status', 'on_else']);
  });

  it('every: several routes continue', async () => {
    const config = {
      mode: 'every',
      routes: [
        {
          id: 'paid',
          name: 'Paid',
          conditions: {
            items: [{ type: 'boolean', value: '{{ trigger.body.paid }}', operator: 'is-true' }],
          },
        },
        {
          id: 'refunded',
          name: 'Has refunds',
          conditions: {
            items: [
              { type: 'array', value: '{{ trigger.body.refunds }}', operator: 'is-not-empty' },
            ],
          },
        },
      ],
    };
    expect(await ran(config, { paid: 'true', refunds: [{ id: 1 }] })).toEqual([
      'trigger',
      'by_status',
      'on_paid',
      'on_refunded',
    ]);
  });

  it('refuses an edge from a route that does not exist', () => {
    const issues = validateWorkflow(workflow(router.defaults, ['paid', 'shipped']), registry);
    expect(issues).toEqual([
      expect.objectContaining({
        nodeId: 'r',
        message: 'edge "e-shipped" leaves output "shipped", which this node does not have',
      }),
    ]);
  });

  it('fails the step, naming the route and rule, when a resolved pattern is invalid', async () => {
    const config = {
      routes: [
        { id: 'any', name: 'Anything', conditions: { combinator: 'any', items: [] } },
        {
          id: 'paid',
          name: 'Paid',
          conditions: {
            items: [
              {
                type: 'text',
                value: '{{ trigger.body.status }}',
                operator: 'matches-regex',
                operand: '{{ trigger.body.pattern }}',
              },
            ],
          },
        },
      ],
    };
    const document = workflow(config, ['any', 'paid', 'else']);
    expect(validateWorkflow(document, registry)).toEqual([]);
    const result = await executeWorkflow(compileWorkflow(document, registry), {
      event: event({ status: 'paid', pattern: '(?<!x)paid' }),
      run: { id: 'run_1' },
      workflow: { id: 'w', name: 'orders', versionId: 'v1' },
      services,
    });
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({
      nodeId: 'r',
      code: 'CONFIG',
      field: 'routes[1].conditions.items[0].operand',
    });
  });
});
