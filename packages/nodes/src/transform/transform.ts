import { defineNode, stringifyForText } from '@hookflow/engine';
import { z } from 'zod';
import {
  createDraft,
  type Draft,
  describeKind,
  isPlainObject,
  PathError,
  parsePath,
} from '../paths/paths.ts';

/** A path as written in a row; checked on save so the editor can point at the row. */
const pathSchema = z
  .string()
  .min(1, 'a path is required')
  .superRefine((text, ctx) => {
    try {
      parsePath(text);
    } catch (error) {
      if (!(error instanceof PathError)) throw error;
      ctx.addIssue({ code: 'custom', message: error.message });
    }
  });

export const valueTypes = [
  'auto',
  'string',
  'number',
  'boolean',
  'json',
  'array',
  'object',
] as const;
export type ValueType = (typeof valueTypes)[number];

const operationSchema = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('set'),
    path: pathSchema,
    /** Usually an expression; a field that is one `{{ }}` keeps the value's type. */
    value: z.unknown(),
    type: z.enum(valueTypes).default('auto'),
  }),
  z.object({ op: z.literal('rename'), from: pathSchema, to: pathSchema }),
  z.object({ op: z.literal('remove'), path: pathSchema }),
]);

const configSchema = z.object({
  mode: z.enum(['mapping', 'expression']).default('mapping'),
  /** Mapping: what the rows edit, the previous step's output or a new empty object. */
  start: z.enum(['input', 'empty']).default('input'),
  operations: z.array(operationSchema).default([]),
  /** Expression mode: one `{{ }}` whose value, already evaluated by the engine, is the output. */
  expression: z.unknown().optional(),
});

export type TransformConfig = z.output<typeof configSchema>;
export type TransformOperation = TransformConfig['operations'][number];

/** A row that could not be applied: a conversion that is impossible or a path that is blocked. */
export class TransformError extends Error {
  override readonly name = 'TransformError';
  constructor(
    message: string,
    readonly code: 'CONVERSION' | 'PATH',
  ) {
    super(message);
  }
}

export const transform = defineNode({
  type: 'transform',
  label: 'Transform',
  description:
    'Reshapes data: sets, converts, renames and removes fields, or builds the output with one expression.',
  group: 'data',
  icon: '✎',
  config: configSchema,
  defaults: {
    mode: 'mapping',
    start: 'input',
    operations: [{ op: 'set', path: 'orderId', value: '{{ trigger.body.id }}', type: 'auto' }],
  },
  form: [
    {
      kind: 'select',
      field: 'mode',
      label: 'Mode',
      options: [
        { value: 'mapping', label: 'Edit fields' },
        { value: 'expression', label: 'One expression' },
      ],
    },
    {
      kind: 'select',
      field: 'start',
      label: 'Start from',
      showWhen: { field: 'mode', equals: ['mapping'] },
      options: [
        { value: 'input', label: 'The input' },
        { value: 'empty', label: 'An empty object' },
      ],
    },
    {
      kind: 'json',
      field: 'operations',
      label: 'Fields',
      showWhen: { field: 'mode', equals: ['mapping'] },
      help: 'Rows applied in order: set (path, value, type), rename (from, to), remove (path).',
      expression: true,
    },
    {
      kind: 'text',
      field: 'expression',
      label: 'Expression',
      showWhen: { field: 'mode', equals: ['expression'] },
      help: 'Exactly one {{ }} whose value becomes the output.',
      multiline: true,
      expression: true,
    },
  ],
  summary: summarize,
  run({ config, input }) {
    if (config.mode === 'expression') return config.expression ?? null;
    const draft = createDraft(config.start === 'input' ? input : {});
    config.operations.forEach((operation, index) => {
      applyOperation(draft, operation, index);
    });
    return draft.value;
  },
});

function applyOperation(draft: Draft, operation: TransformOperation, index: number): void {
  const row = `operations[${index}] (${describeRow(operation)})`;
  try {
    if (operation.op === 'set') {
      draft.set(parsePath(operation.path), convertValue(operation.value, operation.type));
    } else if (operation.op === 'rename') {
      const from = parsePath(operation.from);
      // A missing field is left alone: optional fields of a payload are common.
      if (!draft.has(from)) return;
      const value = draft.get(from);
      draft.remove(from);
      draft.set(parsePath(operation.to), value);
    } else {
      draft.remove(parsePath(operation.path));
    }
  } catch (error) {
    if (error instanceof ConversionError)
      throw new TransformError(`${row}: ${error.message}`, 'CONVERSION');
    if (error instanceof PathError) throw new TransformError(`${row}: ${error.message}`, 'PATH');
    throw error;
  }
}

function describeRow(operation: TransformOperation): string {
  if (operation.op === 'set') {
    return `set ${operation.path}${operation.type === 'auto' ? '' : ` as ${operation.type}`}`;
  }
  if (operation.op === 'rename') return `rename ${operation.from} to ${operation.to}`;
  return `remove ${operation.path}`;
}

class ConversionError extends Error {}

const decimal = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;
const booleanWords: Readonly<Record<string, boolean>> = {
  true: true,
  false: false,
  yes: true,
  no: false,
  on: true,
  off: false,
  '1': true,
  '0': false,
};

function preview(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : stringifyForText(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

function cannot(value: unknown, what: string): never {
  const shown =
    value === undefined || value === null
      ? 'nothing'
      : `${describeKind(value)} (${preview(value)})`;
  throw new ConversionError(`cannot convert ${shown} to ${what}`);
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConversionError(`cannot read ${preview(text)} as ${what}: ${reason}`);
  }
}

/**
 * Converts a row's value to its type; see docs/nodes.md for the table. `auto` keeps what the
 * expression produced. Nothing (`null`, or an expression that found nothing) is `null` for
 * auto and json, `""` for string, `[]` for array and `{}` for object, and fails for number
 * and boolean, which have no empty value.
 */
export function convertValue(value: unknown, type: ValueType): unknown {
  const nothing = value === undefined || value === null;
  switch (type) {
    case 'auto':
      return nothing ? null : value;
    case 'string':
      return stringifyForText(value);
    case 'number': {
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      if (typeof value === 'string' && decimal.test(value.trim())) {
        const number = Number(value.trim());
        if (Number.isFinite(number)) return number;
      }
      return cannot(value, 'a number');
    }
    case 'boolean': {
      if (typeof value === 'boolean') return value;
      if (value === 1 || value === 0) return value === 1;
      if (typeof value === 'string') {
        const word = value.trim().toLowerCase();
        if (Object.hasOwn(booleanWords, word)) return booleanWords[word];
      }
      return cannot(value, 'a boolean');
    }
    case 'json':
      if (nothing) return null;
      return typeof value === 'string' ? parseJson(value, 'JSON') : value;
    case 'array': {
      if (nothing) return [];
      if (Array.isArray(value)) return value;
      if (typeof value === 'string' && value.trim().startsWith('[')) {
        const parsed = parseJson(value, 'a JSON list');
        return Array.isArray(parsed) ? parsed : cannot(value, 'a list');
      }
      // JSONata gives a single match as the value itself: a list of one is what was meant.
      return [value];
    }
    case 'object': {
      if (nothing) return {};
      if (isPlainObject(value)) return value;
      if (typeof value === 'string' && value.trim().startsWith('{')) {
        const parsed = parseJson(value, 'a JSON object');
        if (isPlainObject(parsed)) return parsed;
      }
      return cannot(value, 'an object');
    }
  }
}

function summarize(config: TransformConfig): string {
  if (config.mode === 'expression') {
    const text = typeof config.expression === 'string' ? config.expression.trim() : '';
    if (text === '') return 'Output one expression';
    return `Output ${text.length > 40 ? `${text.slice(0, 39)}…` : text}`;
  }
  const count = (op: TransformOperation['op']) =>
    config.operations.filter((operation) => operation.op === op).length;
  const [sets, renames, removes] = [count('set'), count('rename'), count('remove')];
  const text = [
    sets > 0 ? `set ${sets} ${sets === 1 ? 'field' : 'fields'}` : '',
    renames > 0 ? `rename ${renames}` : '',
    removes > 0 ? `remove ${removes}` : '',
  ]
    .filter((part) => part !== '')
    .join(', ');
  if (config.start === 'empty') return `New object${text === '' ? '' : `: ${text}`}`;
  return text === '' ? 'Pass the input through' : `${text[0]!.toUpperCase()}${text.slice(1)}`;
}
