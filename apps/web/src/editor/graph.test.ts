import { WORKFLOW_FORMAT, type WorkflowDocument } from '@hookflow/engine';
import { filter, httpRequest, webhookTrigger } from '@hookflow/nodes';
import { describe, expect, it } from 'vitest';
import {
  CARD_SIZE,
  createWorkflowNode,
  freePosition,
  keyStem,
  newWorkflowDocument,
  nextEdgeId,
  nextNodeKey,
  toDocument,
  toEditorEdge,
  toEditorNode,
  usedSourceHandles,
  wouldCreateCycle,
} from './graph.ts';

const document: WorkflowDocument = {
  format: WORKFLOW_FORMAT,
  name: 'Orders',
  nodes: [
    {
      id: 'trigger',
      key: 'trigger',
      type: 'webhook-trigger',
      name: 'Webhook',
      config: {},
      position: { x: 0, y: 0 },
    },
    {
      id: 'route',
      key: 'route',
      type: 'router',
      name: 'Route',
      config: {},
      position: { x: 300, y: 0 },
      onError: 'continue',
    },
  ],
  edges: [
    { id: 'e1', source: 'trigger', target: 'route' },
    { id: 'e2', source: 'route', sourceHandle: 'paid', target: 'trigger' },
  ],
  settings: { nodeTimeoutMs: 1000 },
};

describe('graph conversion', () => {
  it('turns a document into canvas nodes and edges and back, unchanged', () => {
    const nodes = document.nodes.map(toEditorNode);
    const edges = document.edges.map(toEditorEdge);
    expect(edges[0]!.sourceHandle).toBe('main');
    expect(toDocument({ name: document.name, nodes, edges, settings: document.settings })).toEqual(
      document,
    );
  });

  it('rounds positions for the stored document', () => {
    const node = { ...toEditorNode(document.nodes[0]!), position: { x: 10.4, y: -3.6 } };
    const result = toDocument({ name: 'x', nodes: [node], edges: [], settings: {} });
    expect(result.nodes[0]!.position).toEqual({ x: 10, y: -4 });
  });
});

describe('new nodes', () => {
  it('derives keys from the type as slugs', () => {
    expect(keyStem('http-request')).toBe('http_request');
    expect(keyStem('Filter')).toBe('filter');
    expect(keyStem('2fa-check')).toBe('node_2fa_check');
    expect(nextNodeKey('filter', [])).toBe('filter_1');
    expect(nextNodeKey('filter', ['filter_1', 'filter_3'])).toBe('filter_2');
  });

  it('creates a node with a fresh key (also unused as an id) and a copy of the defaults', () => {
    const node = createWorkflowNode(httpRequest, { x: 1.2, y: 2.7 }, [
      { id: 'http_request_1', key: 'renamed' },
      { id: 'other', key: 'http_request_2' },
    ]);
    expect(node).toMatchObject({
      id: 'http_request_3',
      key: 'http_request_3',
      type: 'http-request',
      name: 'HTTP request',
      position: { x: 1, y: 3 },
    });
    expect(node.config).toEqual(httpRequest.defaults);
    expect(node.config).not.toBe(httpRequest.defaults);
    const again = createWorkflowNode(filter, { x: 0, y: 0 }, []);
    expect(again.config.conditions).not.toBe(filter.defaults.conditions);
  });

  it('starts a new workflow with its trigger', () => {
    const created = newWorkflowDocument(webhookTrigger, 'New');
    expect(created.nodes).toHaveLength(1);
    expect(created.nodes[0]).toMatchObject({
      id: 'trigger',
      key: 'trigger',
      type: 'webhook-trigger',
    });
    expect(created.edges).toEqual([]);
  });

  it('picks unused edge ids', () => {
    expect(nextEdgeId([])).toBe('e1');
    expect(nextEdgeId([{ id: 'e2' }])).toBe('e3');
    expect(nextEdgeId([{ id: 'e2' }, { id: 'e3' }])).toBe('e4');
  });

  it('moves a node added without a drop point off the nodes already there', () => {
    const taken = [{ position: { x: 0, y: 0 }, measured: { width: 240, height: 80 } }];
    expect(freePosition([], { x: 0, y: 0 })).toEqual({ x: 0, y: 0 });
    const free = freePosition(taken, { x: 10, y: 10 });
    expect(free.x).toBe(10);
    expect(free.y).toBeGreaterThanOrEqual(80 + 24);
    expect(freePosition(taken, { x: 600, y: 0 })).toEqual({ x: 600, y: 0 });
    expect(CARD_SIZE.width).toBeGreaterThan(0);
  });
});

describe('wouldCreateCycle', () => {
  const edges = [
    { source: 'a', target: 'b' },
    { source: 'b', target: 'c' },
  ];

  it('refuses an edge that leads back', () => {
    expect(wouldCreateCycle(edges, 'c', 'a')).toBe(true);
    expect(wouldCreateCycle(edges, 'b', 'b')).toBe(true);
  });

  it('allows edges that do not', () => {
    expect(wouldCreateCycle(edges, 'a', 'c')).toBe(false);
    expect(wouldCreateCycle(edges, 'c', 'd')).toBe(false);
  });
});

describe('usedSourceHandles', () => {
  const edges = [
    { id: 'e1', source: 'a', sourceHandle: 'paid', target: 'b' },
    { id: 'e2', source: 'a', sourceHandle: 'paid', target: 'c' },
    { id: 'e3', source: 'a', sourceHandle: null, target: 'd' },
    { id: 'e4', source: 'b', sourceHandle: 'main', target: 'd' },
  ];

  it('lists each output of a node that has edges once, `main` for edges without a handle', () => {
    expect(usedSourceHandles(edges, 'a')).toEqual(['paid', 'main']);
    expect(usedSourceHandles(edges, 'b')).toEqual(['main']);
    expect(usedSourceHandles(edges, 'd')).toEqual([]);
  });

  it('answers from the same list with the same array, and from a new list afresh', () => {
    expect(usedSourceHandles(edges, 'a')).toBe(usedSourceHandles(edges, 'a'));
    const fewer = edges.slice(1);
    expect(usedSourceHandles(fewer, 'a')).toEqual(['paid', 'main']);
    expect(usedSourceHandles(fewer.slice(1), 'a')).toEqual(['main']);
  });
});
