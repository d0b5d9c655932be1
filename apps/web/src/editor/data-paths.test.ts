import { compileTemplate } from '@hookflow/engine';
import { describe, expect, it } from 'vitest';
import { insertionFor, insideExpression } from '../fields/expression-environment.ts';
import {
  expressionFor,
  expressionPath,
  listDataPaths,
  nodeDataContext,
  upstreamNodeIds,
} from './data-paths.ts';

const node = (id: string, key = id) => ({
  id,
  key,
  type: 'transform',
  name: '',
  config: {},
  position: { x: 0, y: 0 },
});

// trigger -> a -> b, trigger -> c (a side branch), d unconnected.
const document = {
  name: 'Paths',
  nodes: [node('t', 'trigger'), node('a'), node('b'), node('c'), node('d')],
  edges: [
    { id: 'e1', source: 't', target: 'a' },
    { id: 'e2', source: 'a', target: 'b' },
    { id: 'e3', source: 't', target: 'c' },
  ],
};

const sample = {
  method: 'POST',
  path: '/hooks/x',
  headers: { 'x-github-event': 'push', 'content-type': 'application/json' },
  query: {},
  body: { ref: 'refs/heads/main', commits: [{ id: 'c1', author: { name: 'Ada' } }] },
  receivedAt: 0,
};

describe('expressionPath', () => {
  it('joins plain names with dots, quotes the others and indexes arrays', () => {
    expect(expressionPath(['trigger', 'body', 'commits', 0, 'id'])).toBe(
      'trigger.body.commits[0].id',
    );
    expect(expressionPath(['trigger', 'headers', 'x-github-event'])).toBe(
      'trigger.headers.`x-github-event`',
    );
    expect(expressionFor(['steps', 'a'])).toBe('{{ steps.a }}');
  });

  it('reads back the value it points at through the engine', async () => {
    const context = { trigger: sample };
    for (const segments of [
      ['trigger', 'headers', 'x-github-event'],
      ['trigger', 'body', 'commits', 0, 'author', 'name'],
      ['trigger', 'body', 'ref'],
    ] as const) {
      let expected: unknown = context;
      for (const segment of segments) expected = (expected as Record<string, unknown>)[segment];
      expect(await compileTemplate(expressionFor(segments)).evaluate(context)).toEqual(expected);
    }
  });
});

describe('upstreamNodeIds', () => {
  it('lists every ancestor, not side branches or the node itself', () => {
    expect(upstreamNodeIds(document, 'b')).toEqual(['t', 'a']);
    expect(upstreamNodeIds(document, 'c')).toEqual(['t']);
    expect(upstreamNodeIds(document, 'd')).toEqual([]);
  });
});

describe('nodeDataContext and listDataPaths', () => {
  it('gives a node the sample, its upstream outputs and its input', () => {
    const outputs = new Map<string, unknown>([
      ['t', sample],
      ['a', { total: 3 }],
      ['c', { side: true }],
    ]);
    const data = nodeDataContext(document, 'b', sample, outputs);
    expect(data.upstream.map((step) => [step.key, step.hasOutput])).toEqual([
      ['trigger', true],
      ['a', true],
    ]);
    expect(data.context?.steps).toEqual({ trigger: sample, a: { total: 3 } });
    expect(data.context?.input).toEqual({ total: 3 });
    const paths = listDataPaths(data).map((entry) => entry.path);
    expect(paths).toContain('trigger.body.commits[0].author.name');
    expect(paths).toContain('trigger.headers.`x-github-event`');
    expect(paths).toContain('steps.a.total');
    expect(paths).not.toContain('steps.c');
    // Shallow paths first.
    expect(paths.indexOf('trigger.body')).toBeLessThan(paths.indexOf('trigger.body.ref'));
  });

  it('still offers the upstream keys without a sample or a test run', () => {
    const data = nodeDataContext(document, 'b', null, new Map());
    expect(data.context).toBeNull();
    expect(listDataPaths(data).map((entry) => entry.path)).toEqual([
      'trigger',
      'steps.trigger',
      'steps.a',
    ]);
  });

  it('stops at its limits', () => {
    const wide = {
      ...sample,
      body: Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, i])),
    };
    const data = nodeDataContext(document, 'a', wide, new Map());
    expect(listDataPaths(data, { limit: 50 })).toHaveLength(50);
  });
});

describe('insertion into a field', () => {
  it('inserts a bare path inside {{ }} and a whole expression elsewhere', () => {
    expect(insideExpression('{{ trig', 7)).toBe(true);
    expect(insideExpression('{{ a }} b', 9)).toBe(false);
    expect(insertionFor('Hello {{ ', 9, 'trigger.body.name')).toBe('trigger.body.name');
    expect(insertionFor('Hello ', 6, 'trigger.body.name')).toBe('{{ trigger.body.name }}');
  });
});
