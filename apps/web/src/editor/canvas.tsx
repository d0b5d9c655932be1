import { nodes as nodeDefinitions, nodeRegistry } from '@hookflow/nodes';
import {
  Background,
  BackgroundVariant,
  ControlButton,
  Controls,
  type FinalConnectionState,
  getNodesBounds,
  getViewportForBounds,
  type NodeChange,
  type NodeTypes,
  ReactFlow,
  useNodesInitialized,
  useReactFlow,
  useStore,
  useStoreApi,
  type Viewport,
} from '@xyflow/react';
import {
  type DragEvent,
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { useShallow } from 'zustand/react/shallow';
import { usePermission } from '../account/session.tsx';
import { useEditor } from './editor-context.tsx';
import {
  CARD_SIZE,
  type EditorEdge,
  type EditorNode,
  NODE_TYPE,
  usedSourceHandles,
} from './graph.ts';
import { NodeCard } from './node-card.tsx';
import { estimatedHandles, nodeOutputs } from './node-info.ts';
import { OverviewMap } from './overview-map.tsx';
import { NODE_DRAG_TYPE } from './palette.tsx';
import { BOX_SELECT_KEY, DELETE_KEYS, MULTI_SELECT_KEYS } from './shortcuts.ts';

/** Built once: React Flow re-creates every node when this object changes. */
const nodeTypes: NodeTypes = { [NODE_TYPE]: NodeCard };

/**
 * Cards out of view are not drawn, so not measured: `includeHiddenNodes` makes the fit count
 * them by their guessed size (the editor hides no node otherwise).
 */
export const fitViewOptions = { padding: 0.3, maxZoom: 1, includeHiddenNodes: true };
const MIN_ZOOM = 0.2;
// From the shortcut table, which the help dialog lists.
const deleteKeys = [...DELETE_KEYS];
const multiSelectKeys = [...MULTI_SELECT_KEYS];

/** Where an edge was dropped on empty canvas: the quick-add list opens there. */
interface QuickAddSpot {
  screen: { x: number; y: number };
  flow: { x: number; y: number };
  source: string;
  sourceHandle: string | null;
}
/** Guessed sizes by node object: React Flow keeps what it knows of a node while its object stays. */
const guessed = new WeakMap<EditorNode, EditorNode>();

function withGuessedSize(node: EditorNode, edges: readonly EditorEdge[]): EditorNode {
  let estimate = guessed.get(node);
  if (!estimate) {
    const definition = nodeRegistry.get(node.data.type);
    const outputs = nodeOutputs(definition, node.data, usedSourceHandles(edges, node.id));
    estimate = {
      ...node,
      initialWidth: CARD_SIZE.width,
      initialHeight: CARD_SIZE.height,
      handles: estimatedHandles(outputs, definition?.trigger === true),
    };
    guessed.set(node, estimate);
  }
  return estimate;
}

/**
 * The editor's nodes as React Flow gets them at first: each with its guessed size and handles.
 * Handed to the provider, they are in React Flow's store before its first frame.
 */
export function initialFlowNodes(
  nodes: readonly EditorNode[],
  edges: readonly EditorEdge[],
): EditorNode[] {
  return nodes.map((node) => withGuessedSize(node, edges));
}

/** The drawing surface: nodes and edges from the store, changes back to it, drops from the palette. */
export function Canvas() {
  const { nodes, edges, onNodesChange, onEdgesChange, onConnect, canConnect, addNode } = useEditor(
    useShallow((state) => ({
      nodes: state.nodes,
      edges: state.edges,
      onNodesChange: state.onNodesChange,
      onEdgesChange: state.onEdgesChange,
      onConnect: state.onConnect,
      canConnect: state.canConnect,
      addNode: state.addNode,
    })),
  );
  const { screenToFlowPosition, fitView } = useReactFlow();
  const [quickAdd, setQuickAdd] = useState<QuickAddSpot | null>(null);
  // A viewer looks, and may select a card to read it; nothing they change is saved, so for
  // them no card moves, connects or goes away, and nothing is dropped in.
  const editor = usePermission('editor');
  const editable = editor.allowed;

  // Only the cards in view are drawn. A card not drawn yet has a guessed size and guessed
  // handles, which React Flow needs to place it and its edges; once drawn, it is measured.
  const drawn = useRef(new Set<string>());
  const flowNodes = useMemo(
    () =>
      nodes.map((node) =>
        node.measured || drawn.current.has(node.id) ? node : withGuessedSize(node, edges),
      ),
    [nodes, edges],
  );
  const onFlowNodesChange = useCallback(
    (changes: NodeChange<EditorNode>[]) => {
      for (const change of changes) if (change.type === 'dimensions') drawn.current.add(change.id);
      onNodesChange(changes);
    },
    [onNodesChange],
  );

  // The first frame shows the whole workflow: the view is worked out from the canvas's size and
  // the cards' (guessed) sizes before React Flow mounts, rather than the top-left corner drawn
  // first and fitted after. Should the canvas have no size yet, the view is fitted once it has.
  const host = useRef<HTMLDivElement>(null);
  const flowStore = useStoreApi();
  const fitted = useRef(false);
  const [initialViewport, setInitialViewport] = useState<Viewport | null>(null);
  // Once, for the nodes as the editor opened with them.
  useLayoutEffect(() => {
    const box = host.current?.getBoundingClientRect();
    if (!box || box.width === 0 || box.height === 0 || flowNodes.length === 0) {
      setInitialViewport({ x: 0, y: 0, zoom: 1 });
      return;
    }
    fitted.current = true;
    const viewport = getViewportForBounds(
      getNodesBounds(flowNodes),
      box.width,
      box.height,
      MIN_ZOOM,
      fitViewOptions.maxZoom,
      fitViewOptions.padding,
    );
    // React Flow learns its size and view in effects after its first frame, which would draw
    // no card (nothing is in a view of no size); told now, its first frame has the cards.
    flowStore.setState({
      width: box.width,
      height: box.height,
      transform: [viewport.x, viewport.y, viewport.zoom],
    });
    setInitialViewport(viewport);
  }, []);
  const initialized = useNodesInitialized();
  const sized = useStore((state) => state.width > 0 && state.height > 0);
  useEffect(() => {
    if (!initialized || !sized || fitted.current) return;
    fitted.current = true;
    void fitView(fitViewOptions);
  }, [initialized, sized, fitView]);
  const arrange = useEditor((state) => state.arrange);
  const addConnectedNode = useEditor((state) => state.addConnectedNode);

  // React Flow keeps this handler in its store: a new function on every render would be a store
  // change, which re-runs every node's, edge's and handle's selector.
  const onConnectEnd = useCallback(
    (event: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      if (
        !editable ||
        state.isValid ||
        state.toNode ||
        !state.fromNode ||
        state.fromHandle?.type !== 'source'
      )
        return;
      const point = 'changedTouches' in event ? event.changedTouches[0]! : event;
      const screen = { x: point.clientX, y: point.clientY };
      setQuickAdd({
        screen,
        flow: screenToFlowPosition(screen),
        source: state.fromNode.id,
        sourceHandle: state.fromHandle.id ?? null,
      });
    },
    [editable, screenToFlowPosition],
  );

  const onDragOver = (event: DragEvent<HTMLDivElement>) => {
    if (!editable || !event.dataTransfer.types.includes(NODE_DRAG_TYPE)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'move';
  };

  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    const type = event.dataTransfer.getData(NODE_DRAG_TYPE);
    if (!type || !editable) return;
    event.preventDefault();
    const point = screenToFlowPosition({ x: event.clientX, y: event.clientY });
    addNode(type, { x: point.x - CARD_SIZE.width / 2, y: point.y - CARD_SIZE.height / 2 });
  };

  return (
    <div className="editor-canvas" data-testid="editor-canvas" ref={host}>
      {quickAdd && (
        <QuickAdd
          spot={quickAdd}
          onClose={() => setQuickAdd(null)}
          onPick={(type) => {
            addConnectedNode(
              type,
              { x: quickAdd.flow.x, y: quickAdd.flow.y - CARD_SIZE.height / 2 },
              { source: quickAdd.source, sourceHandle: quickAdd.sourceHandle },
            );
            setQuickAdd(null);
          }}
        />
      )}
      {initialViewport && (
        <ReactFlow<EditorNode, EditorEdge>
          nodes={flowNodes}
          edges={edges}
          nodeTypes={nodeTypes}
          onlyRenderVisibleElements
          onNodesChange={onFlowNodesChange}
          onEdgesChange={onEdgesChange}
          onConnect={onConnect}
          onConnectEnd={onConnectEnd}
          onPaneClick={() => setQuickAdd(null)}
          multiSelectionKeyCode={multiSelectKeys}
          isValidConnection={canConnect}
          onDragOver={onDragOver}
          onDrop={onDrop}
          deleteKeyCode={editable ? deleteKeys : null}
          selectionKeyCode={BOX_SELECT_KEY}
          defaultViewport={initialViewport}
          minZoom={MIN_ZOOM}
          maxZoom={2}
          colorMode="light"
          nodesDraggable={editable}
          nodesConnectable={editable}
          edgesReconnectable={editable}
        >
          <Background variant={BackgroundVariant.Dots} gap={20} size={1.2} />
          {/* Without the lock, which would make the canvas interactive again for a viewer. */}
          <Controls
            position="bottom-left"
            showInteractive={editable}
            fitViewOptions={fitViewOptions}
          >
            <ControlButton
              onClick={() => {
                arrange();
                // The new positions render first; then the view frames them.
                requestAnimationFrame(() => void fitView({ ...fitViewOptions, duration: 200 }));
              }}
              disabled={!editable}
              title={editable ? 'Arrange the nodes automatically' : editor.reason}
              aria-label="Arrange the nodes automatically"
              data-testid="auto-layout"
            >
              <span aria-hidden="true">⇶</span>
            </ControlButton>
          </Controls>
          <OverviewMap label="Overview of the workflow" />
        </ReactFlow>
      )}
    </div>
  );
}

const QUICK_ADD_SIZE = { width: 236, height: 330 };
const addable = nodeDefinitions.filter((definition) => !definition.trigger);

/** The node types to add after an edge dropped on empty canvas, searchable by typing. */
function QuickAdd({
  spot,
  onPick,
  onClose,
}: {
  spot: QuickAddSpot;
  onPick(type: string): void;
  onClose(): void;
}) {
  const [query, setQuery] = useState('');
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const shown = addable.filter((definition) =>
    words.every((word) =>
      `${definition.label} ${definition.type} ${definition.description}`
        .toLowerCase()
        .includes(word),
    ),
  );
  return (
    <div
      className="quick-add"
      role="dialog"
      aria-label="Add a node after this output"
      data-testid="quick-add"
      // Kept inside the window when the edge was dropped near its edge.
      style={{
        left: Math.min(spot.screen.x, window.innerWidth - QUICK_ADD_SIZE.width),
        top: Math.min(spot.screen.y, window.innerHeight - QUICK_ADD_SIZE.height),
      }}
      onKeyDown={(event) => {
        if (event.key === 'Escape') onClose();
      }}
    >
      <input
        className="input"
        type="search"
        // biome-ignore lint/a11y/noAutofocus: the list opened because the user wants to pick from it
        autoFocus
        placeholder="Add a node…"
        aria-label="Search node types"
        value={query}
        onChange={(event) => setQuery(event.currentTarget.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && shown[0]) onPick(shown[0].type);
        }}
        data-testid="quick-add-search"
      />
      <ul>
        {shown.map((definition) => (
          <li key={definition.type}>
            <button
              type="button"
              className="quick-add-item"
              onClick={() => onPick(definition.type)}
              data-testid={`quick-add-${definition.type}`}
            >
              <span className="node-icon" aria-hidden="true">
                {definition.icon}
              </span>
              {definition.label}
            </button>
          </li>
        ))}
        {shown.length === 0 && <li className="muted small">No node type matches.</li>}
      </ul>
    </div>
  );
}
