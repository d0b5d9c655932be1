import { filter, httpRequest, router, webhookTrigger } from '@hookflow/nodes';
import { describe, expect, it, vi } from 'vitest';
import { CARD_SIZE, type WorkflowNodeData } from './graph.ts';
import {
  effectiveDefaults,
  effectiveValue,
  estimatedHandles,
  nodeOutputs,
  nodeSummary,
  parseConfig,
} from './node-info.ts';

const data = (
  type: string,
  config: Record<string, unknown>,
  extra: Partial<WorkflowNodeData> = {},
) => ({ key: 'k', type, name: 'n', config, ...extra }) satisfies WorkflowNodeData;

describe('nodeOutputs', () => {
  it('is one main output for most nodes, plus error when the node continues on failure', () => {
    expect(nodeOutputs(filter, data('filter', {}))).toEqual([{ id: 'main' }]);
    expect(nodeOutputs(filter, data('filter', {}, { onError: 'continue' }))).toEqual([
      { id: 'main' },
      { id: 'error', label: 'Error' },
    ]);
  });

  it("is the router's routes and else, from its config", () => {
    const outputs = nodeOutputs(router, data('router', router.defaults as Record<string, unknown>));
    expect(outputs.map((output) => [output.id, output.label])).toEqual([
      ['paid', 'Paid'],
      ['refunded', 'Refunded'],
      ['else', 'Else'],
    ]);
  });

  it('keeps the handles edges still leave, marked stale, while the config lacks them', () => {
    const outputs = nodeOutputs(router, data('router', { routes: 'broken' }), ['paid']);
    expect(outputs).toEqual([{ id: 'paid', label: 'paid', stale: true }]);
  });
});

describe('nodeSummary', () => {
  it("is the definition's summary of the parsed config", () => {
    expect(nodeSummary(webhookTrigger, {})).toBe('POST · answers at once');
    expect(nodeSummary(httpRequest, { method: 'GET', url: 'https://example.com' })).toBe(
      'GET https://example.com',
    );
  });

  it('summarises a config holding expressions over the defaults', () => {
    expect(nodeSummary(httpRequest, { url: '{{ trigger.body.callback }}' })).toBe(
      'POST {{ trigger.body.callback }}',
    );
  });

  it('is null when the summary throws or there is none', () => {
    expect(nodeSummary(filter, { conditions: '{{ nonsense' })).toBeNull();
    expect(nodeSummary({ ...filter, summary: undefined }, {})).toBeNull();
    expect(nodeSummary({ ...filter, summary: () => '  ' }, {})).toBeNull();
    expect(nodeSummary(undefined, {})).toBeNull();
  });
});

describe('effective values', () => {
  it("fills unset fields with the schema's defaults", () => {
    expect(effectiveDefaults(httpRequest).timeoutMs).toBe(30_000);
    expect(effectiveValue(httpRequest, {}, 'failOnError')).toBe(true);
    expect(effectiveValue(httpRequest, { failOnError: false }, 'failOnError')).toBe(false);
    expect(effectiveValue(webhookTrigger, {}, 'responseMode')).toBe('immediate');
  });
});

describe('estimatedHandles', () => {
  it('puts the target on the left and one source on the right, at mid height', () => {
    const handles = estimatedHandles(nodeOutputs(filter, data('filter', {})), false);
    const target = handles.find((handle) => handle.type === 'target')!;
    const source = handles.find((handle) => handle.type === 'source')!;
    expect(source.id).toBe('main');
    expect(target.x).toBeLessThan(0);
    expect(source.x).toBeGreaterThan(CARD_SIZE.width - 12);
    expect(source.y).toBe(target.y);
    expect(source.y + (source.height ?? 0) / 2).toBeCloseTo(CARD_SIZE.height / 2);
  });

  it('gives a trigger no target and each labelled output its own row', () => {
    const outputs = nodeOutputs(router, data('router', router.defaults as Record<string, unknown>));
    const handles = estimatedHandles(outputs, true);
    expect(handles.some((handle) => handle.type === 'target')).toBe(false);
    expect(handles.map((handle) => handle.id)).toEqual(outputs.map((output) => output.id));
    const rows = handles.map((handle) => handle.y);
    expect(new Set(rows).size).toBe(rows.length);
    expect([...rows].sort((a, b) => a - b)).toEqual(rows);
  });
});

describe('parseConfig', () => {
  it('parses a config object once, and a changed config (a new object) again', () => {
    const config = { url: 'https://example.com/a' };
    const first = parseConfig(httpRequest, config);
    expect(first).toMatchObject({ url: 'https://example.com/a', method: 'POST' });
    // The same object: the same parsed config, not a new parse.
    expect(parseConfig(httpRequest, config)).toBe(first);
    const changed = { ...config, url: 'https://example.com/b' };
    expect(parseConfig(httpRequest, changed)).toMatchObject({ url: 'https://example.com/b' });
  });

  it('remembers a config that does not fit as null, without parsing it again', () => {
    const config = { url: 42 };
    const parse = vi.spyOn(httpRequest.config, 'safeParse');
    try {
      expect(parseConfig(httpRequest, config)).toBeNull();
      expect(parseConfig(httpRequest, config)).toBeNull();
      expect(parse).toHaveBeenCalledTimes(1);
    } finally {
      parse.mockRestore();
    }
  });
});
