import { ConfigValueError, stringifyForText } from '@hookflow/engine';
import { RE2JS } from 're2js';
import { z } from 'zod';

/**
 * Rule groups: the conditions of the filter and router nodes. One zod schema (what a stored
 * document holds, checked on save and again once the engine has resolved its expressions) and
 * one pure evaluator. The policy, documented in docs/nodes.md:
 * - the value is data: one that cannot be read as the rule's type makes the rule false (and
 *   its negation true), never an error;
 * - operands are read by the same coercion rules as values;
 * - the one error is a regular expression that RE2 refuses, which is a configuration mistake.
 */

export const ruleTypes = ['text', 'number', 'boolean', 'date', 'array'] as const;
export type RuleType = (typeof ruleTypes)[number];

/** Operator ids are stored in documents: never rename one. */
export const operatorsByType = {
  text: [
    'equals',
    'not-equals',
    'contains',
    'not-contains',
    'starts-with',
    'ends-with',
    'matches-regex',
    'is-empty',
    'is-not-empty',
    'exists',
    'not-exists',
  ],
  number: ['equals', 'not-equals', 'gt', 'gte', 'lt', 'lte', 'between', 'exists', 'not-exists'],
  boolean: ['is-true', 'is-false', 'exists', 'not-exists'],
  date: ['before', 'after', 'within-last', 'exists', 'not-exists'],
  array: [
    'contains',
    'not-contains',
    'length-equals',
    'is-empty',
    'is-not-empty',
    'exists',
    'not-exists',
  ],
} as const satisfies Record<RuleType, readonly string[]>;

export type RuleOperator = (typeof operatorsByType)[RuleType][number];

/**
 * What an operator compares the value with, so an editor knows which inputs to show:
 * `operand`; `operand` and `operandTo` (range); `operand` and `unit` (duration); or nothing.
 */
export type OperandKind = 'none' | 'value' | 'pattern' | 'range' | 'duration';

/** How each operator reads in the editor and on a node's card. */
export const operatorInfo = {
  equals: { label: 'equals', operand: 'value' },
  'not-equals': { label: 'does not equal', operand: 'value' },
  contains: { label: 'contains', operand: 'value' },
  'not-contains': { label: 'does not contain', operand: 'value' },
  'starts-with': { label: 'starts with', operand: 'value' },
  'ends-with': { label: 'ends with', operand: 'value' },
  'matches-regex': { label: 'matches the pattern', operand: 'pattern' },
  'is-empty': { label: 'is empty', operand: 'none' },
  'is-not-empty': { label: 'is not empty', operand: 'none' },
  gt: { label: 'is greater than', operand: 'value' },
  gte: { label: 'is at least', operand: 'value' },
  lt: { label: 'is less than', operand: 'value' },
  lte: { label: 'is at most', operand: 'value' },
  between: { label: 'is between', operand: 'range' },
  'is-true': { label: 'is true', operand: 'none' },
  'is-false': { label: 'is false', operand: 'none' },
  before: { label: 'is before', operand: 'value' },
  after: { label: 'is after', operand: 'value' },
  'within-last': { label: 'is within the last', operand: 'duration' },
  'length-equals': { label: 'has a length of', operand: 'value' },
  exists: { label: 'exists', operand: 'none' },
  'not-exists': { label: 'does not exist', operand: 'none' },
} as const satisfies Record<RuleOperator, { label: string; operand: OperandKind }>;

export const typeLabels = {
  text: 'Text',
  number: 'Number',
  boolean: 'Boolean',
  date: 'Date/time',
  array: 'List',
} as const satisfies Record<RuleType, string>;

export const durationUnits = ['minutes', 'hours', 'days'] as const;
const unitMs = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 } as const;

/** Longest regular expression accepted, in characters. */
export const maxPatternLength = 1000;
/** Largest compiled regular expression accepted (RE2 program instructions). */
export const maxPatternProgramSize = 10_000;

const combinatorSchema = z
  .enum(['all', 'any'], { error: 'combinator must be "all" or "any"' })
  .default('all');

function operatorSchema<T extends RuleType>(type: T) {
  const allowed = operatorsByType[type];
  return z.enum(allowed, {
    error: (issue) =>
      issue.input === undefined
        ? `a ${type} rule needs an operator: one of ${allowed.join(', ')}`
        : `"${String(issue.input)}" is not an operator for ${type}; use one of ${allowed.join(', ')}`,
  });
}

/**
 * An object that refuses fields it does not know, naming them: a misspelt field would otherwise
 * be dropped without a word, and a group whose `items` were written `rules` would hold nothing
 * (and an empty `all` lets everything through).
 */
function knownFields<Shape extends z.ZodRawShape>(what: string, shape: Shape) {
  const fields = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `${what} has no field ${issue.keys.map((key) => `"${key}"`).join(', ')}; its fields are ${fields}`
        : undefined,
  });
}

/** The side a rule tests (usually an expression) and what it is compared with. */
const sides = { value: z.unknown().optional(), operand: z.unknown().optional() };

const textRuleSchema = knownFields('a text rule', {
  type: z.literal('text'),
  ...sides,
  operator: operatorSchema('text'),
  ignoreCase: z.boolean().optional(),
}).superRefine((rule, context) => {
  if (rule.operator !== 'matches-regex') return;
  const compiled = compilePattern(rule.operand, rule.ignoreCase === true);
  if (typeof compiled === 'string') {
    context.addIssue({ code: 'custom', path: ['operand'], message: compiled });
  }
});

const numberRuleSchema = knownFields('a number rule', {
  type: z.literal('number'),
  ...sides,
  operator: operatorSchema('number'),
  /** The other bound of `between`. */
  operandTo: z.unknown().optional(),
});

const booleanRuleSchema = knownFields('a boolean rule', {
  type: z.literal('boolean'),
  value: z.unknown().optional(),
  operator: operatorSchema('boolean'),
});

const dateRuleSchema = knownFields('a date rule', {
  type: z.literal('date'),
  ...sides,
  operator: operatorSchema('date'),
  /** The unit of `within-last`'s operand. */
  unit: z.enum(durationUnits, { error: 'unit must be minutes, hours or days' }).optional(),
}).superRefine((rule, context) => {
  if (rule.operator === 'within-last' && rule.unit === undefined) {
    context.addIssue({
      code: 'custom',
      path: ['unit'],
      message: 'within-last needs a unit: minutes, hours or days',
    });
  }
});

const arrayRuleSchema = knownFields('an array rule', {
  type: z.literal('array'),
  ...sides,
  operator: operatorSchema('array'),
  ignoreCase: z.boolean().optional(),
});

const ruleOptions = [
  textRuleSchema,
  numberRuleSchema,
  booleanRuleSchema,
  dateRuleSchema,
  arrayRuleSchema,
] as const;

const typeList = ruleTypes.join(', ');

export const ruleSchema = z.discriminatedUnion('type', ruleOptions, {
  error: (issue) =>
    typeOf(issue.input) === 'group'
      ? 'groups nest one level: a sub-group holds rules only'
      : `a rule needs a type: one of ${typeList}`,
});

export const subGroupSchema = knownFields('a sub-group', {
  type: z.literal('group'),
  combinator: combinatorSchema,
  items: z.array(ruleSchema).default([]),
});

/** Top-level conditions: rules and sub-groups (which hold rules only). */
export const ruleGroupSchema = knownFields('a rule group', {
  combinator: combinatorSchema,
  items: z
    .array(
      z.discriminatedUnion('type', [...ruleOptions, subGroupSchema], {
        error: `an item needs a type: one of ${typeList} for a rule, or group`,
      }),
    )
    .default([]),
});

export type Rule = z.output<typeof ruleSchema>;
export type SubGroup = z.output<typeof subGroupSchema>;
export type RuleGroup = z.output<typeof ruleGroupSchema>;
export type RuleGroupInput = z.input<typeof ruleGroupSchema>;
type TextRule = z.output<typeof textRuleSchema>;
type NumberRule = z.output<typeof numberRuleSchema>;
type BooleanRule = z.output<typeof booleanRuleSchema>;
type DateRule = z.output<typeof dateRuleSchema>;
type ArrayRule = z.output<typeof arrayRuleSchema>;

function typeOf(input: unknown): unknown {
  return typeof input === 'object' && input !== null && 'type' in input ? input.type : undefined;
}

// ---------------------------------------------------------------------------------------------
// Coercion: how a value (or an operand) is read as each type. `undefined` means it cannot be.

/** Text form, as when an expression is written into text: nothing is '', objects are JSON. */
export function toText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  try {
    const text: unknown = stringifyForText(value);
    return typeof text === 'string' ? text : undefined;
  } catch {
    // A bigint, or a structure too deep for JSON.stringify.
    return undefined;
  }
}

const numericText = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;

/** A finite number, or a decimal numeric string (trimmed; empty is not a number). */
export function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (!numericText.test(text)) return undefined;
  const number = Number(text);
  return Number.isFinite(number) ? number : undefined;
}

/** `true`/`false`, or the strings "true"/"false" (trimmed, any case). */
export function toBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return undefined;
  const text = value.trim().toLowerCase();
  return text === 'true' ? true : text === 'false' ? false : undefined;
}

const isoDateTime =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;
const latestTime = 8.64e15;

/**
 * Epoch milliseconds: an ISO 8601 date or date-time (without a zone it is UTC), or epoch
 * milliseconds as a number or numeric string.
 */
export function toTime(value: unknown): number | undefined {
  if (typeof value === 'string') {
    const text = value.trim();
    const iso = isoDateTime.exec(text);
    if (iso) return isoToTime(iso);
  }
  const epoch = toNumber(value);
  return epoch !== undefined && Math.abs(epoch) <= latestTime ? epoch : undefined;
}

function isoToTime(match: RegExpExecArray): number | undefined {
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', zone] = match;
  const y = Number(year);
  const mo = Number(month);
  const d = Number(day);
  const h = Number(hour);
  const mi = Number(minute);
  const s = Number(second);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) {
    return undefined;
  }
  let offsetMinutes = 0;
  if (zone && zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const zoneHours = Number(digits.slice(0, 2));
    const zoneMinutes = Number(digits.slice(2) || '0');
    if (zoneHours > 23 || zoneMinutes > 59) return undefined;
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (zoneHours * 60 + zoneMinutes);
  }
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, Number(fraction.slice(0, 3).padEnd(3, '0')));
  return date.getTime() - offsetMinutes * 60_000;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * An array as it is; nothing (null, undefined) is the empty list; any other value is a list of
 * one. JSONata unwraps one-item results (`items.sku` of a single item is just its sku) and a form
 * field sent once is not an array, so a lone value has to count as a list.
 */
export function toList(value: unknown): readonly unknown[] {
  if (Array.isArray(value)) return value;
  return value === undefined || value === null ? [] : [value];
}

/** Present: neither undefined (a missing field) nor null. */
export function exists(value: unknown): boolean {
  return value !== undefined && value !== null;
}

// ---------------------------------------------------------------------------------------------
// Regular expressions: RE2 syntax, matched in time linear in the text.

const patternCache = new Map<string, RE2JS | string>();

/** The compiled pattern, or a message saying why it is refused. */
function compilePattern(operand: unknown, ignoreCase: boolean): RE2JS | string {
  const pattern = toText(operand);
  if (pattern === undefined) return 'the pattern must be text';
  if (pattern === '') return 'matches-regex needs a pattern';
  if (pattern.length > maxPatternLength) {
    return `the pattern is longer than ${maxPatternLength} characters`;
  }
  const key = `${ignoreCase ? 'i' : '-'}${pattern}`;
  let compiled = patternCache.get(key);
  if (compiled === undefined) {
    compiled = compileUncached(pattern, ignoreCase);
    if (patternCache.size >= 500) patternCache.clear();
    patternCache.set(key, compiled);
  }
  return compiled;
}

function compileUncached(pattern: string, ignoreCase: boolean): RE2JS | string {
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(
      RE2JS.translateRegExp(pattern),
      ignoreCase ? RE2JS.CASE_INSENSITIVE : 0,
    );
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).replace(
      /^error parsing regexp: /,
      '',
    );
    return (
      `/${pattern}/ is not a regular expression RE2 accepts (${reason}); ` +
      'backreferences and lookaround are not supported, so that matching stays linear in time'
    );
  }
  if (compiled.programSize() > maxPatternProgramSize) {
    return `/${pattern}/ is too large once compiled: use smaller repetition counts`;
  }
  return compiled;
}

/** A regular expression RE2 refuses, met while evaluating: names the rule's operand. */
export class RuleError extends ConfigValueError {
  readonly code = 'REGEX';
}

// ---------------------------------------------------------------------------------------------
// Evaluation.

export interface RuleContext {
  /** The current time (`services.now()`), for `within-last`. */
  now: Date;
  /** Where the group sits in the node's config, for messages: `routes[0].conditions`. */
  field?: string;
}

/** Whether a group holds: `all` of no items holds, `any` of no items does not. */
export function evaluateRuleGroup(group: RuleGroup | SubGroup, context: RuleContext): boolean {
  const items: readonly (Rule | SubGroup)[] = group.items;
  const base = context.field ? `${context.field}.items` : 'items';
  const holds = (item: Rule | SubGroup, index: number): boolean => {
    const inner = { ...context, field: `${base}[${index}]` };
    return item.type === 'group' ? evaluateRuleGroup(item, inner) : evaluateRule(item, inner);
  };
  return group.combinator === 'all' ? items.every(holds) : items.some(holds);
}

/** Whether one rule holds. Throws RuleError only for a pattern RE2 refuses. */
export function evaluateRule(rule: Rule, context: RuleContext): boolean {
  switch (rule.type) {
    case 'text':
      return textHolds(rule, context.field ?? '');
    case 'number':
      return numberHolds(rule);
    case 'boolean':
      return booleanHolds(rule);
    case 'date':
      return dateHolds(rule, context.now);
    case 'array':
      return arrayHolds(rule);
  }
}

function textHolds(rule: TextRule, field: string): boolean {
  switch (rule.operator) {
    case 'exists':
      return exists(rule.value);
    case 'not-exists':
      return !exists(rule.value);
    case 'is-empty':
      return toText(rule.value) === '';
    case 'is-not-empty':
      return toText(rule.value) !== '';
    case 'equals':
      return compareText(rule, (value, operand) => value === operand);
    case 'not-equals':
      return !compareText(rule, (value, operand) => value === operand);
    case 'contains':
      return compareText(rule, (value, operand) => value.includes(operand));
    case 'not-contains':
      return !compareText(rule, (value, operand) => value.includes(operand));
    case 'starts-with':
      return compareText(rule, (value, operand) => value.startsWith(operand));
    case 'ends-with':
      return compareText(rule, (value, operand) => value.endsWith(operand));
    case 'matches-regex': {
      const value = toText(rule.value);
      if (value === undefined) return false;
      const compiled = compilePattern(rule.operand, rule.ignoreCase === true);
      if (typeof compiled === 'string') {
        const at = field ? `${field}.operand` : 'operand';
        throw new RuleError(`${at}: ${compiled}`, at);
      }
      return compiled.test(value);
    }
  }
}

function compareText(rule: TextRule, test: (value: string, operand: string) => boolean): boolean {
  const value = toText(rule.value);
  const operand = toText(rule.operand);
  if (value === undefined || operand === undefined) return false;
  return rule.ignoreCase ? test(value.toLowerCase(), operand.toLowerCase()) : test(value, operand);
}

function numberHolds(rule: NumberRule): boolean {
  switch (rule.operator) {
    case 'exists':
      return exists(rule.value);
    case 'not-exists':
      return !exists(rule.value);
    case 'equals':
      return compareNumbers(rule, (value, operand) => value === operand);
    case 'not-equals':
      return !compareNumbers(rule, (value, operand) => value === operand);
    case 'gt':
      return compareNumbers(rule, (value, operand) => value > operand);
    case 'gte':
      return compareNumbers(rule, (value, operand) => value >= operand);
    case 'lt':
      return compareNumbers(rule, (value, operand) => value < operand);
    case 'lte':
      return compareNumbers(rule, (value, operand) => value <= operand);
    case 'between': {
      const value = toNumber(rule.value);
      const from = toNumber(rule.operand);
      const to = toNumber(rule.operandTo);
      if (value === undefined || from === undefined || to === undefined) return false;
      return value >= Math.min(from, to) && value <= Math.max(from, to);
    }
  }
}

function compareNumbers(
  rule: NumberRule,
  test: (value: number, operand: number) => boolean,
): boolean {
  const value = toNumber(rule.value);
  const operand = toNumber(rule.operand);
  return value !== undefined && operand !== undefined && test(value, operand);
}

function booleanHolds(rule: BooleanRule): boolean {
  switch (rule.operator) {
    case 'exists':
      return exists(rule.value);
    case 'not-exists':
      return !exists(rule.value);
    case 'is-true':
      return toBoolean(rule.value) === true;
    case 'is-false':
      return toBoolean(rule.value) === false;
  }
}

function dateHolds(rule: DateRule, now: Date): boolean {
  switch (rule.operator) {
    case 'exists':
      return exists(rule.value);
    case 'not-exists':
      return !exists(rule.value);
    case 'before':
      return compareTimes(rule, (value, operand) => value < operand);
    case 'after':
      return compareTimes(rule, (value, operand) => value > operand);
    case 'within-last': {
      const value = toTime(rule.value);
      const amount = toNumber(rule.operand);
      if (value === undefined || amount === undefined || rule.unit === undefined) return false;
      const end = now.getTime();
      return value <= end && value >= end - amount * unitMs[rule.unit];
    }
  }
}

function compareTimes(rule: DateRule, test: (value: number, operand: number) => boolean): boolean {
  const value = toTime(rule.value);
  const operand = toTime(rule.operand);
  return value !== undefined && operand !== undefined && test(value, operand);
}

function arrayHolds(rule: ArrayRule): boolean {
  const list = toList(rule.value);
  switch (rule.operator) {
    case 'exists':
      return exists(rule.value);
    case 'not-exists':
      return !exists(rule.value);
    case 'is-empty':
      return list.length === 0;
    case 'is-not-empty':
      return list.length !== 0;
    case 'contains':
      return listContains(list, rule.operand, rule.ignoreCase === true);
    case 'not-contains':
      return !listContains(list, rule.operand, rule.ignoreCase === true);
    case 'length-equals': {
      const length = toNumber(rule.operand);
      return length !== undefined && list.length === length;
    }
  }
}

function listContains(list: readonly unknown[], operand: unknown, ignoreCase: boolean): boolean {
  if (isScalar(operand)) {
    const fold = (text: string) => (ignoreCase ? text.toLowerCase() : text);
    const wanted = fold(String(operand));
    return list.some((item) => isScalar(item) && fold(String(item)) === wanted);
  }
  return list.some((item) => deepEqual(item, operand));
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** JSON equality, key order ignored; iterative, so no payload is too deep for it. */
function deepEqual(left: unknown, right: unknown): boolean {
  const pending: [unknown, unknown][] = [[left, right]];
  for (let pair = pending.pop(); pair !== undefined; pair = pending.pop()) {
    const [a, b] = pair;
    if (a === b) continue;
    if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
    if (Array.isArray(a) || Array.isArray(b)) {
      if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
      for (let i = 0; i < a.length; i++) pending.push([a[i], b[i]]);
      continue;
    }
    const aEntries = Object.entries(a);
    const bValues = new Map(Object.entries(b));
    if (aEntries.length !== bValues.size) return false;
    for (const [key, value] of aEntries) {
      if (!bValues.has(key)) return false;
      pending.push([value, bValues.get(key)]);
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Descriptions for node cards.

const shortLength = 40;

/** A value as a card shows it: an expression by its source, text quoted, the rest as JSON. */
export function describeValue(value: unknown): string {
  let text: string;
  if (typeof value === 'string') {
    const expression = /^\s*\{\{([\s\S]*)\}\}\s*$/.exec(value);
    text =
      expression && !expression[1]?.includes('{{') ? (expression[1] ?? '').trim() : `"${value}"`;
  } else {
    text = toText(value) ?? '…';
    if (value === undefined || value === null) text = 'nothing';
  }
  return text.length > shortLength ? `${text.slice(0, shortLength - 1)}…` : text;
}

export function describeRule(rule: Rule): string {
  const subject = `${describeValue(rule.value)} ${operatorInfo[rule.operator].label}`;
  if (rule.type === 'number' && rule.operator === 'between') {
    return `${subject} ${describeValue(rule.operand)} and ${describeValue(rule.operandTo)}`;
  }
  if (rule.type === 'date' && rule.operator === 'within-last') {
    return `${subject} ${describeValue(rule.operand)} ${rule.unit ?? ''}`.trimEnd();
  }
  if (rule.type === 'boolean' || operatorInfo[rule.operator].operand === 'none') return subject;
  return `${subject} ${describeValue(rule.operand)}`;
}

/** One line: the first item and how many more; `null` for a group without items. */
export function describeRuleGroup(group: RuleGroup | SubGroup): string | null {
  const items: readonly (Rule | SubGroup)[] = group.items;
  const [first] = items;
  if (first === undefined) return null;
  const head =
    first.type === 'group'
      ? `(${first.combinator} of ${first.items.length} rules)`
      : describeRule(first);
  if (items.length === 1) return head;
  return `${head} ${group.combinator === 'all' ? 'and' : 'or'} ${items.length - 1} more`;
}
