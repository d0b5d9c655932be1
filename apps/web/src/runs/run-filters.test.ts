import { describe, expect, it } from 'vitest';
import { readRunFilter } from './run-filters.tsx';
import { niceCeiling } from './runs-chart.tsx';

const now = Date.UTC(2026, 10, 28, 12, 30, 45);

describe('readRunFilter', () => {
  it('reads the filter from the URL into the runs.list input', () => {
    const filter = readRunFilter(
      new URLSearchParams('workflow=wf_1&status=failed&range=24h&q=%20order-7%20'),
      now,
    );
    expect(filter).toMatchObject({
      workflowId: 'wf_1',
      status: 'failed',
      range: '24h',
      q: 'order-7',
    });
    expect(filter.active).toBe(true);
    // Rounded down to the minute, so that the query (and its cache) holds still.
    const from = Date.UTC(2026, 10, 27, 12, 30, 0);
    expect(filter.input).toEqual({ workflowId: 'wf_1', status: 'failed', from, q: 'order-7' });
    expect(filter.countsInput).toEqual({ workflowId: 'wf_1', from, q: 'order-7' });
  });

  it('ignores values it does not know and reads no filter as none', () => {
    const filter = readRunFilter(new URLSearchParams('status=exploded&range=1y&q=%20'), now);
    expect(filter).toMatchObject({ status: undefined, range: undefined, q: '', active: false });
    expect(filter.input).toEqual({});
  });
});

describe('niceCeiling', () => {
  it('rounds an axis maximum up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 1, 3, 7, 10, 11, 180, 4321].map(niceCeiling)).toEqual([
      1, 1, 5, 10, 10, 20, 200, 5000,
    ]);
  });
});
