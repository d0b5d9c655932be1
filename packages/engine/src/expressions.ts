import jsonata from 'jsonata';
import { LinearRegExp } from './linear-regexp.ts';

/**
 * The expression language: `{{ ... }}` holds a JSONata expression evaluated against the run
 * context. Templates are compiled once (per published version) and evaluated many times.
 * Only configuration is ever compiled; values that arrive in a payload are data.
 */

export interface ExpressionLimits {
  /** Wall-clock budget of one evaluation, in milliseconds. */
  timeoutMs: number;
  /** Deepest evaluation stack (recursion) allowed. */
  maxDepth: number;
  /** Longest sequence an evaluation may build. */
  maxSequence: number;
  /** Largest result, in characters of its JSON form. */
  maxResultChars: number;
}

export const defaultExpressionLimits: ExpressionLimits = {
  timeoutMs: 1000,
  maxDepth: 250,
  maxSequence: 100_000,
  maxResultChars: 5_000_000,
};

/** An error in an expression: where it is (character offset in the field) and what is wrong. */
export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
  constructor(
    message: string,
    readonly position: number,
    readonly code?: string,
  ) {
    super(message);
  }
}

export type TemplateSegment =
  | { kind: 'text'; text: string }
  | { kind: 'expression'; source: string; offset: number };

/** True when a string holds at least one `{{`, the only way a value becomes an expression. */
export function hasExpression(text: string): boolean {
  return text.includes('{{');
}

/**
 * Splits a template into text and expressions. The closing `}}` is found with JSONata's
 * strings and object braces in mind, so `{{ {"a": {"b": 1}} }}` is one expression.
 */
export function splitTemplate(text: string): TemplateSegment[] {
  const segments: TemplateSegment[] = [];
  let cursor = 0;
  while (cursor < text.length) {
    const open = text.indexOf('{{', cursor);
    if (open === -1) break;
    if (open > cursor) segments.push({ kind: 'text', text: text.slice(cursor, open) });
    const start = open + 2;
    const end = findClose(text, start);
    if (end === -1) throw new ExpressionError('"{{" is never closed with "}}"', open);
    segments.push({ kind: 'expression', source: text.slice(start, end), offset: start });
    cursor = end + 2;
  }
  if (cursor < text.length) segments.push({ kind: 'text', text: text.slice(cursor) });
  return segments;
}

function findClose(text: string, from: number): number {
  let depth = 0;
  let quote: string | null = null;
  for (let i = from; i < text.length; i++) {
    const ch = text[i];
    if (quote !== null) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = null;
      continue;
    }
    if (ch === '"' || ch === "'" || ch === '`') quote = ch;
    else if (ch === '{') depth++;
    else if (ch === '}') {
      if (depth === 0 && text[i + 1] === '}') return i;
      if (depth > 0) depth--;
    } else if (ch === '/' && text[i + 1] === '*') {
      const endComment = text.indexOf('*/', i + 2);
      if (endComment === -1) return -1;
      i = endComment + 1;
    }
  }
  return -1;
}

interface JsonataFailure {
  message?: string;
  position?: number;
  code?: string;
}

export interface CompiledExpression {
  readonly source: string;
  readonly offset: number;
  readonly ast: jsonata.ExprNode;
  evaluate(context: unknown): Promise<unknown>;
}

/** Compiles one JSONata expression; `offset` is where it starts in its field, for messages. */
export function compileExpression(
  source: string,
  offset = 0,
  limits: ExpressionLimits = defaultExpressionLimits,
): CompiledExpression {
  if (source.trim() === '') throw new ExpressionError('the expression is empty', offset);
  let expression: jsonata.Expression;
  try {
    expression = jsonata(source, {
      timeout: limits.timeoutMs,
      stack: limits.maxDepth,
      sequence: limits.maxSequence,
      // Regexes in expressions match in linear time: no pattern can stall the worker.
      RegexEngine: LinearRegExp as unknown as RegExpConstructor,
    });
  } catch (error) {
    throw toExpressionError(error, offset);
  }
  const ast = expression.ast();
  const fieldPath = simpleFieldPath(ast);
  return {
    source,
    offset,
    ast,
    async evaluate(context) {
      // Most expressions read one field (`trigger.body.order.id`): walk it directly.
      if (fieldPath) {
        const found = readFieldPath(context, fieldPath);
        if (found !== NOT_SIMPLE) return found;
      }
      let value: unknown;
      try {
        value = await expression.evaluate(context);
      } catch (error) {
        throw toExpressionError(error, offset, limits);
      }
      if (exceedsSize(value, limits.maxResultChars)) {
        throw new ExpressionError(
          `the result is larger than ${limits.maxResultChars} characters`,
          offset,
          'RESULT_TOO_LARGE',
        );
      }
      return value;
    },
  };
}

const NOT_SIMPLE = Symbol('not simple');

/** The names of a path made only of plain field names, or null. */
function simpleFieldPath(ast: jsonata.ExprNode): string[] | null {
  if ((ast.type as string) !== 'path' || !Array.isArray(ast.steps)) return null;
  const names: string[] = [];
  for (const step of ast.steps) {
    const keys = Object.keys(step);
    if (step.type !== 'name' || typeof step.value !== 'string') return null;
    if (keys.some((key) => key !== 'type' && key !== 'value' && key !== 'position')) return null;
    names.push(step.value);
  }
  return names.length > 0 ? names : null;
}

/**
 * JSONata's result for a path of field names over objects: own properties only, undefined
 * when a step is missing. Arrays map and flatten in JSONata, so they are left to it.
 */
function readFieldPath(context: unknown, names: readonly string[]): unknown {
  let value = context;
  for (const name of names) {
    if (Array.isArray(value)) return NOT_SIMPLE;
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, name))
      return undefined;
    value = (value as Record<string, unknown>)[name];
  }
  if (Array.isArray(value) || typeof value === 'function') return NOT_SIMPLE;
  return value;
}

function toExpressionError(
  error: unknown,
  offset: number,
  limits: ExpressionLimits = defaultExpressionLimits,
): ExpressionError {
  if (error instanceof ExpressionError) return error;
  if (error instanceof Error && error.name === 'UnsupportedRegexError') {
    return new ExpressionError(error.message, offset, 'REGEX');
  }
  if (error instanceof RangeError) {
    // The JavaScript stack itself overflowed before JSONata's own depth check fired.
    return new ExpressionError('the expression recursed too deeply', offset, 'STACK');
  }
  const failure = (error ?? {}) as JsonataFailure;
  const position = offset + Math.max(0, (failure.position ?? 1) - 1);
  let message = failure.message ?? String(error);
  if (failure.code === 'D1012') message = `the expression ran longer than ${limits.timeoutMs} ms`;
  if (failure.code === 'D1011') message = `the expression recursed deeper than ${limits.maxDepth}`;
  if (failure.code === 'D2015') {
    message = `the expression built a sequence longer than ${limits.maxSequence} items`;
  }
  return new ExpressionError(message, position, failure.code);
}

const sequenceMarks = ['sequence', 'keepSingleton', 'outerWrapper', 'tupleStream', 'push'];

/**
 * Walks a result and stops as soon as its JSON form would pass `limit` characters. On the way
 * it strips the bookkeeping properties JSONata leaves on the arrays it builds (`sequence`...),
 * so results compare and serialise as plain JSON.
 */
function exceedsSize(value: unknown, limit: number): boolean {
  let budget = limit;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string') budget -= item.length + 2;
    else if (item === null || typeof item !== 'object') budget -= 8;
    else if (Array.isArray(item)) {
      budget -= item.length + 2;
      if (Object.hasOwn(item, 'sequence')) {
        for (const mark of sequenceMarks) delete (item as unknown as Record<string, unknown>)[mark];
      }
      for (const child of item) stack.push(child);
    } else {
      for (const [key, child] of Object.entries(item)) {
        budget -= key.length + 4;
        stack.push(child);
      }
    }
    if (budget < 0) return true;
  }
  return false;
}

export interface CompiledTemplate {
  readonly text: string;
  readonly expressions: readonly CompiledExpression[];
  evaluate(context: unknown): Promise<unknown>;
}

/**
 * Compiles a template. A template that is exactly one `{{ }}` (surrounding spaces allowed)
 * keeps the value's type; otherwise every result is written into the text.
 */
export function compileTemplate(
  text: string,
  limits: ExpressionLimits = defaultExpressionLimits,
): CompiledTemplate {
  const key = `${limits.timeoutMs}:${limits.maxDepth}:${limits.maxSequence}:${limits.maxResultChars}:${text}`;
  const cached = compiledTemplates.get(key);
  if (cached) return cached;
  const template = compileTemplateNow(text, limits);
  if (compiledTemplates.size >= COMPILED_TEMPLATES_KEPT) {
    // The oldest entry (a Map keeps insertion order).
    compiledTemplates.delete(compiledTemplates.keys().next().value as string);
  }
  compiledTemplates.set(key, template);
  return template;
}

/**
 * Compiled templates by limits and text. The same texts are compiled again and again: the editor
 * validates the whole workflow on every change, and compiling a workflow validates it first.
 * Compiling is JSONata's parser plus a fresh environment of its functions (most of the cost);
 * a compiled template holds no state between evaluations, so one can serve every caller.
 * Templates that fail to compile are not kept (the error is thrown each time).
 */
const compiledTemplates = new Map<string, CompiledTemplate>();
const COMPILED_TEMPLATES_KEPT = 5_000;

function compileTemplateNow(text: string, limits: ExpressionLimits): CompiledTemplate {
  const segments = splitTemplate(text);
  const compiled = segments.map((segment) =>
    segment.kind === 'text'
      ? segment.text
      : compileExpression(segment.source, segment.offset, limits),
  );
  const expressions = compiled.filter(
    (part): part is CompiledExpression => typeof part !== 'string',
  );
  const meaningful = compiled.filter((part) => typeof part !== 'string' || part.trim() !== '');
  const single =
    meaningful.length === 1 && typeof meaningful[0] !== 'string' ? meaningful[0] : null;
  if (single) {
    return { text, expressions, evaluate: (context) => single.evaluate(context) };
  }
  return {
    text,
    expressions,
    async evaluate(context) {
      let out = '';
      for (const part of compiled) {
        out += typeof part === 'string' ? part : stringifyForText(await part.evaluate(context));
      }
      return out;
    },
  };
}

/** How a value is written into text: strings as they are, nothing as nothing, the rest as JSON. */
export function stringifyForText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'function') return '';
  return JSON.stringify(value);
}

/** The `steps.<key>` names an expression reads, so validation can check they exist and run first. */
export function referencedStepKeys(ast: jsonata.ExprNode): Set<string> {
  const keys = new Set<string>();
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const child of node) visit(child);
      return;
    }
    const expr = node as jsonata.ExprNode;
    if ((expr.type as string) === 'path' && Array.isArray(expr.steps)) {
      const [first, second] = expr.steps;
      if (first?.type === 'name' && first.value === 'steps' && second?.type === 'name') {
        keys.add(String(second.value));
      }
    }
    for (const child of Object.values(expr)) visit(child);
  };
  visit(ast);
  return keys;
}
