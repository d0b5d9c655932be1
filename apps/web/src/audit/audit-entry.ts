/**
 * How the audit page says an entry: who, a sentence for the action, and the details worth a
 * glance. One table of actions, so an action the server adds shows its raw name until it is
 * given words here.
 */
export interface AuditEntryView {
  actor: { kind: 'user'; id: string; email: string } | { kind: 'system' } | { kind: 'anonymous' };
  action: string;
  target: { type: string; id: string | null; name: string | null };
  detail: Record<string, unknown> | null;
}

const verbs: Record<string, string> = {
  'workflow.created': 'created workflow',
  'workflow.updated': 'edited the draft of workflow',
  'workflow.restored': 'restored a version of workflow',
  'workflow.published': 'published workflow',
  'workflow.activated': 'activated workflow',
  'workflow.deactivated': 'deactivated workflow',
  'workflow.token_rotated': 'rotated the trigger URL of workflow',
  'workflow.deleted': 'deleted workflow',
  'run.deleted': 'deleted runs',
  'credential.created': 'created credential',
  'credential.updated': 'changed credential',
  'credential.deleted': 'deleted credential',
  'user.created': 'added user',
  'user.role_changed': 'changed the role of user',
  'user.password_changed': 'changed the password of user',
  'user.password_reset': 'reset the password of user',
  'user.deleted': 'removed user',
  'token.created': 'created API token',
  'token.revoked': 'revoked API token',
};

/** The filter choices: every action of a kind of target. */
export const auditActionGroups = [
  { value: '', label: 'All changes' },
  { value: 'workflow.', label: 'Workflows' },
  { value: 'credential.', label: 'Credentials' },
  { value: 'user.', label: 'Users' },
  { value: 'token.', label: 'API tokens' },
  { value: 'run.', label: 'Run history' },
] as const;

export function actorLabel(actor: AuditEntryView['actor']): string {
  if (actor.kind === 'user') return actor.email;
  return actor.kind === 'system' ? 'System (CLI or server)' : 'Someone not signed in';
}

export function actionLabel(action: string): string {
  return verbs[action] ?? action;
}

/** A few short facts from the entry's detail, in words. */
export function detailLabels(entry: AuditEntryView): string[] {
  const detail = entry.detail ?? {};
  const labels: string[] = [];
  if (typeof detail.version === 'number') labels.push(`version ${detail.version}`);
  if (typeof detail.note === 'string') labels.push(`note: “${detail.note}”`);
  if (typeof detail.saves === 'number' && detail.saves > 1) labels.push(`${detail.saves} saves`);
  const renamed = detail.renamed as { from?: unknown; to?: unknown } | undefined;
  if (renamed && typeof renamed.from === 'string' && typeof renamed.to === 'string') {
    labels.push(`renamed from “${renamed.from}” to “${renamed.to}”`);
  }
  if (detail.valueChanged === true) labels.push('new value');
  if (typeof detail.type === 'string') labels.push(detail.type);
  if (typeof detail.role === 'string') labels.push(`role ${detail.role}`);
  if (typeof detail.from === 'string' && typeof detail.to === 'string') {
    labels.push(`${detail.from} → ${detail.to}`);
  }
  if (typeof detail.sessionsEnded === 'number') {
    labels.push(`${detail.sessionsEnded} session${detail.sessionsEnded === 1 ? '' : 's'} ended`);
  }
  if (typeof detail.runs === 'number')
    labels.push(`${detail.runs} run${detail.runs === 1 ? '' : 's'}`);
  if (typeof detail.releasedRuns === 'number') {
    labels.push(
      `${detail.releasedRuns} held request${detail.releasedRuns === 1 ? '' : 's'} released`,
    );
  }
  if (detail.truncated === true) labels.push('details too large to keep');
  return labels;
}
