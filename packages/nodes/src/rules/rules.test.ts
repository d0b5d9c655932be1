import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  describeRule,
  describeRuleGroup,
  evaluateRule,
  evaluateRuleGroup,
  operatorInfo,
  operatorsByType,
  type Rule,
  RuleError,
  type RuleGroupInput,
  ruleGroupSchema,
  ruleSchema,
  toTime,
} from './rules.ts';

const now = new Date('2026-03-01T12:00:00.000Z');
const minutesAgo = (minutes: number) => new Date(now.getTime() - minutes * 60_000).toISOString();

/** Parses a rule like a stored document would be, then evaluates it. */
const holds = (rule: unknown) => evaluateRule(ruleSchema.parse(rule), { now });

const issuesOf = (group: RuleGroupInput | Record<string, unknown>) => {
  const result = ruleGroupSchema.safeParse(group);
  return result.success
    ? []
    : result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
};

type Case = [string, Record<string, unknown>, boolean];

const text = (value: unknown, operator: string, operand?: unknown, ignoreCase?: boolean) => ({
  type: 'text',
  value,
  operator,
  operand,
  ...(ignoreCase === undefined ? {} : { ignoreCase }),
});
const number = (value: unknown, operator: string, operand?: unknown, operandTo?: unknown) => ({
  type: 'number',
  value,
  operator,
  operand,
  operandTo,
});
const boolean = (value: unknown, operator: string) => ({ type: 'boolean', value, operator });
const date = (value: unknown, operator: string, operand?: unknown, unit?: string) => ({
  type: 'date',
  value,
  operator,
  operand,
  unit,
});
const array = (value: unknown, operator: string, operand?: unknown, ignoreCase?: boolean) => ({
  type: 'array',
  value,
  operator,
  operand,
  ignoreCase,
});

const cases: Case[] = [
  // text
  ['text equals: same text', text('paid', 'equals', 'paid'), true],
  ['text equals: case matters by default', text('Paid', 'equals', 'paid'), false],
  ['text equals: ignoreCase', text('PAID', 'equals', 'paid', true), true],
  ['text equals: a number compares its text form', text(10, 'equals', '10'), true],
  ['text equals: 1.0 is written "1"', text(1.0, 'equals', '1.0'), false],
  ['text equals: a boolean compares its text form', text(true, 'equals', 'true'), true],
  ['text equals: nothing is empty text', text(undefined, 'equals', ''), true],
  ['text equals: null is empty text', text(null, 'equals', ''), true],
  ['text equals: an object is its JSON', text({ a: 1 }, 'equals', '{"a":1}'), true],
  ['text equals: no trimming', text(' paid', 'equals', 'paid'), false],
  ['text not-equals: different', text('a', 'not-equals', 'b'), true],
  ['text not-equals: same', text('a', 'not-equals', 'a'), false],
  ['text contains', text('hello world', 'contains', 'lo w'), true],
  ['text contains: missing', text('hello', 'contains', 'x'), false],
  ['text contains: ignoreCase', text('HELLO', 'contains', 'ell', true), true],
  ['text contains: a list is its JSON', text(['vip', 'new'], 'contains', '"vip"'), true],
  ['text not-contains', text('hello', 'not-contains', 'x'), true],
  ['text not-contains: present', text('hello', 'not-contains', 'ell'), false],
  ['text starts-with', text('ord_123', 'starts-with', 'ord_'), true],
  ['text starts-with: no', text('ord_123', 'starts-with', '123'), false],
  ['text starts-with: ignoreCase', text('ORD_1', 'starts-with', 'ord', true), true],
  ['text ends-with', text('a@example.com', 'ends-with', '@example.com'), true],
  ['text ends-with: no', text('a@example.org', 'ends-with', '.com'), false],
  ['text matches-regex', text('ord_123', 'matches-regex', '^ord_\\d+$'), true],
  ['text matches-regex: no', text('ord_x', 'matches-regex', '^ord_\\d+$'), false],
  ['text matches-regex: searches anywhere', text('id: 42', 'matches-regex', '\\d+'), true],
  ['text matches-regex: ignoreCase', text('ABC', 'matches-regex', '^abc$', true), true],
  ['text matches-regex: case matters', text('ABC', 'matches-regex', '^abc$'), false],
  ['text matches-regex: on a number', text(12345, 'matches-regex', '^\\d{5}$'), true],
  ['text matches-regex: JS named groups', text('2026-01', 'matches-regex', '(?<y>\\d{4})-'), true],
  ['text is-empty: empty', text('', 'is-empty'), true],
  ['text is-empty: nothing', text(undefined, 'is-empty'), true],
  ['text is-empty: a space is not empty', text(' ', 'is-empty'), false],
  ['text is-empty: 0 is "0"', text(0, 'is-empty'), false],
  ['text is-not-empty', text('x', 'is-not-empty'), true],
  ['text is-not-empty: null', text(null, 'is-not-empty'), false],
  ['text exists: empty text exists', text('', 'exists'), true],
  ['text exists: nothing', text(undefined, 'exists'), false],
  ['text exists: null', text(null, 'exists'), false],
  ['text not-exists: nothing', text(undefined, 'not-exists'), true],
  ['text not-exists: 0', text(0, 'not-exists'), false],
  // number
  ['number equals: "10" is 10', number('10', 'equals', 10), true],
  ['number equals: trimmed', number(' 10 ', 'equals', '10'), true],
  ['number equals: exponent', number('1e3', 'equals', 1000), true],
  ['number equals: 1.50 is 1.5', number('1.50', 'equals', 1.5), true],
  ['number equals: different', number(10, 'equals', 11), false],
  ['number equals: empty text is not 0', number('', 'equals', 0), false],
  ['number equals: nothing is not 0', number(null, 'equals', 0), false],
  ['number equals: hex is not read', number('0x10', 'equals', 16), false],
  ['number equals: thousands separators are not read', number('1,000', 'equals', 1000), false],
  ['number equals: a boolean is not a number', number(true, 'equals', 1), false],
  ['number equals: non-numeric text', number('ten', 'equals', 10), false],
  ['number not-equals: different', number(1, 'not-equals', 2), true],
  ['number not-equals: same', number('2', 'not-equals', 2), false],
  ['number not-equals: non-numeric text', number('ten', 'not-equals', 10), true],
  ['number gt', number(150, 'gt', '100'), true],
  ['number gt: equal', number(100, 'gt', 100), false],
  ['number gt: non-numeric', number('abc', 'gt', 1), false],
  ['number gte: equal', number(100, 'gte', 100), true],
  ['number gte: less', number(99.5, 'gte', 100), false],
  ['number lt', number(-1, 'lt', 0), true],
  ['number lt: equal', number(0, 'lt', 0), false],
  ['number lte: equal', number('0', 'lte', 0), true],
  ['number lte: non-numeric', number('abc', 'lte', 1), false],
  ['number lte: more', number(2, 'lte', 1), false],
  ['number between: inside', number(5, 'between', 1, 10), true],
  ['number between: lower bound included', number(1, 'between', 1, 10), true],
  ['number between: upper bound included', number('10', 'between', '1', '10'), true],
  ['number between: outside', number(11, 'between', 1, 10), false],
  ['number between: bounds in either order', number(5, 'between', 10, 1), true],
  ['number between: missing bound', number(5, 'between', 1), false],
  ['number exists: 0', number(0, 'exists'), true],
  ['number exists: nothing', number(undefined, 'exists'), false],
  ['number not-exists', number(undefined, 'not-exists'), true],
  ['number not-exists: "abc" exists', number('abc', 'not-exists'), false],
  // boolean
  ['boolean is-true: true', boolean(true, 'is-true'), true],
  ['boolean is-true: "true"', boolean('true', 'is-true'), true],
  ['boolean is-true: " TRUE "', boolean(' TRUE ', 'is-true'), true],
  ['boolean is-true: false', boolean(false, 'is-true'), false],
  ['boolean is-true: 1 is not a boolean', boolean(1, 'is-true'), false],
  ['boolean is-true: "yes" is not a boolean', boolean('yes', 'is-true'), false],
  ['boolean is-false: false', boolean(false, 'is-false'), true],
  ['boolean is-false: "False"', boolean('False', 'is-false'), true],
  ['boolean is-false: true', boolean(true, 'is-false'), false],
  ['boolean is-false: nothing is neither', boolean(undefined, 'is-false'), false],
  ['boolean is-false: 0 is not a boolean', boolean(0, 'is-false'), false],
  ['boolean exists: false', boolean(false, 'exists'), true],
  ['boolean exists: null', boolean(null, 'exists'), false],
  ['boolean not-exists: null', boolean(null, 'not-exists'), true],
  ['boolean not-exists: false', boolean(false, 'not-exists'), false],
  // date
  ['date before: ISO dates', date('2026-01-01', 'before', '2026-02-01'), true],
  ['date before: later', date('2026-03-01', 'before', '2026-02-01'), false],
  ['date before: same instant', date(1_767_225_600_000, 'before', '2026-01-01T00:00:00Z'), false],
  ['date before: epoch ms against ISO', date(0, 'before', '1970-01-01T00:00:00.001Z'), true],
  ['date before: epoch ms as text', date('1000', 'before', 1001), true],
  [
    'date before: without a zone is UTC',
    date('2026-01-01T10:00:00', 'before', '2026-01-01T10:00:00.001Z'),
    true,
  ],
  [
    'date before: offsets count',
    date('2026-01-01T10:00:00+02:00', 'before', '2026-01-01T08:30:00Z'),
    true,
  ],
  ['date before: invalid day', date('2026-02-30', 'before', '2027-01-01'), false],
  ['date before: not a date', date('yesterday', 'before', '2027-01-01'), false],
  ['date before: leap day', date('2024-02-29T23:59:59.999Z', 'before', '2024-03-01'), true],
  ['date after', date('2026-02-01T00:00:00.001Z', 'after', '2026-02-01'), true],
  ['date after: earlier', date('2025-12-31', 'after', '2026-01-01'), false],
  [
    'date after: a space may separate date and time',
    date('2026-01-01 10:00:00', 'after', '2026-01-01'),
    true,
  ],
  ['date after: epoch seconds are read as ms', date(1_767_225_600, 'after', '2026-01-01'), false],
  [
    'date within-last: 10 minutes ago, last 30 minutes',
    date(minutesAgo(10), 'within-last', 30, 'minutes'),
    true,
  ],
  [
    'date within-last: 31 minutes ago, last 30 minutes',
    date(minutesAgo(31), 'within-last', 30, 'minutes'),
    false,
  ],
  ['date within-last: now is included', date(now.toISOString(), 'within-last', 1, 'minutes'), true],
  [
    'date within-last: the boundary is included',
    date(minutesAgo(60), 'within-last', 1, 'hours'),
    true,
  ],
  [
    'date within-last: the future is not the past',
    date(minutesAgo(-1), 'within-last', 1, 'days'),
    false,
  ],
  [
    'date within-last: days, operand as text',
    date(minutesAgo(60 * 47), 'within-last', '2', 'days'),
    true,
  ],
  ['date within-last: not a date', date('soon', 'within-last', 2, 'days'), false],
  ['date exists', date('2026-01-01', 'exists'), true],
  ['date exists: even when not a date', date('soon', 'exists'), true],
  ['date exists: nothing', date(undefined, 'exists'), false],
  ['date not-exists', date(undefined, 'not-exists'), true],
  ['date not-exists: a date', date(0, 'not-exists'), false],
  // array
  ['array contains: text item', array(['vip', 'new'], 'contains', 'vip'), true],
  ['array contains: missing item', array(['vip', 'new'], 'contains', 'old'), false],
  ['array contains: items compare by text form', array([1, 2], 'contains', '2'), true],
  ['array contains: case matters', array(['VIP'], 'contains', 'vip'), false],
  ['array contains: ignoreCase', array(['VIP'], 'contains', 'vip', true), true],
  [
    'array contains: objects by value, key order ignored',
    array([{ id: 1, n: 'a' }], 'contains', { n: 'a', id: 1 }),
    true,
  ],
  ['array contains: objects differ', array([{ id: 1 }], 'contains', { id: 2 }), false],
  ['array contains: nested lists', array([[1, 2]], 'contains', [1, 2]), true],
  ['array contains: a lone value is a list of one', array('vip', 'contains', 'vip'), true],
  ['array contains: nothing is an empty list', array(undefined, 'contains', 'vip'), false],
  ['array contains: null item', array([null], 'contains', null), true],
  ['array not-contains', array(['a'], 'not-contains', 'b'), true],
  ['array not-contains: present', array(['a'], 'not-contains', 'a'), false],
  ['array length-equals', array([1, 2], 'length-equals', 2), true],
  ['array length-equals: operand as text', array([1, 2], 'length-equals', '2'), true],
  ['array length-equals: different', array([1, 2], 'length-equals', 3), false],
  ['array length-equals: nothing has length 0', array(null, 'length-equals', 0), true],
  ['array length-equals: a lone value has length 1', array({ id: 1 }, 'length-equals', 1), true],
  ['array is-empty: []', array([], 'is-empty'), true],
  ['array is-empty: nothing', array(undefined, 'is-empty'), true],
  ['array is-empty: [0]', array([0], 'is-empty'), false],
  ['array is-empty: a lone value', array('', 'is-empty'), false],
  ['array is-not-empty', array([1], 'is-not-empty'), true],
  ['array is-not-empty: []', array([], 'is-not-empty'), false],
  ['array exists: []', array([], 'exists'), true],
  ['array exists: null', array(null, 'exists'), false],
  ['array not-exists: []', array([], 'not-exists'), false],
  ['array not-exists: nothing', array(undefined, 'not-exists'), true],
];

describe('rules: every operator', () => {
  it.each(cases)('%s', (_name, rule, expected) => {
    expect(holds(rule)).toBe(expected);
  });

  it('covers every operator of every type, both ways', () => {
    for (const [type, operators] of Object.entries(operatorsByType)) {
      for (const operator of operators) {
        const outcomes = cases
          .filter(([, rule]) => rule.type === type && rule.operator === operator)
          .map(([, , expected]) => expected);
        expect(outcomes, `${type} ${operator}`).toContain(true);
        expect(outcomes, `${type} ${operator}`).toContain(false);
      }
    }
  });
});

describe('rules: groups', () => {
  const yes = { type: 'boolean', value: true, operator: 'is-true' } as const;
  const no = { type: 'boolean', value: false, operator: 'is-true' } as const;
  const evaluate = (group: RuleGroupInput) =>
    evaluateRuleGroup(ruleGroupSchema.parse(group), { now });

  it('all needs every item; any needs one', () => {
    expect(evaluate({ combinator: 'all', items: [yes, yes] })).toBe(true);
    expect(evaluate({ combinator: 'all', items: [yes, no] })).toBe(false);
    expect(evaluate({ combinator: 'any', items: [no, yes] })).toBe(true);
    expect(evaluate({ combinator: 'any', items: [no, no] })).toBe(false);
  });

  it('an empty all holds and an empty any does not; all is the default', () => {
    expect(evaluate({ combinator: 'all', items: [] })).toBe(true);
    expect(evaluate({ combinator: 'any', items: [] })).toBe(false);
    expect(ruleGroupSchema.parse({})).toEqual({ combinator: 'all', items: [] });
  });

  it('nests one level: (a) and (b or c)', () => {
    const group = (b: typeof yes | typeof no, c: typeof yes | typeof no) => ({
      combinator: 'all' as const,
      items: [yes, { type: 'group' as const, combinator: 'any' as const, items: [b, c] }],
    });
    expect(evaluate(group(no, yes))).toBe(true);
    expect(evaluate(group(no, no))).toBe(false);
    expect(evaluate({ combinator: 'any', items: [{ type: 'group', items: [] }] })).toBe(true);
  });

  it('refuses a group inside a sub-group, with a clear message', () => {
    expect(
      issuesOf({
        items: [{ type: 'group', items: [{ type: 'group', combinator: 'any', items: [] }] }],
      }),
    ).toEqual([
      {
        path: 'items.0.items.0.type',
        message: 'groups nest one level: a sub-group holds rules only',
      },
    ]);
  });

  it('names the item, and the operators a type allows', () => {
    expect(
      issuesOf({ items: [{ type: 'number', value: 1, operator: 'contains', operand: 1 }] }),
    ).toEqual([
      {
        path: 'items.0.operator',
        message:
          '"contains" is not an operator for number; use one of equals, not-equals, gt, gte, lt, lte, between, exists, not-exists',
      },
    ]);
    expect(issuesOf({ items: [{ type: 'number', value: 1 }] })[0]?.message).toMatch(
      /^a number rule needs an operator/,
    );
    expect(issuesOf({ items: [{ value: 1, operator: 'equals' }] })[0]?.message).toMatch(
      /^an item needs a type: one of text, number, boolean, date, array for a rule, or group/,
    );
    expect(issuesOf({ combinator: 'and', items: [] })).toEqual([
      { path: 'combinator', message: 'combinator must be "all" or "any"' },
    ]);
  });

  it('refuses a field it does not know, naming it, rather than dropping it', () => {
    // `rules` for `items` would otherwise leave an empty group, which lets everything through.
    expect(issuesOf({ combinator: 'all', rules: [yes] })).toEqual([
      { path: '', message: 'a rule group has no field "rules"; its fields are combinator, items' },
    ]);
    expect(issuesOf({ items: [{ type: 'group', items: [yes], extra: 1 }] })).toEqual([
      {
        path: 'items.0',
        message: 'a sub-group has no field "extra"; its fields are type, combinator, items',
      },
    ]);
    expect(
      issuesOf({ items: [{ type: 'number', value: 1, operator: 'between', operand_to: 2 }] }),
    ).toEqual([
      {
        path: 'items.0',
        message:
          'a number rule has no field "operand_to"; its fields are type, value, operand, operator, operandTo',
      },
    ]);
  });

  it('needs a unit for within-last', () => {
    expect(
      issuesOf({
        items: [{ type: 'date', value: '2026-01-01', operator: 'within-last', operand: 2 }],
      }),
    ).toEqual([
      { path: 'items.0.unit', message: 'within-last needs a unit: minutes, hours or days' },
    ]);
  });

  it('keeps a value that resolved to nothing', () => {
    const group = ruleGroupSchema.parse({
      items: [{ type: 'text', value: undefined, operator: 'not-exists' }],
    });
    expect(evaluateRuleGroup(group, { now })).toBe(true);
  });
});

describe('rules: regular expressions', () => {
  it.each([
    ['(a)\\1', /backreferences/],
    ['(?=x)', /invalid or unsupported Perl syntax/],
    ['(?<=x)y', /not a regular expression RE2 accepts/],
    ['(', /missing closing \)/],
    ['a{2,1}', /invalid repeat count/],
    ['', /matches-regex needs a pattern/],
    ['a'.repeat(1001), /longer than 1000 characters/],
    [
      '[a-z]{1000}[a-z]{1000}[a-z]{1000}[a-z]{1000}[a-z]{1000}[a-z]{1000}[a-z]{1000}[a-z]{1000}[a-z]{1000}[a-z]{1000}',
      /too large/,
    ],
  ])('refuses /%s/ in the schema, at the operand', (pattern, message) => {
    const issues = issuesOf({
      items: [{ type: 'text', value: 'x', operator: 'matches-regex', operand: pattern }],
    });
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('items.0.operand');
    expect(issues[0]?.message).toMatch(message);
  });

  it('throws RuleError naming the operand when given an unchecked pattern', () => {
    const rule: Rule = { type: 'text', value: 'x', operator: 'matches-regex', operand: '(a)\\1' };
    const group = { combinator: 'all' as const, items: [rule] };
    let caught: unknown;
    try {
      evaluateRuleGroup(group, { now, field: 'conditions' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RuleError);
    expect(caught).toMatchObject({ field: 'conditions.items[0].operand', code: 'REGEX' });
    expect(String(caught)).toMatch(/conditions\.items\[0\]\.operand: \/\(a\)\\1\/ is not/);
  });

  it('matches a pathological pattern in linear time', () => {
    for (const length of [30, 100_000]) {
      expect(holds(text(`${'a'.repeat(length)}!`, 'matches-regex', '(a+)+$'))).toBe(false);
      expect(holds(text(`${'a'.repeat(length)}!`, 'matches-regex', '^(a|aa)+$'))).toBe(false);
      expect(holds(text('a'.repeat(length), 'matches-regex', '(a+)+$'))).toBe(true);
    }
  });
});

describe('rules: cards', () => {
  it('describes rules and groups in one line', () => {
    const group = ruleGroupSchema.parse({
      combinator: 'any',
      items: [
        { type: 'number', value: '{{ trigger.body.total }}', operator: 'gt', operand: 100 },
        { type: 'text', value: '{{ trigger.body.email }}', operator: 'exists' },
      ],
    });
    expect(describeRuleGroup(group)).toBe('trigger.body.total is greater than 100 or 1 more');
    expect(describeRule(ruleSchema.parse(number('{{ x }}', 'between', 1, '10')))).toBe(
      'x is between 1 and "10"',
    );
    expect(describeRule(ruleSchema.parse(date('{{ d }}', 'within-last', 2, 'hours')))).toBe(
      'd is within the last 2 hours',
    );
    expect(describeRule(ruleSchema.parse(text('{{ a }} and {{ b }}', 'equals', 'x')))).toBe(
      '"{{ a }} and {{ b }}" equals "x"',
    );
    expect(describeRuleGroup(ruleGroupSchema.parse({}))).toBeNull();
    for (const operator of Object.keys(operatorInfo))
      expect(operator).toMatch(/^[a-z]+(-[a-z]+)*$/);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties.

/** Any JSON value, nothing, and the odd strings that payloads carry. */
const anyValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constant(undefined),
  fc.string({ unit: 'binary' }),
  fc.double().map(String),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.integer().map((n) => ` ${n} `),
);
const units = fc.constantFrom('minutes' as const, 'hours' as const, 'days' as const);

const anyRule: fc.Arbitrary<Rule> = fc.oneof(
  fc.record({
    type: fc.constant('text' as const),
    value: anyValue,
    operator: fc.constantFrom(...operatorsByType.text),
    operand: fc.oneof(anyValue, fc.constantFrom('(a+)+$', '(?=x)', '\\', '[[:alpha:]]', 'ab|cd')),
    ignoreCase: fc.boolean(),
  }),
  fc.record({
    type: fc.constant('number' as const),
    value: anyValue,
    operator: fc.constantFrom(...operatorsByType.number),
    operand: anyValue,
    operandTo: anyValue,
  }),
  fc.record({
    type: fc.constant('boolean' as const),
    value: anyValue,
    operator: fc.constantFrom(...operatorsByType.boolean),
  }),
  fc.record({
    type: fc.constant('date' as const),
    value: anyValue,
    operator: fc.constantFrom(...operatorsByType.date),
    operand: anyValue,
    unit: fc.option(units, { nil: undefined }),
  }),
  fc.record({
    type: fc.constant('array' as const),
    value: anyValue,
    operator: fc.constantFrom(...operatorsByType.array),
    operand: anyValue,
    ignoreCase: fc.boolean(),
  }),
);

/** Evaluates, accepting only a boolean or the documented RuleError for a refused pattern. */
function outcome(rule: Rule): boolean | 'refused' {
  try {
    const result = evaluateRule(rule, { now });
    expect(typeof result).toBe('boolean');
    return result;
  } catch (error) {
    expect(error).toBeInstanceOf(RuleError);
    expect(rule.operator).toBe('matches-regex');
    return 'refused';
  }
}

const negations = {
  'not-equals': 'equals',
  'not-contains': 'contains',
  'is-not-empty': 'is-empty',
  'not-exists': 'exists',
} as const;

describe('rules: properties', () => {
  it('no value of any shape, for any operator, makes the evaluator throw', () => {
    fc.assert(
      fc.property(anyRule, (rule) => {
        outcome(rule);
        // The schema accepts the same rule, or refuses it only at its pattern or unit.
        const parsed = ruleSchema.safeParse(rule);
        if (!parsed.success) {
          for (const issue of parsed.error.issues)
            expect(['operand', 'unit']).toContain(issue.path[0]);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('a value nested far too deeply for JSON.stringify is handled', () => {
    const nest = (depth: number): unknown => {
      let value: unknown = 'x';
      for (let i = 0; i < depth; i++) value = [value];
      return value;
    };
    const deep = nest(200_000);
    for (const operator of operatorsByType.text) {
      expect(typeof holds(text(deep, operator, 'x'))).toBe('boolean');
    }
    expect(holds(array([deep], 'contains', nest(200_000)))).toBe(true);
    expect(holds(array([deep], 'contains', nest(199_999)))).toBe(false);
  });

  it('every negated operator is the negation of its positive', () => {
    fc.assert(
      fc.property(anyRule, (rule) => {
        if (!(rule.operator in negations)) return;
        const positive = negations[rule.operator as keyof typeof negations];
        const negated = outcome(rule);
        const plain = outcome({ ...rule, operator: positive } as Rule);
        expect(negated).toBe(!plain);
      }),
      { numRuns: 2000 },
    );
  });

  it('any finite number equals its text, both ways, and text equals its number', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
        expect(holds(number(String(n), 'equals', n))).toBe(true);
        expect(holds(number(n, 'equals', String(n)))).toBe(true);
        expect(holds(number(n, 'not-equals', String(n)))).toBe(false);
        expect(holds(text(n, 'equals', String(n)))).toBe(true);
      }),
    );
  });

  it('orders numbers consistently: gt mirrors lt, between ignores bound order', () => {
    const numeric = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer().map(String),
    );
    fc.assert(
      fc.property(numeric, numeric, numeric, (a, b, c) => {
        expect(holds(number(a, 'gt', b))).toBe(holds(number(b, 'lt', a)));
        expect(holds(number(a, 'gte', b))).toBe(holds(number(b, 'lte', a)));
        expect(holds(number(a, 'between', b, c))).toBe(holds(number(a, 'between', c, b)));
        expect(holds(number(a, 'between', a, a))).toBe(true);
      }),
    );
  });

  it('text equals itself, whatever its case with ignoreCase', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(holds(text(s, 'equals', s))).toBe(true);
        expect(holds(text(s, 'contains', s))).toBe(true);
        expect(holds(text(s.toUpperCase(), 'equals', s.toLowerCase(), true))).toBe(
          s.toUpperCase().toLowerCase() === s.toLowerCase(),
        );
      }),
    );
  });

  it('booleans and their text agree', () => {
    fc.assert(
      fc.property(fc.boolean(), (b) => {
        expect(holds(boolean(String(b), 'is-true'))).toBe(b);
        expect(holds(boolean(String(b).toUpperCase(), 'is-false'))).toBe(!b);
      }),
    );
  });

  it('dates: an ISO time and its epoch ms are the same instant', () => {
    const instant = fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 });
    fc.assert(
      fc.property(instant, (t) => {
        const iso = new Date(t).toISOString();
        expect(toTime(iso)).toBe(t);
        expect(holds(date(iso, 'before', t + 1))).toBe(true);
        expect(holds(date(t, 'after', iso))).toBe(false);
      }),
    );
  });

  it('a list contains each of its items', () => {
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue({ maxDepth: 2 }), { minLength: 1 }),
        fc.nat(),
        (list, i) => {
          const item = list[i % list.length];
          expect(holds(array(list, 'contains', item))).toBe(true);
          expect(holds(array(list, 'length-equals', list.length))).toBe(true);
        },
      ),
    );
  });

  it('all is every item, any is some item', () => {
    fc.assert(
      fc.property(fc.array(anyRule, { maxLength: 6 }), (items) => {
        const safe = items.filter((rule) => rule.operator !== 'matches-regex');
        const results = safe.map((rule) => evaluateRule(rule, { now }));
        expect(evaluateRuleGroup({ combinator: 'all', items: safe }, { now })).toBe(
          results.every(Boolean),
        );
        expect(evaluateRuleGroup({ combinator: 'any', items: safe }, { now })).toBe(
          results.some(Boolean),
        );
      }),
    );
  });
});
