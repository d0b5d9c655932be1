import { describe, expect, it } from 'vitest';
import { expressionPath, pathKey, previewOf, searchJson } from './json-tree.ts';

describe('expressionPath', () => {
  it('writes identifiers with dots, indexes in brackets and other names in backticks', () => {
    expect(expressionPath('steps.crm', ['body', 'items', 0, 'id'])).toBe(
      '{{ steps.crm.body.items[0].id }}',
    );
    expect(expressionPath('trigger.headers', ['content-type'])).toBe(
      '{{ trigger.headers.`content-type` }}',
    );
    expect(expressionPath('', [])).toBe('{{ $ }}');
    expect(expressionPath('', ['a'])).toBe('{{ a }}');
    expect(expressionPath('x', ['we`ird'])).toBe('{{ x.`we\\`ird` }}');
  });
});

describe('searchJson', () => {
  const value = { order: { id: 42, customer: { email: 'ada@example.com' } }, tags: ['vip', 'new'] };

  it('finds keys and values and opens their ancestors', () => {
    const result = searchJson(value, 'EXAMPLE');
    expect([...result.matches]).toEqual([pathKey(['order', 'customer', 'email'])]);
    expect(result.open).toEqual(
      new Set([pathKey([]), pathKey(['order']), pathKey(['order', 'customer'])]),
    );
    expect(searchJson(value, 'customer').matches.has(pathKey(['order', 'customer']))).toBe(true);
    expect(searchJson(value, 'vip').matches.has(pathKey(['tags', 0]))).toBe(true);
  });

  it('finds nothing for an empty query and stops at the limit', () => {
    expect(searchJson(value, '  ').count).toBe(0);
    expect(searchJson({ a: 'x', b: 'x', c: 'x' }, 'x', 2).count).toBe(2);
  });
});

describe('previewOf', () => {
  it('summarises containers and quotes strings', () => {
    expect(previewOf([1, 2])).toBe('[2 items]');
    expect(previewOf({ a: 1 })).toBe('{1 key}');
    expect(previewOf('hi')).toBe('"hi"');
    expect(previewOf(null)).toBe('null');
  });
});
