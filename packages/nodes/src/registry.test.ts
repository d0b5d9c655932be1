import { isSuspension, runDry } from '@hookflow/engine';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { nodeRegistry, nodes } from './index.ts';

describe('the node catalogue', () => {
  it('has the webhook and schedule triggers and unique, stable kebab-case ids', () => {
    expect(new Set(nodes.map((n) => n.type)).size).toBe(nodes.length);
    for (const node of nodes) expect(node.type).toMatch(/^[a-z]+(-[a-z]+)*$/);
    expect(nodes.filter((n) => n.trigger).map((n) => n.type)).toEqual([
      'webhook-trigger',
      'schedule-trigger',
    ]);
    for (const node of nodes) expect(node.trigger === true).toBe(node.group === 'trigger');
    expect(nodeRegistry.get('http-request')?.label).toBe('HTTP request');
  });

  it.each(nodes.map((n) => [n.type, n] as const))(
    '%s: defaults fit its schema and its form edits real fields',
    (_type, node) => {
      expect(node.config.safeParse(node.defaults).success).toBe(true);
      const shape = node.config instanceof z.ZodObject ? Object.keys(node.config.shape) : [];
      // A field may edit a value inside an object field (`auth.secrets`).
      for (const field of node.form) expect(shape).toContain(field.field.split('.')[0]);
      expect(node.label.length).toBeGreaterThan(0);
      expect(node.description.length).toBeGreaterThan(0);
    },
  );
});

describe('dry runs', () => {
  it('names the node types that act outside the run', () => {
    expect(nodes.filter((n) => n.sideEffects).map((n) => n.type)).toEqual([
      'http-request',
      'delay',
    ]);
    // An action reaches outside the run by definition: it must say how it stands in for that.
    for (const node of nodes.filter((n) => n.group === 'action')) {
      expect(node.sideEffects, node.type).toBeDefined();
    }
  });

  it.each(nodes.map((n) => [n.type, n] as const))(
    '%s: with its defaults, a dry run sends nothing and does not wait',
    async (_type, node) => {
      const sent: string[] = [];
      const input = { order: { id: 1 } };
      const output = await runDry(node, {
        config: node.config.parse(node.defaults),
        input,
        trigger: { method: 'POST', path: '/', headers: {}, query: {}, body: input, receivedAt: '' },
        steps: {},
        node: { id: 'n', key: 'n', name: 'n', type: node.type },
        run: { id: 'run_dry' },
        signal: new AbortController().signal,
        services: {
          http: async (request) => {
            sent.push(request.url);
            throw new Error('a dry run must not send');
          },
          now: () => new Date('2026-01-01T00:00:00Z'),
        },
      });
      expect(sent).toEqual([]);
      expect(isSuspension(output)).toBe(false);
    },
  );
});
