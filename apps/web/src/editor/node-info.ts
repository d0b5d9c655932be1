/**
 * What the card and the config panel read from a node's definition: its effective config,
 * output handles and summary line. Everything comes from the definition; a node whose config
 * is invalid (mid-edit) still gets a card, never an exception.
 */
import {
  ERROR_HANDLE,
  formFieldValue,
  MAIN_HANDLE,
  type NodeDefinition,
  type OutputHandle,
} from '@hookflow/engine';
import { type NodeHandle, Position } from '@xyflow/react';
import { CARD_SIZE, type WorkflowNodeData } from './graph.ts';

export interface NodeOutput extends OutputHandle {
  /** Edges leave it, but the node's config no longer declares it (a removed route). */
  stale?: boolean;
}

const defaultsCache = new WeakMap<NodeDefinition, Record<string, unknown>>();

/** The definition's defaults with the schema's own defaults filled in: what an unset field means. */
export function effectiveDefaults(definition: NodeDefinition): Record<string, unknown> {
  let defaults = defaultsCache.get(definition);
  if (!defaults) {
    const parsed = definition.config.safeParse(definition.defaults);
    defaults = isRecord(parsed.data)
      ? parsed.data
      : isRecord(definition.defaults)
        ? definition.defaults
        : {};
    defaultsCache.set(definition, defaults);
  }
  return defaults;
}

const parsedCache = new WeakMap<NodeDefinition, WeakMap<Record<string, unknown>, unknown>>();

/**
 * The config as the node will run it, or null while it does not fit the schema. Kept by config
 * object (the editor replaces a config on change, never edits it): the card's summary and its
 * handles ask for the same one, and a card drawn again as it comes back into view asks again.
 */
export function parseConfig(definition: NodeDefinition, config: Record<string, unknown>): unknown {
  let byConfig = parsedCache.get(definition);
  if (!byConfig) {
    byConfig = new WeakMap();
    parsedCache.set(definition, byConfig);
  }
  if (byConfig.has(config)) return byConfig.get(config);
  const parsed = definition.config.safeParse(config);
  const result = parsed.success ? parsed.data : null;
  byConfig.set(config, result);
  return result;
}

/**
 * The output handles a card shows: the definition's (one `main` when it declares none), `error`
 * when the node continues on failure, and any handle an edge still leaves from.
 */
export function nodeOutputs(
  definition: NodeDefinition | undefined,
  data: WorkflowNodeData,
  usedHandles: readonly string[] = [],
): NodeOutput[] {
  let declared: readonly OutputHandle[] = [{ id: MAIN_HANDLE }];
  if (definition?.outputs) {
    const config = parseConfig(definition, data.config);
    declared = config === null ? [] : (safely(() => definition.outputs!(config)) ?? []);
  }
  const outputs: NodeOutput[] = declared.map((handle) => ({ ...handle }));
  if (data.onError === 'continue') outputs.push({ id: ERROR_HANDLE, label: 'Error' });
  for (const handle of usedHandles) {
    if (!outputs.some((output) => output.id === handle)) {
      outputs.push({ id: handle, label: handle, stale: true });
    }
  }
  return outputs;
}

/**
 * The card's one-line description from the definition's summary(). A config that does not
 * parse (often because a field holds an expression) is summarised over the defaults; a summary
 * that throws gives no line.
 */
export function nodeSummary(
  definition: NodeDefinition | undefined,
  config: Record<string, unknown>,
): string | null {
  if (!definition?.summary) return null;
  const summarize = definition.summary;
  const parsed = parseConfig(definition, config);
  const line = safely(() => summarize(parsed ?? { ...effectiveDefaults(definition), ...config }));
  return typeof line === 'string' && line.trim() !== '' ? line : null;
}

/**
 * The value a form field shows: the config's own, else what the schema fills in. `field` may be
 * a dotted path into an object field (`auth.type`).
 */
export function effectiveValue(
  definition: NodeDefinition,
  config: Record<string, unknown>,
  field: string,
): unknown {
  const own = formFieldValue(config, field);
  return own !== undefined ? own : formFieldValue(effectiveDefaults(definition), field);
}

function safely<T>(compute: () => T): T | null {
  try {
    return compute();
  } catch {
    return null;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Handles as styles.css draws them: 12 px square, centred on the card's 1 px border. */
const HANDLE_SIZE = 12;
const OUTPUT_ROW = 22;
/** Where a card's list of labelled outputs starts, below its header and summary. */
const OUTPUTS_TOP = 76;

/**
 * Whether a card labels its outputs (a row per output, its handle on the row): it has several,
 * or one that is not `main`.
 */
export function hasLabelledOutputs(outputs: readonly NodeOutput[]): boolean {
  return outputs.length > 1 || outputs.some((output) => output.id !== MAIN_HANDLE);
}

/**
 * Where a card's handles probably are, before it has been drawn: React Flow draws an edge
 * from these and decides from the size which cards are in view, so a large workflow draws only
 * what is on screen. A card that is drawn is measured, and its measured handles replace these.
 */
export function estimatedHandles(outputs: readonly NodeOutput[], trigger: boolean): NodeHandle[] {
  const labelled = hasLabelledOutputs(outputs);
  const middle = CARD_SIZE.height / 2 - HANDLE_SIZE / 2;
  const handles: NodeHandle[] = outputs.map((output, index) => ({
    id: output.id,
    type: 'source',
    position: Position.Right,
    x: CARD_SIZE.width - HANDLE_SIZE / 2 - 1,
    y: labelled ? OUTPUTS_TOP - HANDLE_SIZE / 2 + index * OUTPUT_ROW : middle,
    width: HANDLE_SIZE,
    height: HANDLE_SIZE,
  }));
  if (!trigger) {
    handles.push({
      id: null,
      type: 'target',
      position: Position.Left,
      x: -HANDLE_SIZE / 2 + 1,
      y: middle,
      width: HANDLE_SIZE,
      height: HANDLE_SIZE,
    });
  }
  return handles;
}
