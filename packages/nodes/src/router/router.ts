import { defineNode, emit } from '@hookflow/engine';
import { z } from 'zod';
import { evaluateRuleGroup, ruleGroupSchema } from '../rules/rules.ts';

/** The output taken when no route matches. */
export const ELSE_HANDLE = 'else';
/** Handle ids a route cannot take: the engine's own outputs and the else route. */
const reservedIds = new Set([ELSE_HANDLE, 'main', 'error']);

const routeSchema = z.object({
  /** The output handle's id: edges point at it, so it stays when the route is renamed. */
  id: z
    .string()
    .max(50, 'a route id has at most 50 characters')
    .regex(
      /^[a-z0-9]+(-[a-z0-9]+)*$/,
      'a route id is a slug: lower-case letters, digits and single dashes, such as "paid-orders"',
    )
    .refine((id) => !reservedIds.has(id), { error: 'else, main and error are reserved ids' }),
  name: z.string().trim().min(1, 'a route needs a name').max(100),
  conditions: ruleGroupSchema,
});

const configSchema = z.object({
  /** `first`: the first matching route continues; `every`: every matching route does. */
  mode: z.enum(['first', 'every'], { error: 'mode must be "first" or "every"' }).default('first'),
  routes: z
    .array(routeSchema)
    .min(1, 'a router needs at least one route')
    .superRefine((routes, context) => {
      const seen = new Set<string>();
      routes.forEach((route, index) => {
        if (seen.has(route.id)) {
          context.addIssue({
            code: 'custom',
            path: [index, 'id'],
            message: `route id "${route.id}" is used twice`,
          });
        }
        seen.add(route.id);
      });
    }),
});

export type RouterConfig = z.output<typeof configSchema>;

/** Sends its input, unchanged, down the routes whose conditions hold, or down `else`. */
export const router = defineNode({
  type: 'router',
  label: 'Router',
  description: 'Sends its input down the routes whose conditions hold, or down "else".',
  group: 'flow',
  icon: '⇉',
  config: configSchema,
  defaults: {
    mode: 'first',
    routes: [
      {
        id: 'paid',
        name: 'Paid',
        conditions: {
          combinator: 'all',
          items: [
            {
              type: 'text',
              value: '{{ trigger.body.status }}',
              operator: 'equals',
              operand: 'paid',
            },
          ],
        },
      },
      {
        id: 'refunded',
        name: 'Refunded',
        conditions: {
          combinator: 'all',
          items: [
            {
              type: 'text',
              value: '{{ trigger.body.status }}',
              operator: 'equals',
              operand: 'refunded',
            },
          ],
        },
      },
    ],
  },
  form: [
    {
      kind: 'select',
      field: 'mode',
      label: 'Continue on',
      options: [
        { value: 'first', label: 'The first matching route' },
        { value: 'every', label: 'Every matching route' },
      ],
    },
    {
      // A route-list widget belongs here (a list of { id, name, rules }); until then, JSON.
      kind: 'json',
      field: 'routes',
      label: 'Routes',
      expression: true,
      help: '[{ "id": "paid", "name": "Paid", "conditions": { "combinator": "all", "items": [rules] } }]; "else" continues when none matches',
    },
  ],
  outputs: (config) => [
    ...config.routes.map((route) => ({ id: route.id, label: route.name })),
    { id: ELSE_HANDLE, label: 'Else' },
  ],
  summary: (config) =>
    `${config.mode === 'first' ? 'First match of' : 'Every match of'} ${config.routes
      .map((route) => route.name)
      .join(', ')}; else`,
  run: ({ config, input, services }) => {
    const now = services.now();
    const matched: string[] = [];
    for (const [index, route] of config.routes.entries()) {
      if (evaluateRuleGroup(route.conditions, { now, field: `routes[${index}].conditions` })) {
        matched.push(route.id);
        if (config.mode === 'first') break;
      }
    }
    return emit(input, matched.length > 0 ? matched : [ELSE_HANDLE]);
  },
});
