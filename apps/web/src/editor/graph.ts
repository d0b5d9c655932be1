/**
 * The conversion between the workflow document (what the API stores) and the canvas's nodes
 * and edges (what React Flow draws). Pure, so it is unit-tested; the store and the page use it.
 */
import {
  MAIN_HANDLE,
  type NodeDefinition,
  WORKFLOW_FORMAT,
  type WorkflowDocument,
  type WorkflowEdge,
  type WorkflowNode,
} from '@hookflow/engine';
import type { Edge, Node } from '@xyflow/react';

/** What a card holds: everything of a document node except its id and position. */
export type WorkflowNodeData = {
  key: string;
  type: string;
  name: string;
  config: Record<string, unknown>;
  onError?: 'stop' | 'continue';
};

export type EditorNode = Node<WorkflowNodeData, 'workflow-node'>;
export type EditorEdge = Edge;

/** The one React Flow node type of the editor: every node type draws as the same card. */
export const NODE_TYPE = 'workflow-node';

/**
 * How large a card is: every card is this wide and at least this tall (styles.css,
 * `.node-card`), which is the height of a card with two lines of summary. A card whose outputs
 * are labelled grows by a row per output. Used to guess where cards not drawn yet are and to
 * centre a dropped node on the pointer.
 */
export const CARD_SIZE = { width: 240, height: 95 };

export function toEditorNode(node: WorkflowNode): EditorNode {
  return {
    id: node.id,
    type: NODE_TYPE,
    position: { ...node.position },
    data: {
      key: node.key,
      type: node.type,
      name: node.name,
      config: node.config,
      ...(node.onError ? { onError: node.onError } : {}),
    },
  };
}

export function toEditorEdge(edge: WorkflowEdge): EditorEdge {
  return {
    id: edge.id,
    source: edge.source,
    // Every output is a named handle on the card; `main` is the one a document may leave out.
    sourceHandle: edge.sourceHandle ?? MAIN_HANDLE,
    target: edge.target,
  };
}

export function toWorkflowNode(node: EditorNode): WorkflowNode {
  const { key, type, name, config, onError } = node.data;
  return {
    id: node.id,
    key,
    type,
    name,
    config,
    position: { x: Math.round(node.position.x), y: Math.round(node.position.y) },
    ...(onError ? { onError } : {}),
  };
}

export function toWorkflowEdge(edge: EditorEdge): WorkflowEdge {
  const handle = edge.sourceHandle ?? MAIN_HANDLE;
  return {
    id: edge.id,
    source: edge.source,
    ...(handle === MAIN_HANDLE ? {} : { sourceHandle: handle }),
    target: edge.target,
  };
}

export function toDocument(parts: {
  name: string;
  nodes: readonly EditorNode[];
  edges: readonly EditorEdge[];
  settings: WorkflowDocument['settings'];
}): WorkflowDocument {
  return {
    format: WORKFLOW_FORMAT,
    name: parts.name,
    nodes: parts.nodes.map(toWorkflowNode),
    edges: parts.edges.map(toWorkflowEdge),
    settings: parts.settings,
  };
}

/** `http-request` -> `http_request`: the start of a key, always a valid one. */
export function keyStem(type: string): string {
  const stem = type
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 50);
  return /^[a-z]/.test(stem) ? stem : `node_${stem}`.replace(/_+$/, '');
}

/**
 * The first `<stem>_<n>` (n from 1) that is neither a key nor an id of the workflow; used as both
 * for a new node, so `filter_1`, then `filter_2`.
 */
export function nextNodeKey(type: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  const stem = keyStem(type);
  for (let n = 1; ; n++) {
    const candidate = `${stem}_${n}`;
    if (!used.has(candidate)) return candidate;
  }
}

/** A node of `definition` at `position`, with its defaults and a key no other node has. */
export function createWorkflowNode(
  definition: NodeDefinition,
  position: { x: number; y: number },
  existing: readonly { id: string; key: string }[],
): WorkflowNode {
  const key = nextNodeKey(
    definition.type,
    existing.flatMap((node) => [node.id, node.key]),
  );
  return {
    id: key,
    key,
    type: definition.type,
    name: definition.label,
    config: structuredClone(definition.defaults) as Record<string, unknown>,
    position: { x: Math.round(position.x), y: Math.round(position.y) },
  };
}

/** A new workflow: just its trigger, ready to be built on in the editor. */
export function newWorkflowDocument(trigger: NodeDefinition, name: string): WorkflowDocument {
  return {
    format: WORKFLOW_FORMAT,
    name,
    nodes: [
      {
        ...createWorkflowNode(trigger, { x: 0, y: 0 }, []),
        id: 'trigger',
        key: 'trigger',
      },
    ],
    edges: [],
    settings: {},
  };
}

/**
 * `position`, or the first spot below it where a card of CARD_SIZE overlaps no other node, so
 * that a node added without a drop point does not hide another.
 */
export function freePosition(
  nodes: readonly {
    position: { x: number; y: number };
    measured?: { width?: number; height?: number };
  }[],
  position: { x: number; y: number },
): { x: number; y: number } {
  const gap = 24;
  const overlaps = (x: number, y: number) =>
    nodes.some((node) => {
      const width = node.measured?.width ?? CARD_SIZE.width;
      const height = node.measured?.height ?? CARD_SIZE.height;
      return (
        x < node.position.x + width + gap &&
        node.position.x < x + CARD_SIZE.width + gap &&
        y < node.position.y + height + gap &&
        node.position.y < y + CARD_SIZE.height + gap
      );
    });
  let { x, y } = position;
  for (let tries = 0; tries < 100 && overlaps(x, y); tries++) y += CARD_SIZE.height / 2;
  return { x, y };
}

/** An edge id no edge of the workflow has. */
export function nextEdgeId(edges: readonly { id: string }[]): string {
  const used = new Set(edges.map((edge) => edge.id));
  for (let n = edges.length + 1; ; n++) {
    const candidate = `e${n}`;
    if (!used.has(candidate)) return candidate;
  }
}

/** True when an edge from `source` to `target` would close a loop. */
export function wouldCreateCycle(
  edges: readonly { source: string; target: string }[],
  source: string,
  target: string,
): boolean {
  if (source === target) return true;
  const children = new Map<string, string[]>();
  for (const edge of edges) {
    const list = children.get(edge.source);
    if (list) list.push(edge.target);
    else children.set(edge.source, [edge.target]);
  }
  // Is `source` reachable from `target`?
  const seen = new Set<string>([target]);
  const queue = [target];
  while (queue.length > 0) {
    const id = queue.pop()!;
    for (const child of children.get(id) ?? []) {
      if (child === source) return true;
      if (!seen.has(child)) {
        seen.add(child);
        queue.push(child);
      }
    }
  }
  return false;
}

const handlesBySource = new WeakMap<readonly EditorEdge[], Map<string, string[]>>();
const noHandles: string[] = [];

/**
 * The output handles of `nodeId` that have edges, worked out once per edge list for every node
 * (each card asks for its own on every change of the editor's state).
 */
export function usedSourceHandles(edges: readonly EditorEdge[], nodeId: string): string[] {
  let bySource = handlesBySource.get(edges);
  if (!bySource) {
    bySource = new Map();
    for (const edge of edges) {
      const handles = bySource.get(edge.source) ?? [];
      const handle = edge.sourceHandle ?? 'main';
      if (!handles.includes(handle)) handles.push(handle);
      bySource.set(edge.source, handles);
    }
    handlesBySource.set(edges, bySource);
  }
  return bySource.get(nodeId) ?? noHandles;
}
