import { WORKFLOW_FORMAT, type WorkflowDocument } from '@hookflow/engine';
import { nodeRegistry } from '@hookflow/nodes';
import { describe, expect, it } from 'vitest';
import {
  CLIPBOARD_FORMAT,
  copyFragment,
  parseFragment,
  pasteFragment,
  placeInView,
} from './clipboard.ts';
import { layoutPositions } from './layout.ts';
import { createEditorStore } from './store.ts';

const document: WorkflowDocument = {
  format: WORKFLOW_FORMAT,
  name: 'Copy me',
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
      id: 'filter_1',
      key: 'filter_1',
      type: 'filter',
      name: 'Only orders',
      config: {},
      position: { x: 300, y: 0 },
    },
    {
      id: 'transform_1',
      key: 'transform_1',
      type: 'transform',
      name: 'Shape',
      config: { mode: 'expression', expression: '{{ steps.filter_1 }}' },
      position: { x: 600, y: 0 },
    },
  ],
  edges: [
    { id: 'e1', source: 'trigger', target: 'filter_1' },
    { id: 'e2', source: 'filter_1', target: 'transform_1' },
  ],
  settings: {},
};

describe('copy and paste', () => {
  it('copies the chosen nodes with only the edges between them', () => {
    const fragment = copyFragment(document.nodes.slice(1), document.edges)!;
    expect(fragment.nodes.map((node) => node.key)).toEqual(['filter_1', 'transform_1']);
    expect(fragment.edges.map((edge) => edge.id)).toEqual(['e2']);
    expect(copyFragment([], document.edges)).toBeNull();
  });

  it('round-trips through clipboard text and ignores any other text', () => {
    const fragment = copyFragment(document.nodes, document.edges)!;
    expect(parseFragment(JSON.stringify(fragment))).toEqual(fragment);
    expect(parseFragment('https://example.com')).toBeNull();
    expect(
      parseFragment(`{"format":"${CLIPBOARD_FORMAT}","nodes":[{"id":1}],"edges":[]}`),
    ).toBeNull();
    expect(parseFragment(null)).toBeNull();
  });

  it('pastes with fresh keys, renamed references, moved aside, and no second trigger', () => {
    const fragment = copyFragment(document.nodes, document.edges)!;
    const pasted = pasteFragment(fragment, document, nodeRegistry);
    expect(pasted.nodes.map((node) => node.key)).toEqual(['filter_2', 'transform_2']);
    expect(pasted.nodes.map((node) => node.id)).toEqual(['filter_2', 'transform_2']);
    expect(pasted.nodes[1]!.config.expression).toBe('{{ steps.filter_2 }}');
    expect(pasted.nodes[0]!.position).toEqual({ x: 340, y: 40 });
    expect(pasted.edges).toEqual([{ id: 'e3', source: 'filter_2', target: 'transform_2' }]);

    // Into an empty workflow (another one), keys stay as they were, the trigger included.
    const elsewhere = pasteFragment(fragment, { nodes: [], edges: [] }, nodeRegistry);
    expect(elsewhere.nodes.map((node) => node.key)).toEqual(['trigger', 'filter_1', 'transform_1']);
    expect(elsewhere.edges).toHaveLength(2);
  });

  it('pastes as one undoable edit that selects the copies', () => {
    const store = createEditorStore(document, { registry: nodeRegistry });
    store.getState().selectNode('filter_1');
    const fragment = store.getState().copySelection()!;
    store.getState().pasteNodes(fragment);
    const { nodes } = store.getState();
    expect(nodes.map((node) => node.id)).toEqual([
      'trigger',
      'filter_1',
      'transform_1',
      'filter_2',
    ]);
    expect(nodes.filter((node) => node.selected).map((node) => node.id)).toEqual(['filter_2']);
    store.getState().undo();
    expect(store.getState().nodes).toHaveLength(3);
  });

  it('deletes a multi-selection and quick-adds a connected node, each one edit', () => {
    const store = createEditorStore(document, { registry: nodeRegistry });
    store.setState({
      nodes: store.getState().nodes.map((node) => ({ ...node, selected: node.id !== 'trigger' })),
    });
    store.getState().deleteSelected();
    expect(store.getState().nodes.map((node) => node.id)).toEqual(['trigger']);
    expect(store.getState().edges).toEqual([]);
    store.getState().undo();
    expect(store.getState().nodes).toHaveLength(3);
    expect(store.getState().edges).toHaveLength(2);

    const id = store
      .getState()
      .addConnectedNode(
        'http-request',
        { x: 900, y: 0 },
        { source: 'transform_1', sourceHandle: 'main' },
      );
    expect(id).toBe('http_request_1');
    expect(store.getState().edges.at(-1)).toMatchObject({ source: 'transform_1', target: id });
    store.getState().undo();
    expect(store.getState().nodes).toHaveLength(3);
    expect(store.getState().edges).toHaveLength(2);
  });
});

describe('placeInView', () => {
  const card = { width: 100, height: 50 };
  const view = { x: 0, y: 0, width: 1000, height: 600 };
  const at = (x: number, y: number) => ({ id: `${x},${y}`, position: { x, y } });

  it('leaves nodes that land in view where they are', () => {
    const nodes = [at(40, 40), at(300, 200)];
    expect(placeInView(nodes, view, card)).toEqual(nodes);
  });

  it('moves nodes out of view together into its middle, keeping their layout', () => {
    const placed = placeInView([at(5000, 4000), at(5200, 4100)], view, card);
    // The box of the two (300 x 150) is centred on the view's centre (500, 300).
    expect(placed.map((node) => node.position)).toEqual([
      { x: 350, y: 225 },
      { x: 550, y: 325 },
    ]);
  });

  it('moves nodes partly out of view too', () => {
    const placed = placeInView([at(950, 10)], view, card);
    expect(placed[0]!.position).toEqual({ x: 450, y: 275 });
  });
});

describe('auto-layout', () => {
  it('places nodes left to right along their edges without overlaps', () => {
    const scrambled = [
      { id: 'c', position: { x: 0, y: 500 } },
      { id: 'a', position: { x: 50, y: 50 } },
      { id: 'b', position: { x: 10, y: 10 } },
      { id: 'd', position: { x: 400, y: 0 } },
    ];
    const positions = layoutPositions(scrambled, [
      { source: 'a', target: 'b' },
      { source: 'b', target: 'c' },
      { source: 'a', target: 'd' },
    ]);
    const x = (id: string) => positions.get(id)!.x;
    expect(x('a')).toBeLessThan(x('b'));
    expect(x('b')).toBeLessThan(x('c'));
    expect(x('a')).toBeLessThan(x('d'));
    expect(positions.get('b')!.y).not.toBe(positions.get('d')!.y);
    // The arranged graph keeps its top-left corner.
    expect(Math.min(...[...positions.values()].map((p) => p.x))).toBe(0);
    expect(Math.min(...[...positions.values()].map((p) => p.y))).toBe(0);
  });
});
