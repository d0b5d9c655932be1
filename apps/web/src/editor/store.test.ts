import { WORKFLOW_FORMAT, type WorkflowDocument } from '@hookflow/engine';
import { nodeRegistry } from '@hookflow/nodes';
import type { NodeChange } from '@xyflow/react';
import { describe, expect, it } from 'vitest';
import type { EditorNode } from './graph.ts';
import { createEditorStore } from './store.ts';

const initial: WorkflowDocument = {
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
  ],
  edges: [],
  settings: {},
};

function setup() {
  let now = 0;
  const store = createEditorStore(initial, { registry: nodeRegistry, now: () => now });
  const state = () => store.getState();
  const history = () => store.temporal.getState();
  return {
    store,
    state,
    history,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const move = (id: string, x: number, y: number, dragging?: boolean): NodeChange<EditorNode> => ({
  id,
  type: 'position',
  position: { x, y },
  ...(dragging === undefined ? {} : { dragging }),
});

describe('the editor store', () => {
  it('starts from the document, and its document follows the content', () => {
    const { state } = setup();
    expect(state().document).toEqual(initial);
    state().setName('Paid orders');
    expect(state().document.name).toBe('Paid orders');
  });

  it('adds nodes with unique keys, their defaults and the selection', () => {
    const { state } = setup();
    expect(state().addNode('filter', { x: 300, y: 0 })).toBe('filter_1');
    expect(state().addNode('filter', { x: 300, y: 200 })).toBe('filter_2');
    expect(state().addNode('http-request', { x: 600, y: 0 })).toBe('http_request_1');
    expect(state().addNode('no-such-type', { x: 0, y: 0 })).toBeNull();
    const added = state().nodes.find((node) => node.id === 'http_request_1')!;
    expect(added.selected).toBe(true);
    expect(added.data.config).toMatchObject({ method: 'POST', url: 'https://example.com/hooks' });
    expect(state().nodes.filter((node) => node.selected)).toHaveLength(1);
  });

  it('connects nodes, refusing duplicates, loops and edges into the trigger', () => {
    const { state } = setup();
    state().addNode('filter', { x: 300, y: 0 });
    state().onConnect({
      source: 'trigger',
      sourceHandle: 'main',
      target: 'filter_1',
      targetHandle: null,
    });
    state().onConnect({
      source: 'trigger',
      sourceHandle: 'main',
      target: 'filter_1',
      targetHandle: null,
    });
    state().onConnect({
      source: 'filter_1',
      sourceHandle: 'main',
      target: 'trigger',
      targetHandle: null,
    });
    state().onConnect({
      source: 'filter_1',
      sourceHandle: 'main',
      target: 'filter_1',
      targetHandle: null,
    });
    expect(state().document.edges).toEqual([{ id: 'e1', source: 'trigger', target: 'filter_1' }]);
  });

  it('undoes and redoes a whole move as one step, and saves positions when it ends', () => {
    const { state, history } = setup();
    state().addNode('filter', { x: 300, y: 0 });
    const steps = history().pastStates.length;
    const document = state().document;
    state().onNodesChange([move('filter_1', 310, 5, true)]);
    state().onNodesChange([move('filter_1', 330, 20, true)]);
    expect(state().document).toBe(document);
    state().onNodesChange([move('filter_1', 340, 40, false)]);
    expect(history().pastStates.length).toBe(steps + 1);
    expect(state().document.nodes[1]!.position).toEqual({ x: 340, y: 40 });

    state().undo();
    expect(state().nodes[1]!.position).toEqual({ x: 300, y: 0 });
    expect(state().document.nodes[1]!.position).toEqual({ x: 300, y: 0 });
    state().redo();
    expect(state().nodes[1]!.position).toEqual({ x: 340, y: 40 });
  });

  it("undoes the deletion of a node and its edges (React Flow's two changes) in one step", async () => {
    const { state, history } = setup();
    state().addNode('filter', { x: 300, y: 0 });
    state().onConnect({
      source: 'trigger',
      sourceHandle: 'main',
      target: 'filter_1',
      targetHandle: null,
    });
    const steps = history().pastStates.length;
    state().onEdgesChange([{ id: 'e1', type: 'remove' }]);
    state().onNodesChange([{ id: 'filter_1', type: 'remove' }]);
    await Promise.resolve();
    expect(history().pastStates.length).toBe(steps + 1);
    expect(state().document.nodes).toHaveLength(1);
    state().undo();
    expect(state().document.nodes).toHaveLength(2);
    expect(state().document.edges).toHaveLength(1);
  });

  it('merges keystrokes in one field within a second into one step', () => {
    const { state, history, advance } = setup();
    const steps = history().pastStates.length;
    state().setConfigField('trigger', 'responseBody', 'o');
    advance(200);
    state().setConfigField('trigger', 'responseBody', 'ok');
    expect(history().pastStates.length).toBe(steps + 1);
    advance(1500);
    state().setConfigField('trigger', 'responseBody', 'ok!');
    expect(history().pastStates.length).toBe(steps + 2);
    state().setConfigField('trigger', 'responseMode', 'custom');
    expect(history().pastStates.length).toBe(steps + 3);

    state().undo();
    state().undo();
    expect(state().nodes[0]!.data.config.responseBody).toBe('ok');
    state().undo();
    expect(state().nodes[0]!.data.config).toEqual({});
  });

  it('removes a config field set to undefined, so its default applies', () => {
    const { state } = setup();
    state().setConfigField('trigger', 'responseMode', 'wait');
    state().setConfigField('trigger', 'responseMode', undefined);
    expect('responseMode' in state().document.nodes[0]!.config).toBe(false);
  });

  it('does not record selection or measuring, and an edit after undo drops the redo steps', () => {
    const { state, history } = setup();
    state().addNode('filter', { x: 300, y: 0 });
    const steps = history().pastStates.length;
    state().selectNode('trigger');
    state().onNodesChange([
      { id: 'trigger', type: 'dimensions', dimensions: { width: 240, height: 80 } },
    ]);
    expect(history().pastStates.length).toBe(steps);

    state().undo();
    expect(history().futureStates.length).toBe(1);
    state().updateNode('trigger', { name: 'Orders in' });
    expect(history().futureStates.length).toBe(0);
  });

  it('deletes a node with its edges in one step from the panel', () => {
    const { state } = setup();
    state().addNode('filter', { x: 300, y: 0 });
    state().onConnect({
      source: 'trigger',
      sourceHandle: 'main',
      target: 'filter_1',
      targetHandle: null,
    });
    state().deleteNode('filter_1');
    expect(state().document.edges).toEqual([]);
    state().undo();
    expect(state().document.edges).toHaveLength(1);
  });
});
