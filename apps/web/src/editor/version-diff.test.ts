import { SECRET_MASK, WORKFLOW_FORMAT, type WorkflowDocument } from '@hookflow/engine';
import { nodeRegistry } from '@hookflow/nodes';
import { describe, expect, it } from 'vitest';
import {
  diffDocuments,
  diffLines,
  documentJson,
  foldUnchanged,
  isEmptyDiff,
  splitRows,
} from './version-diff.ts';

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

describe('documentJson', () => {
  it('masks secrets and leaves positions out unless asked', () => {
    const json = documentJson(base, nodeRegistry);
    expect(json).not.toContain('real-secret');
    expect(json).toContain(SECRET_MASK);
    expect(json).not.toContain('"position"');
    expect(documentJson(base, nodeRegistry, { positions: true })).toContain('"position"');
  });
});

describe('diffLines', () => {
  it('aligns the common lines and marks the others', () => {
    const lines = diffLines(['a', 'b', 'c', 'd'], ['a', 'x', 'c', 'd', 'e']);
    expect(lines.map((line) => `${line.kind[0]} ${line.text}`)).toEqual([
      's a',
      'r b',
      'a x',
      's c',
      's d',
      'a e',
    ]);
    expect(lines[3]).toEqual({ kind: 'same', text: 'c', before: 3, after: 3 });
    expect(lines[5]).toEqual({ kind: 'added', text: 'e', after: 5 });
  });

  it('rebuilds both texts from the diff, numbering each side in order', () => {
    // A small seeded generator: 500 pairs of short texts over a few repeating lines.
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const text = () =>
      Array.from({ length: Math.floor(next() * 25) }, () => 'abc{}'[Math.floor(next() * 5)]!);
    for (let round = 0; round < 500; round++) {
      const before = text();
      const after = text();
      const lines = diffLines(before, after);
      const old = lines.filter((line) => line.kind !== 'added');
      const now = lines.filter((line) => line.kind !== 'removed');
      expect(old.map((line) => line.text)).toEqual(before);
      expect(now.map((line) => line.text)).toEqual(after);
      expect(old.map((line) => line.before)).toEqual(before.map((_, i) => i + 1));
      expect(now.map((line) => line.after)).toEqual(after.map((_, i) => i + 1));
    }
  });
});

describe('foldUnchanged', () => {
  it('keeps three lines of context around each change', () => {
    const before = Array.from({ length: 20 }, (_, i) => `line ${i}`);
    const after = [...before];
    after[10] = 'changed';
    const folded = foldUnchanged(diffLines(before, after));
    expect(folded.map((line) => (line.kind === 'folded' ? `… ${line.count}` : line.text))).toEqual([
      '… 7',
      'line 7',
      'line 8',
      'line 9',
      'line 10',
      'changed',
      'line 11',
      'line 12',
      'line 13',
      '… 6',
    ]);
  });
});

describe('splitRows', () => {
  it('pairs a removed block with the added block after it', () => {
    const rows = splitRows(diffLines(['a', 'b', 'c', 'd'], ['a', 'x', 'y', 'd']));
    expect(
      rows.map((row) =>
        'folded' in row ? '…' : `${row.left?.text ?? ''}|${row.right?.text ?? ''}`,
      ),
    ).toEqual(['a|a', 'b|x', 'c|y', 'd|d']);
    const only = splitRows(diffLines(['a'], ['a', 'b']));
    expect(only.at(-1)).toEqual({ left: null, right: { kind: 'added', text: 'b', after: 2 } });
  });
});
