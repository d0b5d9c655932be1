/**
 * Copy and paste of nodes with the edges between them, within a workflow and between
 * workflows (through the system clipboard, or this browser's storage when the clipboard is
 * not available). Pure, so it is unit-tested; the store applies the result as one edit.
 */
import {
  type NodeRegistry,
  type WorkflowEdge,
  type WorkflowNode,
  workflowEdgeSchema,
  workflowNodeSchema,
} from '@hookflow/engine';
import { nextEdgeId, nextNodeKey } from './graph.ts';

export const CLIPBOARD_FORMAT = 'hookflow/nodes@1';
/** Where the last copy is also kept, for browsers that refuse clipboard access. */
export const CLIPBOARD_STORAGE_KEY = 'hookflow.clipboard';

const nodesSchema = workflowNodeSchema.array().min(1);
const edgesSchema = workflowEdgeSchema.array();

export interface NodeFragment {
  format: typeof CLIPBOARD_FORMAT;
  nodes: WorkflowNode[];
  edges: WorkflowEdge[];
}

/** The chosen nodes and only the edges that run between two of them. */
export function copyFragment(
  nodes: readonly WorkflowNode[],
  edges: readonly WorkflowEdge[],
): NodeFragment | null {
  if (nodes.length === 0) return null;
  const ids = new Set(nodes.map((node) => node.id));
  return {
    format: CLIPBOARD_FORMAT,
    nodes: structuredClone([...nodes]),
    edges: edges.filter((edge) => ids.has(edge.source) && ids.has(edge.target)),
  };
}

/** Reads a fragment from clipboard text; null for anything else (text the user copied). */
export function parseFragment(text: string | null | undefined): NodeFragment | null {
  if (!text?.includes(CLIPBOARD_FORMAT)) return null;
  let value: { format?: unknown; nodes?: unknown; edges?: unknown };
  try {
    value = JSON.parse(text) as typeof value;
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object' || value.format !== CLIPBOARD_FORMAT) return null;
  const nodes = nodesSchema.safeParse(value.nodes);
  const edges = edgesSchema.safeParse(value.edges);
  return nodes.success && edges.success
    ? { format: CLIPBOARD_FORMAT, nodes: nodes.data, edges: edges.data }
    : null;
}

/** How far a pasted copy sits from where it was copied, so it does not hide the original. */
export const PASTE_OFFSET = 40;

/**
 * The nodes and edges to add for a paste: fresh ids and keys (a key that is taken becomes the
 * next free one, and the pasted nodes' expressions follow the rename), positions moved by
 * `offset`. A trigger is left out when the workflow already has one.
 */
export function pasteFragment(
  fragment: NodeFragment,
  existing: {
    nodes: readonly { id: string; key: string; type: string }[];
    edges: readonly { id: string }[];
  },
  registry: NodeRegistry,
  offset = PASTE_OFFSET,
): { nodes: WorkflowNode[]; edges: WorkflowEdge[] } {
  const hasTrigger = existing.nodes.some((node) => registry.get(node.type)?.trigger);
  const taken = new Set(existing.nodes.flatMap((node) => [node.id, node.key]));
  const ids = new Map<string, string>();
  const renamed = new Map<string, string>();
  const nodes: WorkflowNode[] = [];
  for (const node of fragment.nodes) {
    if (hasTrigger && registry.get(node.type)?.trigger) continue;
    // `filter_1` taken: the next free `filter_<n>`.
    const clash = taken.has(node.key) || taken.has(node.id);
    const key = clash ? nextNodeKey(node.key.replace(/_\d+$/, ''), taken) : node.key;
    taken.add(key);
    ids.set(node.id, key);
    if (key !== node.key) renamed.set(node.key, key);
    nodes.push({
      ...structuredClone(node),
      id: key,
      key,
      position: { x: node.position.x + offset, y: node.position.y + offset },
    });
  }
  if (renamed.size > 0) {
    for (const node of nodes) node.config = renameStepReferences(node.config, renamed);
  }
  const edges: WorkflowEdge[] = [];
  const allEdges: { id: string }[] = [...existing.edges];
  for (const edge of fragment.edges) {
    const source = ids.get(edge.source);
    const target = ids.get(edge.target);
    if (!source || !target) continue;
    const added: WorkflowEdge = { ...edge, id: nextEdgeId(allEdges), source, target };
    allEdges.push(added);
    edges.push(added);
  }
  return { nodes, edges };
}

/** `steps.<old>` becomes `steps.<new>` in every string of a config. */
function renameStepReferences(
  config: Record<string, unknown>,
  renamed: ReadonlyMap<string, string>,
): Record<string, unknown> {
  let json = JSON.stringify(config);
  for (const [from, to] of renamed) {
    // Keys are slugs ([a-z0-9_]), so they are safe inside a pattern.
    json = json.replace(new RegExp(`steps\\.${from}\\b`, 'g'), `steps.${to}`);
  }
  return JSON.parse(json) as Record<string, unknown>;
}

export interface ViewRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Pasted nodes where the person is looking: left where they are when all of them are in
 * `view` (pasting beside the copied nodes), else moved together so they sit in its middle
 * (pasting into another workflow, or after scrolling away).
 */
export function placeInView<Node extends { position: { x: number; y: number } }>(
  nodes: readonly Node[],
  view: ViewRect,
  cardSize: { width: number; height: number },
): Node[] {
  if (nodes.length === 0) return [];
  const left = Math.min(...nodes.map((node) => node.position.x));
  const top = Math.min(...nodes.map((node) => node.position.y));
  const right = Math.max(...nodes.map((node) => node.position.x)) + cardSize.width;
  const bottom = Math.max(...nodes.map((node) => node.position.y)) + cardSize.height;
  const inside =
    left >= view.x &&
    top >= view.y &&
    right <= view.x + view.width &&
    bottom <= view.y + view.height;
  if (inside) return [...nodes];
  const dx = view.x + view.width / 2 - (left + right) / 2;
  const dy = view.y + view.height / 2 - (top + bottom) / 2;
  return nodes.map((node) => ({
    ...node,
    position: { x: Math.round(node.position.x + dx), y: Math.round(node.position.y + dy) },
  }));
}
