import type { z } from 'zod';

/**
 * The contract between the engine and the node catalogue. A node type is one object:
 * its config schema, defaults, form description and run(). The palette, the config form,
 * validation and the executor all read from it; add capabilities here, not beside it.
 */

/** The request that reached a trigger, as every node sees it (`trigger` in expressions). */
export interface TriggerEvent {
  method: string;
  path: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  query: Record<string, string | string[]>;
  body: unknown;
  receivedAt: string;
}

export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  timeoutMs: number;
  maxResponseBytes: number;
  maxRedirects: number;
  signal: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
  /** The URL that answered, after redirects. */
  url: string;
}

/** The outside world's HTTP, passed in so that the engine stays pure and tests stay local. */
export type HttpClient = (request: HttpRequest) => Promise<HttpResponse>;

export interface NodeServices {
  http: HttpClient;
  now(): Date;
}

export interface NodeRunContext<Config> {
  /** The node's config with every expression evaluated and parsed by its schema. */
  config: Config;
  /** The output of the node before this one. */
  input: unknown;
  trigger: TriggerEvent;
  steps: Readonly<Record<string, unknown>>;
  node: { id: string; key: string; name: string; type: string };
  run: { id: string };
  signal: AbortSignal;
  services: NodeServices;
}

interface BaseField {
  /** The config property this field edits (top-level). */
  field: string;
  label: string;
  help?: string;
  /** Show the field only while another field has one of these values. */
  showWhen?: { field: string; equals: readonly (string | number | boolean)[] };
}

/** The form description the editor renders; one kind per widget. */
export type FormField =
  | (BaseField & {
      kind: 'text';
      placeholder?: string;
      multiline?: boolean;
      /** Accepts `{{ }}` expressions. */
      expression?: boolean;
    })
  | (BaseField & { kind: 'number'; min?: number; max?: number; expression?: boolean })
  | (BaseField & { kind: 'boolean' })
  | (BaseField & { kind: 'select'; options: readonly { value: string; label: string }[] })
  | (BaseField & { kind: 'multiselect'; options: readonly { value: string; label: string }[] })
  | (BaseField & {
      kind: 'key-value';
      keyLabel?: string;
      valueLabel?: string;
      expression?: boolean;
    })
  | (BaseField & { kind: 'json'; expression?: boolean });

export interface OutputHandle {
  id: string;
  label?: string;
}

/** What a secret looks like in anything recorded or shown. */
export const SECRET_MASK = '••••••';

/** A copy of `config` with the values at `paths` (dotted) replaced by SECRET_MASK. */
export function maskSecrets(config: unknown, paths: readonly string[] | undefined): unknown {
  if (!paths || paths.length === 0 || config === null || typeof config !== 'object') return config;
  const copy: Record<string, unknown> = { ...(config as Record<string, unknown>) };
  for (const path of paths) {
    const [head, ...rest] = path.split('.');
    if (head === undefined || !(head in copy)) continue;
    if (rest.length === 0) {
      if (copy[head] !== undefined && copy[head] !== null && copy[head] !== '')
        copy[head] = SECRET_MASK;
    } else {
      copy[head] = maskSecrets(copy[head], [rest.join('.')]);
    }
  }
  return copy;
}

export const MAIN_HANDLE = 'main';
export const ERROR_HANDLE = 'error';

const emissionBrand: unique symbol = Symbol('hookflow.emission');

/** What a node returns when it decides which outputs continue (filter, router). */
export interface Emission {
  readonly [emissionBrand]: true;
  readonly output: unknown;
  /** The output handles that continue; an empty list stops this path. */
  readonly handles: readonly string[];
  /** Marks the step `filtered`: the path stopped on purpose, not because of an error. */
  readonly filtered: boolean;
}

export function emit(
  output: unknown,
  handles: readonly string[],
  options: { filtered?: boolean } = {},
): Emission {
  return { [emissionBrand]: true, output, handles, filtered: options.filtered ?? false };
}

export function isEmission(value: unknown): value is Emission {
  return typeof value === 'object' && value !== null && emissionBrand in value;
}

const suspensionBrand: unique symbol = Symbol('hookflow.suspension');

/**
 * What a node returns to park the run until a time (a delay): the step is recorded `waiting`,
 * the run leaves its worker and is queued again for that time, and then continues after this
 * step with `output` without running it again. A time already past continues at once.
 */
export interface Suspension {
  readonly [suspensionBrand]: true;
  readonly until: Date;
  readonly output: unknown;
}

export function suspendUntil(until: Date, output: unknown): Suspension {
  return { [suspensionBrand]: true, until, output };
}

export function isSuspension(value: unknown): value is Suspension {
  return typeof value === 'object' && value !== null && suspensionBrand in value;
}

export type NodeGroup = 'trigger' | 'flow' | 'data' | 'action';

export interface NodeDefinition<Schema extends z.ZodType = z.ZodType> {
  /** Stable kebab-case id stored in documents: never rename, migrate instead. */
  type: string;
  label: string;
  description: string;
  group: NodeGroup;
  /** A short glyph for the palette and the card. */
  icon: string;
  /** A trigger starts the run; a workflow has exactly one. */
  trigger?: boolean;
  /**
   * The node's output is what a trigger in "wait for the result" mode answers the sender
   * (`{ status, headers, body }`). The first such step of a run wins.
   */
  respondsToWebhook?: boolean;
  config: Schema;
  defaults: z.input<Schema>;
  form: readonly FormField[];
  /**
   * Config paths that hold secrets (`auth.password`, `headers[].value` is not allowed: name
   * whole fields). Their values are replaced by SECRET_MASK wherever the step's config is
   * recorded: run history, test results, exports.
   */
  secretFields?: readonly string[];
  /** Top-level config fields whose text is kept literally instead of being read as a template. */
  literalFields?: readonly string[];
  /** Output handles; one `main` output when absent. */
  outputs?(config: z.output<Schema>): readonly OutputHandle[];
  /** One line that describes the configured node on its card. */
  summary?(config: z.output<Schema>): string;
  run(context: NodeRunContext<z.output<Schema>>): unknown;
}

/**
 * Declares a node type; the config type is inferred from the schema, never cast.
 *
 * @example
 * const upper = defineNode({
 *   type: 'upper-case', label: 'Upper case', description: 'Upper-cases a text',
 *   group: 'data', icon: 'Aa', config: z.object({ text: z.string() }), defaults: { text: '' },
 *   form: [{ kind: 'text', field: 'text', label: 'Text', expression: true }],
 *   run: ({ config }) => config.text.toUpperCase(),
 * });
 */
export function defineNode<Schema extends z.ZodType>(
  definition: NodeDefinition<Schema>,
): NodeDefinition<Schema> {
  return definition;
}

export type NodeRegistry = ReadonlyMap<string, NodeDefinition>;

export function createNodeRegistry(definitions: readonly NodeDefinition[]): NodeRegistry {
  const registry = new Map<string, NodeDefinition>();
  for (const definition of definitions) {
    if (registry.has(definition.type)) {
      throw new Error(`node type "${definition.type}" is registered twice`);
    }
    registry.set(definition.type, definition);
  }
  return registry;
}

export function outputHandlesOf(
  definition: NodeDefinition,
  config: unknown,
): readonly OutputHandle[] {
  return definition.outputs ? definition.outputs(config) : [{ id: MAIN_HANDLE }];
}
