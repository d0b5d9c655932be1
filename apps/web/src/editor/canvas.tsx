import {
  Background,
  BackgroundVariant,
  Controls,
  MiniMap,
  type NodeTypes,
  ReactFlow,
  useReactFlow,
} from '@xyflow/react';
import type { DragEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useEditor } from './editor-context.tsx';
import { CARD_SIZE, type EditorEdge, type EditorNode, NODE_TYPE } from './graph.ts';
import { NodeCard } from './node-card.tsx';
import { NODE_DRAG_TYPE } from './palette.tsx';

/** Built once: React Flow re-creates every node when this object changes. */
const nodeTypes: NodeTypes = { [NODE_TYPE]: NodeCard };

const fitViewOptions = { padding: 0.3, maxZoom: 1 };
const deleteKeys = ['Delete', 'Backspace'];
const minimapNodeColor = (node: EditorNode) => (node.selected ? '#c7cbff' : '#e4e7ff');
const minimapNodeStroke = (node: EditorNode) => (node.selected ? '#4f46e5' : '#a5abd8');

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
  const { screenToFlowPosition } = useReactFlow();

  const onDragOver = (event: DragEvent<HTMLDivElement>) => {
    if (!event.dataTransfer.types.includes(NODE_DRAG_TYPE)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'move';
  };

  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    const type = event.dataTransfer.getData(NODE_DRAG_TYPE);
    if (!type) return;
    event.preventDefault();
    const point = screenToFlowPosition({ x: event.clientX, y: event.clientY });
    addNode(type, { x: point.x - CARD_SIZE.width / 2, y: point.y - CARD_SIZE.height / 2 });
  };

  return (
    <div className="editor-canvas" data-testid="editor-canvas">
      <ReactFlow<EditorNode, EditorEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        isValidConnection={canConnect}
        onDragOver={onDragOver}
        onDrop={onDrop}
        deleteKeyCode={deleteKeys}
        fitView
        fitViewOptions={fitViewOptions}
        minZoom={0.2}
        maxZoom={2}
        colorMode="light"
      >
        <Background variant={BackgroundVariant.Dots} gap={20} size={1.2} />
        <Controls position="bottom-left" />
        <MiniMap
          position="bottom-right"
          pannable
          zoomable
          ariaLabel="Overview of the workflow"
          nodeColor={minimapNodeColor}
          nodeStrokeColor={minimapNodeStroke}
          nodeBorderRadius={6}
        />
      </ReactFlow>
    </div>
  );
}
