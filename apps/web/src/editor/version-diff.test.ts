import { SECRET_MASK, WORKFLOW_FORMAT, type WorkflowDocument } from '@hookflow/engine';
import { nodeRegistry } from '@hookflow/nodes';
import { describe, expect, it } from 'vitest';
import { diffDocuments, isEmptyDiff } from './version-diff.ts';

const base: WorkflowDocument = {
  format: WORKFLOW_FORMAT,
  name: 'Orders',
  nodes: [
    {
      id: 't',
      key: 'trigger',
      type: 'webhook-trigger',
      name: 'Webhook',
      config: {},
      position: { x: 0, y: 0 },
    },
    {
      id: 'h',
      key: 'crm',
      type: 'http-request',
      name: 'CRM',
      config: { url: 'https://a.example.com', auth: { type: 'bearer', token: 'real-secret' } },
      position: { x: 200, y: 0 },
    },
  ],
  edges: [{ id: 'e1', source: 't', target: 'h' }],
  settings: {},
};

describe('diffDocuments', () => {
  it('finds nothing between a document and itself, moved or masked', () => {
    const moved = structuredClone(base);
    moved.nodes[1]!.position = { x: 999, y: 5 };
    expect(isEmptyDiff(diffDocuments(base, moved, nodeRegistry))).toBe(true);
    const masked = structuredClone(base);
    masked.nodes[1]!.config = {
      ...masked.nodes[1]!.config,
      auth: { type: 'bearer', token: SECRET_MASK },
    };
    expect(isEmptyDiff(diffDocuments(masked, base, nodeRegistry))).toBe(true);
  });

  it('lists added, removed and changed nodes and edges', () => {
    const draft = structuredClone(base);
    draft.nodes[1]!.config.url = 'https://b.example.com';
    draft.nodes[1]!.name = 'CRM v2';
    draft.nodes.push({
      id: 'f',
      key: 'filter_1',
      type: 'filter',
      name: 'Only orders',
      config: {},
      position: { x: 100, y: 0 },
    });
    draft.edges = [
      { id: 'e2', source: 't', target: 'f' },
      { id: 'e3', source: 'f', target: 'h' },
    ];
    const diff = diffDocuments(base, draft, nodeRegistry);
    expect(diff.added.map((node) => node.key)).toEqual(['filter_1']);
    expect(diff.removed).toEqual([]);
    expect(diff.changed).toEqual([{ id: 'h', key: 'crm', fields: ['name', 'config.url'] }]);
    expect(diff.edgesAdded).toHaveLength(2);
    expect(diff.edgesRemoved.map((edge) => edge.id)).toEqual(['e1']);
    const back = diffDocuments(draft, base, nodeRegistry);
    expect(back.removed.map((node) => node.key)).toEqual(['filter_1']);
  });
});
