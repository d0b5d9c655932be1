import type { z } from 'zod';
import { type CredentialResolver, type CredentialType, isCredentialRef } from './credentials.ts';

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
  /**
   * The credential store, for the references (`{ "$credential": id }`) in node configs. The
   * executor resolves them before a node runs; without it, a reference fails its step.
   */
  credentials?: CredentialResolver;
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
  /**
   * The config property this field edits: a top-level name, or a dotted path into an object
   * field (`auth.secrets`) for a widget that edits part of it.
   */
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
  | (BaseField & { kind: 'json'; expression?: boolean })
  | (BaseField & {
      kind: 'credential';
      /** The credential types that fit here: the picker offers these, validation checks them. */
      credentialTypes: readonly CredentialType[];
      /** The field holds a list of references (one secret, two while rotating), at most this many. */
      maxItems?: number;
      /** Offers "custom" too: the value written as JSON, expressions allowed (a token from a step). */
      expression?: boolean;
    });

/** The value a form field edits: `config[field]`, or the value at a dotted path. */
export function formFieldValue(config: Record<string, unknown>, field: string): unknown {
  let value: unknown = config;
  for (const part of field.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = Object.hasOwn(value, part) ? (value as Record<string, unknown>)[part] : undefined;
  }
  return value;
}

/**
 * A copy of `config` with the form field's value set (undefined removes it); objects on a dotted
 * path are copied, and created when missing.
 */
export function setFormFieldValue(
  config: Record<string, unknown>,
  field: string,
  value: unknown,
): Record<string, unknown> {
  const [head, ...rest] = field.split('.');
  const copy = { ...config };
  if (head === undefined) return copy;
  if (rest.length === 0) {
    if (value === undefined) delete copy[head];
    else copy[head] = value;
    return copy;
  }
  const inner = copy[head];
  const base =
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? (inner as Record<string, unknown>)
      : {};
  copy[head] = setFormFieldValue(base, rest.join('.'), value);
  return copy;
}

export interface OutputHandle {
  id: string;
  label?: string;
}

/** What a secret looks like in anything recorded or shown. */
export const SECRET_MASK = '••••••';

/**
 * A copy of `config` with the values at `paths` (dotted) replaced by SECRET_MASK. Credential
 * references stay: they are ids, not secrets (a list of secrets that holds one keeps it and has
 * its other items masked one by one).
 */
export function maskSecrets(config: unknown, paths: readonly string[] | undefined): unknown {
  if (!paths || paths.length === 0 || config === null || typeof config !== 'object') return config;
  if (isCredentialRef(config)) return config;
  const copy: Record<string, unknown> = { ...(config as Record<string, unknown>) };
  for (const path of paths) {
    const [head, ...rest] = path.split('.');
    if (head === undefined || !(head in copy)) continue;
    if (rest.length === 0) {
      const value = copy[head];
      if (Array.isArray(value) && value.some(isCredentialRef)) {
        copy[head] = value.map((item) => (isCredentialRef(item) ? item : SECRET_MASK));
      } else if (value !== undefined && value !== null && value !== '' && !isCredentialRef(value))
        copy[head] = SECRET_MASK;
    } else {
      copy[head] = maskSecrets(copy[head], [rest.join('.')]);
    }
  }
  return copy;
}

const splitPaths = new Map<string, readonly string[]>();
/** `a.b.c` as its parts, split once per path: secret fields are looked up on every step. */
function splitPath(path: string): readonly string[] {
  let parts = splitPaths.get(path);
  if (!parts) {
    parts = path.split('.');
    splitPaths.set(path, parts);
  }
  return parts;
}

/** The text values at `paths` (dotted; arrays of texts count): what maskSecrets hides. */
export function secretValues(config: unknown, paths: readonly string[] | undefined): string[] {
  const found: string[] = [];
  const collect = (value: unknown, rest: readonly string[]) => {
    if (Array.isArray(value)) {
      for (const item of value) collect(item, rest);
    } else if (rest.length === 0) {
      if (typeof value === 'string' && value !== '') found.push(value);
    } else if (value !== null && typeof value === 'object') {
      const [head, ...tail] = rest;
      if (head !== undefined && Object.hasOwn(value, head)) {
        collect((value as Record<string, unknown>)[head], tail);
      }
    }
  };
  for (const path of paths ?? []) collect(config, splitPath(path));
  return found;
}

/**
 * Shorter secrets are not searched for: masking every "abc" in a body would garble it, and
 * such a secret is guessable anyway.
 */
export const MIN_SCRUBBED_LENGTH = 8;

export interface SecretScrubber {
  /** False when there is nothing to scrub: then text() and value() return their input. */
  readonly active: boolean;
  text(text: string): string;
  value<T>(value: T): T;
}

/** The scrubber of a run without secrets: nothing to look for, nothing copied. */
const NO_SECRETS: SecretScrubber = {
  active: false,
  text: (input) => input,
  value: (input) => input,
};

/**
 * Replaces known secret values with SECRET_MASK wherever they appear in text: as written,
 * URL-encoded (`%40`, and `+` for spaces) and inside base64 (standard or URL-safe, at any
 * alignment, so `Basic base64(user:password)` is caught through its password). `value()`
 * copies a JSON-like value with every string (and object key) scrubbed.
 *
 * @example
 * const scrub = createSecretScrubber(['s3cret-token']);
 * scrub.text('echo: s3cret-token'); // 'echo: ••••••'
 */
export function createSecretScrubber(secrets: Iterable<string>): SecretScrubber {
  const forms = new Set<string>();
  let encoder: InstanceType<typeof TextEncoder> | undefined;
  for (const secret of secrets) {
    if (secret.length < MIN_SCRUBBED_LENGTH) continue;
    encoder ??= new TextEncoder();
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
    forms.add(new URLSearchParams({ s: secret }).toString().slice(2));
    const bytes = encoder.encode(secret);
    for (let shift = 0; shift < 3; shift++) {
      const core = base64Core(bytes, shift);
      if (core.length >= MIN_SCRUBBED_LENGTH) {
        forms.add(core);
        forms.add(core.replaceAll('+', '-').replaceAll('/', '_'));
      }
    }
  }
  if (forms.size === 0) return NO_SECRETS;
  // Longest first, so that a form containing another is replaced whole. One pass over each text
  // with an alternation of literals: no backtracking, and one scan instead of one per form.
  const ordered = [...forms].sort((a, b) => b.length - a.length);
  const pattern = new RegExp(
    ordered.map((form) => form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'),
    'g',
  );
  const text = (input: string) => input.replace(pattern, SECRET_MASK);
  // Returns its input itself when nothing in it changed: most outputs hold no secret, and
  // copying them would cost more than looking.
  const value = (input: unknown): unknown => {
    if (typeof input === 'string') return text(input);
    if (input === null || typeof input !== 'object') return input;
    if (Array.isArray(input)) {
      const items = input.map(value);
      return items.every((item, index) => item === input[index]) ? input : items;
    }
    const entries = Object.entries(input).map(([key, item]): [string, string, unknown, unknown] => [
      key,
      text(key),
      item,
      value(item),
    ]);
    if (entries.every(([key, newKey, item, newItem]) => key === newKey && item === newItem)) {
      return input;
    }
    const copy: Record<string, unknown> = {};
    for (const [, key, , item] of entries) {
      // defineProperty: a key named __proto__ stays an own key of the copy.
      Object.defineProperty(copy, key, {
        value: item,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return copy;
  };
  return {
    active: ordered.length > 0,
    text: ordered.length > 0 ? text : (input) => input,
    value: <T>(input: T): T => (ordered.length > 0 ? (value(input) as T) : input),
  };
}

/**
 * The base64 characters that encode only `bytes` when they follow `shift` other bytes: what
 * any base64 text containing those bytes at that alignment contains.
 */
function base64Core(bytes: Uint8Array, shift: number): string {
  const padded = new Uint8Array(shift + bytes.length);
  padded.set(bytes, shift);
  let binary = '';
  for (const byte of padded) binary += String.fromCharCode(byte);
  const encoded = btoa(binary);
  const first = Math.ceil((shift * 8) / 6);
  const end = Math.floor(((shift + bytes.length) * 8) / 6);
  return encoded.slice(first, end);
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

/**
 * What a node does outside its run (sends a request, waits) and how it stands in for that in a
 * dry run, where nothing may act: checking a draft against past traffic replays real events
 * through it. Every node type whose run() reaches outside the run declares this; the executor
 * knows no node type by name.
 */
export interface SideEffects<Config> {
  /** What run() does outside the run, in a few words: "sends an HTTP request". */
  summary: string;
  /**
   * What run() would do with this config, as plain JSON data, acting on nothing, secrets masked:
   * the HTTP request node's `{ request: { method, url, headers, body } }`. A check compares it
   * between a recorded run (from its step's recorded config) and a dry run of the draft.
   */
  effect(config: Config): Record<string, unknown>;
  /**
   * The step's output in a dry run instead of run()'s; it must not act either. Without it the
   * output is `{ dryRun: true, ...effect(config) }`. A delay gives its input: a dry run never
   * waits.
   */
  dryRun?(context: NodeRunContext<Config>): unknown;
}

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
  /** Declared by a node whose run() acts outside the run; see SideEffects. */
  sideEffects?: SideEffects<z.output<Schema>>;
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

/**
 * What a node does in a dry run: its `sideEffects.dryRun`, else its effect marked `dryRun`; a
 * node without side effects runs as always.
 */
export function runDry(definition: NodeDefinition, context: NodeRunContext<unknown>): unknown {
  const effects = definition.sideEffects;
  if (!effects) return definition.run(context);
  if (effects.dryRun) return effects.dryRun(context);
  return { dryRun: true, ...effects.effect(context.config) };
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
