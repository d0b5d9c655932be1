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
