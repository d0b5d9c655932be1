import { describe, expect, it } from 'vitest';
import { parseWorkflowDocument, retryDelayMs, WORKFLOW_FORMAT } from './workflow.ts';

const withSettings = (settings: unknown) =>
  parseWorkflowDocument({ format: WORKFLOW_FORMAT, name: 'x', nodes: [], settings });

describe('settings.retry', () => {
  it('is off unless set, and fills in the delays', () => {
    const none = withSettings({});
    expect(none.ok && none.document.settings.retry).toBeUndefined();
    const set = withSettings({ retry: { attempts: 3 } });
    expect(set.ok && set.document.settings.retry).toEqual({
      attempts: 3,
      initialDelayMs: 1000,
      maxDelayMs: 300_000,
    });
  });

  it('refuses more than 10 attempts, naming the field', () => {
    const result = withSettings({ retry: { attempts: 11 } });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues[0]?.path).toBe('settings.retry.attempts');
  });

  it('doubles the wait after each failed attempt, up to the maximum, then stops', () => {
    const retry = { attempts: 4, initialDelayMs: 100, maxDelayMs: 300 };
    expect([1, 2, 3, 4, 5].map((attempt) => retryDelayMs(retry, attempt))).toEqual([
      100,
      200,
      300,
      300,
      null,
    ]);
    expect(retryDelayMs(undefined, 1)).toBeNull();
    expect(retryDelayMs({ attempts: 0, initialDelayMs: 1, maxDelayMs: 1 }, 1)).toBeNull();
  });
});
