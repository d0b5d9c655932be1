import { defineNode, emit, MAIN_HANDLE } from '@hookflow/engine';
import { z } from 'zod';
import { describeRuleGroup, evaluateRuleGroup, ruleGroupSchema } from '../rules/rules.ts';

const configSchema = z.object({ conditions: ruleGroupSchema });

export type FilterConfig = z.output<typeof configSchema>;

/**
 * Continues with its input unchanged when the conditions hold; otherwise stops this path and
 * records the step `filtered`, which is not an error.
 */
export const filter = defineNode({
  type: 'filter',
  label: 'Filter',
  description: 'Only continues when its conditions hold; otherwise this path stops quietly.',
  group: 'flow',
  icon: '▽',
  config: configSchema,
  defaults: {
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
  form: [
    {
      // A rule-group widget belongs here (`kind: 'rules'`); until the editor has one, JSON.
      kind: 'json',
      field: 'conditions',
      label: 'Only continue if',
      expression: true,
      help: '{ "combinator": "all" | "any", "items": [rules and sub-groups] }; a rule is { "type", "value", "operator", "operand" }',
    },
  ],
  summary: (config) => {
    const described = describeRuleGroup(config.conditions);
    if (described !== null) return `Continues if ${described}`;
    return config.conditions.combinator === 'all' ? 'Always continues' : 'Never continues';
  },
  run: ({ config, input, services }) =>
    evaluateRuleGroup(config.conditions, { now: services.now(), field: 'conditions' })
      ? emit(input, [MAIN_HANDLE])
      : emit(input, [], { filtered: true }),
});
