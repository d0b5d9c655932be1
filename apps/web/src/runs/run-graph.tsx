/**
 * The workflow as it was for one run, read-only: every node coloured by its step's status.
 * Loaded on demand (it brings the canvas library), like the editor.
 */
import type { WorkflowDocument } from '@hookflow/engine';
import {
  Background,
  BackgroundVariant,
  type Edge,
  Handle,
  type Node,
  type NodeProps,
  type NodeTypes,
  Position,
  ReactFlow,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { memo, useMemo } from 'react';
import { formatDuration } from '../lib/format.ts';
import { nodeTypeLabel } from '../lib/node-types.ts';
import type { RunStep } from '../lib/trpc.ts';
import { type NodeRunState, nodeRunStates } from './run-steps.ts';

type RunNodeData = {
  key: string;
  type: string;
  name: string;
  state: NodeRunState;
  durationMs: number | null;
  selected: boolean;
};
type RunNode = Node<RunNodeData, 'run-node'>;

const RunNodeCard = memo(function RunNodeCard({ data }: NodeProps<RunNode>) {
  const type = nodeTypeLabel(data.type);
  return (
    <div
      className="run-node"
      data-testid="run-node"
      data-node-key={data.key}
      data-state={data.state}
      data-selected={data.selected || undefined}
      title={`${data.name || type.label} (${data.key}): ${stateLabel(data.state)}`}
    >
      <Handle type="target" position={Position.Left} className="run-node-handle" />
      <span className="node-icon" aria-hidden="true">
        {type.icon}
      </span>
      <span className="run-node-title">
        <span className="run-node-name">{data.name || type.label}</span>
        <code className="run-node-key">{data.key}</code>
      </span>
      <span className="run-node-state">
        {stateLabel(data.state)}
        {data.durationMs !== null && ` · ${formatDuration(data.durationMs)}`}
      </span>
      <Handle type="source" position={Position.Right} className="run-node-handle" />
    </div>
  );
});

const stateLabels: Partial<Record<NodeRunState, string>> = {
  skipped: 'did not run',
  pending: 'not run yet',
};
const stateLabel = (state: NodeRunState): string => stateLabels[state] ?? state;

const nodeTypes: NodeTypes = { 'run-node': RunNodeCard };
const fitViewOptions = { padding: 0.2, maxZoom: 1 };

export function RunGraph({
  document,
  steps,
  runFinished,
  selectedKey,
  onSelect,
}: {
  document: WorkflowDocument;
  steps: readonly RunStep[];
  runFinished: boolean;
  selectedKey: string | null;
  onSelect: (key: string) => void;
}) {
  const states = useMemo(
    () => nodeRunStates(document, steps, runFinished),
    [document, steps, runFinished],
  );
  const nodes = useMemo<RunNode[]>(
    () =>
      document.nodes.map((node) => {
        const last = [...steps].reverse().find((step) => step.nodeId === node.id);
        return {
          id: node.id,
          type: 'run-node',
          position: node.position,
          draggable: false,
          connectable: false,
          data: {
            key: node.key,
            type: node.type,
            name: node.name,
            state: states.get(node.id) ?? 'pending',
            durationMs: last ? last.durationMs : null,
            selected: node.key === selectedKey,
          },
        };
      }),
    [document, steps, states, selectedKey],
  );
  const edges = useMemo<Edge[]>(() => {
    const ran = new Map(steps.map((step) => [step.nodeId, step]));
    return document.edges.map((edge) => {
      const source = ran.get(edge.source);
      const taken =
        source?.handles.includes(edge.sourceHandle ?? 'main') === true && ran.has(edge.target);
      return {
        id: edge.id,
        source: edge.source,
        target: edge.target,
        animated: false,
        className: taken ? 'run-edge-taken' : 'run-edge',
      };
    });
  }, [document, steps]);

  return (
    <div className="run-graph" data-testid="run-graph">
      <ReactFlow<RunNode, Edge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        fitView
        fitViewOptions={fitViewOptions}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        edgesFocusable={false}
        zoomOnScroll={false}
        preventScrolling={false}
        onNodeClick={(_, node) => onSelect(node.data.key)}
      >
        <Background variant={BackgroundVariant.Dots} gap={18} size={1} />
      </ReactFlow>
    </div>
  );
}
