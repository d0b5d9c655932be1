/**
 * The editor's state: the canvas's nodes and edges, the workflow's name, and every change to
 * them. React Flow reads nodes and edges from here and reports changes to the handlers here
 * (the documented React Flow + zustand pattern); the cards and the config panel call the
 * actions. Undo and redo come from zundo, over the name, nodes and edges.
 *
 * What counts as one undoable edit: adding, connecting, deleting (a node with its edges), a
 * whole move (from the drag's start to its end), a config or name change (keystrokes on one
 * field within a second are one edit). Selection and measuring are not edits.
 */
import { type NodeRegistry, setFormFieldValue, type WorkflowDocument } from '@hookflow/engine';
import {
  addEdge,
  applyEdgeChanges,
  applyNodeChanges,
  type Connection,
  type EdgeChange,
  type NodeChange,
} from '@xyflow/react';
import { type TemporalState, temporal } from 'zundo';
import { createStore, type StoreApi } from 'zustand';
import {
  copyFragment,
  type NodeFragment,
  pasteFragment,
  placeInView,
  type ViewRect,
} from './clipboard.ts';
import {
  CARD_SIZE,
  createWorkflowNode,
  type EditorEdge,
  type EditorNode,
  nextEdgeId,
  toDocument,
  toEditorEdge,
  toEditorNode,
  toWorkflowEdge,
  toWorkflowNode,
  type WorkflowNodeData,
  wouldCreateCycle,
} from './graph.ts';
import { layoutPositions } from './layout.ts';

/** Changes to one field closer together than this are one undo step. */
const TYPING_MERGE_MS = 1000;
const HISTORY_LIMIT = 200;

export interface EditorState {
  name: string;
  nodes: EditorNode[];
  edges: EditorEdge[];
  settings: WorkflowDocument['settings'];
  /**
   * The workflow document of the current state; a new object only when the content changes
   * (a moved node counts once the move ends), so it drives validation and autosave.
   */
  document: WorkflowDocument;

  onNodesChange(changes: NodeChange<EditorNode>[]): void;
  onEdgesChange(changes: EdgeChange<EditorEdge>[]): void;
  onConnect(connection: Connection): void;
  /** Whether a connection may be drawn: not into itself, not twice, not in a loop. */
  canConnect(connection: Connection | EditorEdge): boolean;
  /** Adds a node of `type` (selected) and returns its id; null for an unknown type. */
  addNode(type: string, position: { x: number; y: number }): string | null;
  updateNode(id: string, patch: Partial<Pick<WorkflowNodeData, 'name' | 'key' | 'onError'>>): void;
  /**
   * Sets one config field (or a value inside one: a dotted form field such as `auth.secrets`);
   * `undefined` removes it, so the schema's default applies.
   */
  setConfigField(id: string, field: string, value: unknown): void;
  deleteNode(id: string): void;
  setName(name: string): void;
  /** Selects one node (or none) and nothing else. */
  selectNode(id: string | null): void;
  /** Deletes every selected node and edge (and the edges of the deleted nodes): one edit. */
  deleteSelected(): void;
  /** The selected nodes with the edges between them, for the clipboard; null when none. */
  copySelection(): NodeFragment | null;
  /**
   * Adds a copied fragment (fresh ids and keys, moved aside), selected: one edit. With the
   * part of the canvas in view, nodes that would land outside it are brought into it.
   */
  pasteNodes(fragment: NodeFragment, view?: ViewRect): void;
  /** Replaces the whole workflow (a restored version): one edit, so undo brings back the rest. */
  loadDocument(document: WorkflowDocument): void;
  /** Places every node by the auto-layout: one edit. */
  arrange(): void;
  /**
   * Adds a node of `type` at `position` connected from `from`'s output (quick-add from an
   * edge dropped on the canvas): one edit. Returns its id, or null.
   */
  addConnectedNode(
    type: string,
    position: { x: number; y: number },
    from: { source: string; sourceHandle: string | null },
  ): string | null;
  undo(): void;
  redo(): void;
}

type UndoableState = Pick<EditorState, 'name' | 'nodes' | 'edges'>;

export type EditorStore = StoreApi<EditorState> & {
  temporal: StoreApi<TemporalState<UndoableState>>;
};

export interface EditorStoreOptions {
  registry: NodeRegistry;
  /** The clock that decides which keystrokes merge into one undo step. */
  now?: () => number;
}

/** Same content: names, node ids, data and positions, and edges; selection and sizes ignored. */
export function sameContent(a: UndoableState, b: UndoableState): boolean {
  if (a.name !== b.name || a.nodes.length !== b.nodes.length) return false;
  if (a.edges.length !== b.edges.length) return false;
  for (const [index, x] of a.nodes.entries()) {
    const y = b.nodes[index]!;
    if (x.id !== y.id || x.data !== y.data) return false;
    if (x.position.x !== y.position.x || x.position.y !== y.position.y) return false;
  }
  for (const [index, x] of a.edges.entries()) {
    const y = b.edges[index]!;
    if (x.id !== y.id || x.source !== y.source || x.target !== y.target) return false;
    if ((x.sourceHandle ?? null) !== (y.sourceHandle ?? null)) return false;
  }
  return true;
}

/** A change to the content, not just selection or measuring (which keep typing going). */
const isEdit = (change: { type: string }) =>
  change.type !== 'select' && change.type !== 'dimensions';

/**
 * A store for one workflow being edited.
 *
 * @example
 * const store = createEditorStore(workflow.document, { registry: nodeRegistry });
 * store.getState().addNode('filter', { x: 300, y: 0 }); // 'filter_1'
 * store.getState().undo();
 */
export function createEditorStore(
  initial: WorkflowDocument,
  { registry, now = Date.now }: EditorStoreOptions,
): EditorStore {
  /** A drag is one edit: its first position change is recorded, the rest are not. */
  let dragging = false;
  /** React Flow deletes a node's edges, then the node: one edit. */
  let deletingEdges = false;
  let lastTyping: { key: string; at: number } | null = null;

  const store: EditorStore = createStore<EditorState>()(
    temporal(
      (set, get) => {
        const untracked = (apply: () => void) => {
          const history = store.temporal.getState();
          if (!history.isTracking) return apply();
          history.pause();
          try {
            apply();
          } finally {
            history.resume();
          }
        };

        /** Runs an edit; one that continues typing into the same field joins the last step. */
        const typing = (key: string, apply: () => void) => {
          const at = now();
          const joins = lastTyping?.key === key && at - lastTyping.at < TYPING_MERGE_MS;
          lastTyping = { key, at };
          if (joins) untracked(apply);
          else apply();
        };

        const updateData = (id: string, update: (data: WorkflowNodeData) => WorkflowNodeData) =>
          set({
            nodes: get().nodes.map((node) =>
              node.id === id ? { ...node, data: update(node.data) } : node,
            ),
          });

        return {
          name: initial.name,
          nodes: initial.nodes.map(toEditorNode),
          edges: initial.edges.map(toEditorEdge),
          settings: initial.settings,
          document: initial,

          onNodesChange(changes) {
            if (changes.some(isEdit)) lastTyping = null;
            const apply = () => set({ nodes: applyNodeChanges(changes, get().nodes) });
            const drag = changes.find((change) => change.type === 'position');
            const removes = changes.some((change) => change.type === 'remove');
            if (drag?.dragging === true) {
              if (dragging) untracked(apply);
              else {
                dragging = true;
                apply();
              }
            } else if (drag?.dragging === false && dragging) {
              dragging = false;
              untracked(apply);
            } else if (removes && deletingEdges) {
              untracked(apply);
            } else {
              apply();
            }
          },

          onEdgesChange(changes) {
            if (changes.some(isEdit)) lastTyping = null;
            if (changes.some((change) => change.type === 'remove')) {
              deletingEdges = true;
              queueMicrotask(() => {
                deletingEdges = false;
              });
            }
            set({ edges: applyEdgeChanges(changes, get().edges) });
          },

          onConnect(connection) {
            lastTyping = null;
            if (!get().canConnect(connection)) return;
            const { edges } = get();
            const edge: EditorEdge = {
              id: nextEdgeId(edges),
              source: connection.source,
              sourceHandle: connection.sourceHandle ?? 'main',
              target: connection.target,
            };
            set({ edges: addEdge(edge, edges) });
          },

          canConnect(connection) {
            const { nodes, edges } = get();
            const target = nodes.find((node) => node.id === connection.target);
            if (!target || registry.get(target.data.type)?.trigger) return false;
            const handle = connection.sourceHandle ?? 'main';
            const duplicate = edges.some(
              (edge) =>
                edge.source === connection.source &&
                (edge.sourceHandle ?? 'main') === handle &&
                edge.target === connection.target,
            );
            return !duplicate && !wouldCreateCycle(edges, connection.source, connection.target);
          },

          addNode(type, position) {
            const definition = registry.get(type);
            if (!definition) return null;
            lastTyping = null;
            const { nodes } = get();
            const node = toEditorNode(
              createWorkflowNode(
                definition,
                position,
                nodes.map((n) => ({ id: n.id, key: n.data.key })),
              ),
            );
            set({
              nodes: [
                ...nodes.map((n) => (n.selected ? { ...n, selected: false } : n)),
                { ...node, selected: true },
              ],
              edges: get().edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
            });
            return node.id;
          },

          updateNode(id, patch) {
            const field = Object.keys(patch).join(',');
            typing(`${id}:${field}`, () => updateData(id, (data) => ({ ...data, ...patch })));
          },

          setConfigField(id, field, value) {
            typing(`${id}:config.${field}`, () =>
              updateData(id, (data) => ({
                ...data,
                config: setFormFieldValue(data.config, field, value),
              })),
            );
          },

          deleteNode(id) {
            lastTyping = null;
            set({
              nodes: get().nodes.filter((node) => node.id !== id),
              edges: get().edges.filter((edge) => edge.source !== id && edge.target !== id),
            });
          },

          setName(name) {
            typing('name', () => set({ name }));
          },

          undo() {
            lastTyping = null;
            store.temporal.getState().undo();
          },

          redo() {
            lastTyping = null;
            store.temporal.getState().redo();
          },

          deleteSelected() {
            lastTyping = null;
            const gone = new Set(
              get()
                .nodes.filter((node) => node.selected)
                .map((node) => node.id),
            );
            set({
              nodes: get().nodes.filter((node) => !gone.has(node.id)),
              edges: get().edges.filter(
                (edge) => !edge.selected && !gone.has(edge.source) && !gone.has(edge.target),
              ),
            });
          },

          copySelection() {
            const { nodes, edges } = get();
            return copyFragment(
              nodes.filter((node) => node.selected).map(toWorkflowNode),
              edges.map(toWorkflowEdge),
            );
          },

          pasteNodes(fragment, view) {
            lastTyping = null;
            const { nodes, edges } = get();
            const pasted = pasteFragment(
              fragment,
              {
                nodes: nodes.map((node) => ({
                  id: node.id,
                  key: node.data.key,
                  type: node.data.type,
                })),
                edges,
              },
              registry,
            );
            if (pasted.nodes.length === 0) return;
            const placed = view ? placeInView(pasted.nodes, view, CARD_SIZE) : pasted.nodes;
            set({
              nodes: [
                ...nodes.map((n) => (n.selected ? { ...n, selected: false } : n)),
                ...placed.map((node) => ({ ...toEditorNode(node), selected: true })),
              ],
              edges: [
                ...edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
                ...pasted.edges.map(toEditorEdge),
              ],
            });
          },

          loadDocument(document) {
            lastTyping = null;
            set({
              name: document.name,
              nodes: document.nodes.map(toEditorNode),
              edges: document.edges.map(toEditorEdge),
              settings: document.settings,
            });
          },

          arrange() {
            lastTyping = null;
            const { nodes, edges } = get();
            if (nodes.length === 0) return;
            const positions = layoutPositions(nodes, edges);
            set({
              nodes: nodes.map((node) => {
                const position = positions.get(node.id);
                return position ? { ...node, position } : node;
              }),
            });
          },

          addConnectedNode(type, position, from) {
            const history = store.temporal.getState();
            // Adding and connecting are one step: record the state before, then neither.
            const id = get().addNode(type, position);
            if (id === null) return null;
            const connection = {
              source: from.source,
              sourceHandle: from.sourceHandle,
              target: id,
              targetHandle: null,
            };
            if (get().canConnect(connection)) {
              history.pause();
              try {
                get().onConnect(connection);
              } finally {
                history.resume();
              }
            }
            return id;
          },

          selectNode(id) {
            set({
              nodes: get().nodes.map((node) =>
                (node.selected ?? false) === (node.id === id)
                  ? node
                  : { ...node, selected: node.id === id },
              ),
              edges: get().edges.map((edge) =>
                edge.selected ? { ...edge, selected: false } : edge,
              ),
            });
          },
        };
      },
      {
        partialize: ({ name, nodes, edges }): UndoableState => ({ name, nodes, edges }),
        equality: sameContent,
        limit: HISTORY_LIMIT,
      },
    ),
  );

  // Keeps `document` in step with the content; a move counts when it ends.
  let documentSource: UndoableState = store.getState();
  store.subscribe((state) => {
    if (sameContent(documentSource, state)) return;
    if (state.nodes.some((node) => node.dragging)) return;
    documentSource = state;
    store.setState({ document: toDocument(state) });
  });

  return store;
}
