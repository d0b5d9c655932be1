/**
 * What data a node can read, for the editor: which steps run before it, the run context its
 * expressions see in a test (the sample event and the upstream steps' test outputs), and the
 * expression paths into that data (autocomplete, the data panel's "click to insert"). Pure, so
 * it is unit-tested.
 */
import type { TriggerEvent, WorkflowDocument } from '@hookflow/engine';
import type { DataPath } from '../fields/expression-environment.ts';

export type PathSegment = string | number;

const plainName = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * The JSONata path for a place in the run context: plain names joined with dots, other names
 * in backticks (`` trigger.headers.`x-github-event` ``), array positions as `[0]`.
 */
export function expressionPath(segments: readonly PathSegment[]): string {
  let path = '';
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else {
      const name = plainName.test(segment) ? segment : `\`${segment.replaceAll('`', '')}\``;
      path += path === '' ? name : `.${name}`;
    }
  }
  return path;
}

/** The whole field value that reads one path: `{{ trigger.body.id }}`. */
export function expressionFor(segments: readonly PathSegment[]): string {
  return `{{ ${expressionPath(segments)} }}`;
}

/** The ids of the nodes that run before `nodeId` (its ancestors), in document order. */
export function upstreamNodeIds(
  document: Pick<WorkflowDocument, 'nodes' | 'edges'>,
  nodeId: string,
): string[] {
  const parents = new Map<string, string[]>();
  for (const edge of document.edges) {
    parents.set(edge.target, [...(parents.get(edge.target) ?? []), edge.source]);
  }
  const seen = new Set<string>();
  const queue = [nodeId];
  while (queue.length > 0) {
    for (const parent of parents.get(queue.pop()!) ?? []) {
      if (!seen.has(parent)) {
        seen.add(parent);
        queue.push(parent);
      }
    }
  }
  return document.nodes.filter((node) => seen.has(node.id)).map((node) => node.id);
}

/** The part of a sample request that expressions read as `trigger`. */
export interface SampleEvent {
  method: string;
  path: string;
  headers: Record<string, string>;
  query: Record<string, string | string[]>;
  body?: unknown;
  receivedAt: string | number;
}

export function toTriggerEvent(sample: SampleEvent): TriggerEvent {
  return {
    method: sample.method,
    path: sample.path,
    headers: sample.headers,
    query: sample.query,
    body: sample.body ?? null,
    receivedAt: new Date(sample.receivedAt).toISOString(),
  };
}

export interface NodeDataContext {
  /** What `{{ }}` sees at this node in a test: trigger, steps, input, run, workflow. */
  context: Record<string, unknown> | null;
  /** The upstream steps by key; `hasOutput` is false until a test run reached them. */
  upstream: { id: string; key: string; name: string; hasOutput: boolean; output: unknown }[];
}

/**
 * The data a node's expressions can read in a test: the sample as `trigger`, the upstream
 * steps' last test outputs as `steps.<key>`, and as `input` the output of its first parent that
 * has one. `context` is null without a sample.
 */
export function nodeDataContext(
  document: Pick<WorkflowDocument, 'nodes' | 'edges' | 'name'>,
  nodeId: string | null,
  sample: SampleEvent | null,
  outputs: ReadonlyMap<string, unknown>,
): NodeDataContext {
  const ids =
    nodeId === null
      ? document.nodes.map((node) => node.id)
      : new Set(upstreamNodeIds(document, nodeId));
  const chosen = document.nodes.filter((node) =>
    Array.isArray(ids) ? ids.includes(node.id) : ids.has(node.id),
  );
  const upstream = chosen.map((node) => ({
    id: node.id,
    key: node.key,
    name: node.name,
    hasOutput: outputs.has(node.id),
    output: outputs.get(node.id),
  }));
  if (!sample) return { context: null, upstream };
  const steps: Record<string, unknown> = {};
  for (const step of upstream) if (step.hasOutput) steps[step.key] = step.output;
  const firstParent = document.edges.find(
    (edge) => edge.target === nodeId && outputs.has(edge.source),
  );
  return {
    context: {
      trigger: toTriggerEvent(sample),
      steps,
      input: firstParent ? outputs.get(firstParent.source) : undefined,
      run: { id: 'run_test' },
      workflow: { id: 'test', name: document.name, versionId: 'draft' },
    },
    upstream,
  };
}

const previewLength = 40;

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function previewOf(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') {
    const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
    return text.length > previewLength ? `${text.slice(0, previewLength - 1)}…` : text;
  }
  return undefined;
}

/**
 * Every path into `context` (breadth first, so the shallow ones come first), bounded by
 * `limit` paths and `maxDepth` levels; arrays list their first item only. Upstream steps
 * without output are listed as `steps.<key>` so they can still be completed.
 */
export function listDataPaths(
  data: NodeDataContext,
  { limit = 2000, maxDepth = 8 }: { limit?: number; maxDepth?: number } = {},
): DataPath[] {
  const paths: DataPath[] = [];
  const queue: { segments: PathSegment[]; value: unknown }[] = [];
  if (data.context) {
    for (const name of ['trigger', 'steps', 'input'] as const) {
      if (data.context[name] !== undefined)
        queue.push({ segments: [name], value: data.context[name] });
    }
  } else {
    queue.push({ segments: ['trigger'], value: {} });
  }
  const listed = new Set<string>();
  while (queue.length > 0 && paths.length < limit) {
    const { segments, value } = queue.shift()!;
    const path = expressionPath(segments);
    listed.add(path);
    const preview = previewOf(value);
    paths.push({ path, type: typeOf(value), ...(preview === undefined ? {} : { preview }) });
    if (segments.length >= maxDepth || value === null || typeof value !== 'object') continue;
    if (Array.isArray(value)) {
      if (value.length > 0) queue.push({ segments: [...segments, 0], value: value[0] });
      continue;
    }
    for (const [key, child] of Object.entries(value)) {
      queue.push({ segments: [...segments, key], value: child });
    }
  }
  for (const step of data.upstream) {
    const path = expressionPath(['steps', step.key]);
    if (!listed.has(path) && paths.length < limit) {
      paths.push({ path, type: step.hasOutput ? typeOf(step.output) : 'step' });
    }
  }
  return paths;
}
