import { describe, expect, it } from 'vitest';
import { latestSteps, nodeRunStates, waterfall } from './run-steps.ts';

const step = (
  nodeId: string,
  status: 'succeeded' | 'failed' | 'filtered',
  startedAt: number,
  finishedAt: number,
  attempt = 1,
) => ({ nodeId, nodeKey: nodeId, status, startedAt, finishedAt, attempt });

const document = { nodes: [{ id: 'trigger' }, { id: 'crm' }, { id: 'mail' }] };

describe('nodeRunStates', () => {
  it('takes the latest step of each node, and tells skipped from pending', () => {
    const steps = [step('trigger', 'succeeded', 0, 1), step('crm', 'failed', 1, 5)];
    expect(Object.fromEntries(nodeRunStates(document, steps, true))).toEqual({
      trigger: 'succeeded',
      crm: 'failed',
      mail: 'skipped',
    });
    expect(nodeRunStates(document, steps, false).get('mail')).toBe('pending');
    const resumed = [...steps, step('crm', 'succeeded', 10, 12, 2)];
    expect(nodeRunStates(document, resumed, true).get('crm')).toBe('succeeded');
    expect(latestSteps(resumed).get('crm')?.attempt).toBe(2);
  });
});

describe('waterfall', () => {
  it('places each step on one timeline', () => {
    const { start, end, bars } = waterfall([
      step('trigger', 'succeeded', 100, 100),
      step('crm', 'succeeded', 100, 150),
      step('mail', 'failed', 150, 200),
    ]);
    expect([start, end]).toEqual([100, 200]);
    expect(bars.map(({ offset, width }) => [offset, width])).toEqual([
      [0, 0],
      [0, 0.5],
      [0.5, 0.5],
    ]);
    expect(waterfall([]).bars).toEqual([]);
  });
});
