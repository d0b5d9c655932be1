import { auditActions } from '@hookflow/api';
import { describe, expect, it } from 'vitest';
import { actionLabel, actorLabel, detailLabels } from './audit-entry.ts';

describe('audit entries in words', () => {
  it('names the actor and the action, and keeps an unknown action as it is', () => {
    expect(actorLabel({ kind: 'user', id: 'usr_1', email: 'ada@example.com' })).toBe(
      'ada@example.com',
    );
    expect(actorLabel({ kind: 'system' })).toBe('System (CLI or server)');
    expect(actionLabel('workflow.published')).toBe('published workflow');
    expect(actionLabel('settings.changed')).toBe('settings.changed');
  });

  it('has words for every action the server records', () => {
    const unnamed = auditActions.filter((action) => actionLabel(action) === action);
    expect(unnamed).toEqual([]);
  });

  it('says the details that matter', () => {
    const entry = (detail: Record<string, unknown>) => ({
      actor: { kind: 'system' as const },
      action: 'workflow.updated',
      target: { type: 'workflow', id: 'wf_1', name: 'Orders' },
      detail,
    });
    expect(detailLabels(entry({ version: 3, note: 'fix the filter' }))).toEqual([
      'version 3',
      'note: “fix the filter”',
    ]);
    expect(detailLabels(entry({ revision: 9, saves: 4, renamed: { from: 'A', to: 'B' } }))).toEqual(
      ['4 saves', 'renamed from “A” to “B”'],
    );
    expect(detailLabels(entry({ runs: 1, ids: ['run_1'] }))).toEqual(['1 run']);
    expect(detailLabels(entry({ valueChanged: false }))).toEqual([]);
    expect(detailLabels(entry({ sessionsEnded: 2 }))).toEqual(['2 sessions ended']);
  });
});
