/**
 * The rules of a generated config form, apart from its widgets: which fields show, which
 * validation problems belong to which field, and how a JSON field's text becomes a value.
 */
import type { FormField, ValidationIssue } from '@hookflow/engine';
import { jsonErrorAt } from '@hookflow/nodes';

/** Whether `field` shows, given the effective value of each field (`showWhen`). */
export function isFieldVisible(field: FormField, currentValue: (name: string) => unknown): boolean {
  if (!field.showWhen) return true;
  const current = currentValue(field.showWhen.field);
  return field.showWhen.equals.some((allowed) => allowed === current);
}

/** Whether a problem's field path (`headers[0].value`) lies within the form field `name`. */
export function issueBelongsTo(issue: ValidationIssue, name: string): boolean {
  const path = issue.field;
  if (path === undefined) return false;
  return path === name || path.startsWith(`${name}.`) || path.startsWith(`${name}[`);
}

/**
 * A node's problems sorted by where the panel shows them: beside a visible field (by its name),
 * beside the key, or in the node's list of general problems.
 */
export function placeIssues(
  issues: readonly ValidationIssue[],
  visibleFields: readonly string[],
): { byField: Map<string, ValidationIssue[]>; key: ValidationIssue[]; general: ValidationIssue[] } {
  const byField = new Map<string, ValidationIssue[]>();
  const key: ValidationIssue[] = [];
  const general: ValidationIssue[] = [];
  for (const issue of issues) {
    if (issue.field === 'key') {
      key.push(issue);
      continue;
    }
    // The most specific field: `auth.secrets[0]` belongs to `auth.secrets` before `auth`.
    const owner = visibleFields
      .filter((name) => issueBelongsTo(issue, name))
      .sort((a, b) => b.length - a.length)[0];
    if (owner === undefined) general.push(issue);
    else byField.set(owner, [...(byField.get(owner) ?? []), issue]);
  }
  return { byField, key, general };
}

export type JsonTextResult =
  | { ok: true; value: unknown }
  | {
      ok: false;
      error: string;
      /** Where in the text it goes wrong (its length when the text ends too early). */
      at: number;
    };

const wholeTemplate = /^\{\{[\s\S]*\}\}$/;

/**
 * Reads a JSON field's text: empty is "unset" (undefined), JSON is its value, and in a field
 * that takes expressions a bare `{{ … }}` is kept as that expression, so its result keeps its
 * type.
 */
export function readJsonText(text: string, acceptsExpression: boolean): JsonTextResult {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(trimmed) };
  } catch {
    if (acceptsExpression && wholeTemplate.test(trimmed)) return { ok: true, value: trimmed };
    const problem = jsonErrorAt(trimmed);
    const lead = text.length - text.trimStart().length;
    return {
      ok: false,
      error: `Not valid JSON: ${problem?.message ?? 'the text does not parse'}`,
      at: lead + (problem?.offset ?? trimmed.length),
    };
  }
}

/** How a value reads in a JSON field. */
export function writeJsonText(value: unknown): string {
  return value === undefined ? '' : JSON.stringify(value, null, 2);
}

/** A number field's text: empty is unset, a number is a number, anything else stays text. */
export function readNumberText(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const number = Number(trimmed);
  return Number.isFinite(number) && /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(trimmed)
    ? number
    : text;
}
