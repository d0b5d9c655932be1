/**
 * Auto-layout: places the nodes left to right in the order data flows (dagre's layered
 * layout), each output's targets stacked in the order of the card's outputs.
 */
import dagre from '@dagrejs/dagre';
import { CARD_SIZE } from './graph.ts';

export interface LayoutNode {
  id: string;
  position: { x: number; y: number };
  measured?: { width?: number; height?: number };
}

const RANK_GAP = 90;
const NODE_GAP = 36;

/** New top-left positions by node id; the graph keeps its top-left corner where it was. */
export function layoutPositions(
  nodes: readonly LayoutNode[],
  edges: readonly { source: string; target: string }[],
): Map<string, { x: number; y: number }> {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir: 'LR', ranksep: RANK_GAP, nodesep: NODE_GAP, marginx: 0, marginy: 0 });
  graph.setDefaultEdgeLabel(() => ({}));
  const size = (node: LayoutNode) => ({
    width: node.measured?.width ?? CARD_SIZE.width,
    height: node.measured?.height ?? CARD_SIZE.height,
  });
  for (const node of nodes) graph.setNode(node.id, size(node));
  for (const edge of edges) {
    if (graph.hasNode(edge.source) && graph.hasNode(edge.target))
      graph.setEdge(edge.source, edge.target);
  }
  dagre.layout(graph);
  const origin = {
    x: Math.min(...nodes.map((node) => node.position.x)),
    y: Math.min(...nodes.map((node) => node.position.y)),
  };
  const placed = nodes.map((node) => {
    const { x, y } = graph.node(node.id);
    const { width, height } = size(node);
    return { id: node.id, x: x - width / 2, y: y - height / 2 };
  });
  const left = Math.min(...placed.map((p) => p.x));
  const top = Math.min(...placed.map((p) => p.y));
  return new Map(
    placed.map((p) => [
      p.id,
      { x: Math.round(p.x - left + origin.x), y: Math.round(p.y - top + origin.y) },
    ]),
  );
}
