import { describe, expect, it } from 'vitest';
import {
  errorSummary,
  formatBytes,
  formatDuration,
  formatJson,
  formatRelativeTime,
  runDuration,
} from './format.ts';

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [-5, '0 ms'],
    [12.4, '12 ms'],
    [999, '999 ms'],
    [1000, '1 s'],
    [1250, '1.25 s'],
    [12_400, '12.4 s'],
    [59_960, '59.9 s'],
    [60_000, '1 min'],
    [185_000, '3 min 5 s'],
    [3_600_000, '1 h'],
    [7_440_000, '2 h 4 min'],
  ])('%d ms reads %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('runDuration', () => {
  it('is unknown while queued, grows while running and is fixed once finished', () => {
    expect(runDuration({ startedAt: null, finishedAt: null }, 5000)).toBeNull();
    expect(runDuration({ startedAt: 1000, finishedAt: null }, 5000)).toBe(4000);
    expect(runDuration({ startedAt: 1000, finishedAt: 1500 }, 5000)).toBe(500);
  });
});

describe('formatRelativeTime', () => {
  const now = Date.UTC(2025, 0, 2);
  it.each([
    [now - 1000, 'just now'],
    [now + 3000, 'just now'],
    [now - 42_000, '42 s ago'],
    [now - 5 * 60_000, '5 min ago'],
    [now - 3 * 3_600_000, '3 h ago'],
    [now - 2 * 86_400_000, '2 d ago'],
  ])('%d reads %s', (time, text) => {
    expect(formatRelativeTime(time, now)).toBe(text);
  });
});

describe('formatJson', () => {
  it('indents objects and names values that cannot be JSON', () => {
    expect(formatJson({ a: [1] })).toBe('{\n  "a": [\n    1\n  ]\n}');
    expect(formatJson(undefined)).toBe('undefined');
    expect(formatJson(null)).toBe('null');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(formatJson(cyclic)).toBe('[object Object]');
  });
});

describe('formatBytes', () => {
  it('uses B, KB and MB', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3 MB');
  });
});

describe('errorSummary', () => {
  it('reads a message from a string or an object with one', () => {
    expect(errorSummary('timed out')).toBe('timed out');
    expect(errorSummary({ message: 'HTTP 500', status: 500 })).toBe('HTTP 500');
    expect(errorSummary({ code: 'x' })).toBeNull();
    expect(errorSummary(null)).toBeNull();
  });
});
