/**
 * The audit log's one entrance: every mutation that changes a workflow, a credential, a user,
 * an API token or deletes history calls `audit()` once, after the change succeeded. Add the
 * action to `auditActions` when a mutation needs a new one.
 */
import type { AuditActor, AuditDetail, AuditEntry, AuditMerge } from '@hookflow/db';
import type { Actor, ApiContext } from './context.ts';

/** Every action the log records: `<target type>.<verb>`. */
export const auditActions = [
  'workflow.created',
  'workflow.updated',
  'workflow.restored',
  'workflow.published',
  'workflow.activated',
  'workflow.deactivated',
  'workflow.token_rotated',
  'workflow.deleted',
  'run.deleted',
  'credential.created',
  'credential.updated',
  'credential.deleted',
  'user.created',
  'user.role_changed',
  'user.password_changed',
  'user.password_reset',
  'user.deleted',
  'token.created',
  'token.revoked',
] as const;

export type AuditAction = (typeof auditActions)[number];
/** What an action changes: the part of its name before the dot. */
export type AuditTargetType = AuditAction extends `${infer Type}.${string}` ? Type : never;

export interface AuditTarget {
  id: string | null;
  /** Its name now (kept as it was: the log shows it after a rename or deletion). */
  name?: string | null;
}

/** A detail larger than this is replaced by a marker: the log holds what changed, not data. */
export const AUDIT_DETAIL_MAX_CHARS = 4096;

/** The caller as the log names them: a user by id and email, the system, or anonymous. */
export function auditActorOf(actor: Actor | null | undefined): AuditActor {
  if (actor?.kind === 'user') return { kind: 'user', id: actor.userId, email: actor.email };
  if (actor?.kind === 'system') return { kind: 'system' };
  return { kind: 'anonymous' };
}

/**
 * Records that the procedure's caller (`ctx.actor`; `anonymous` when no one is signed in) did
 * `action` to `target`. `detail` says what changed, in a few fields, and never holds a secret
 * value (name the field that changed, not its value). `merge` folds a repeated change into the
 * target's newest entry (draft saves).
 *
 * @example
 * audit(ctx, 'workflow.published', { id: workflow.id, name: workflow.name }, { version: 3 });
 */
export function audit(
  ctx: ApiContext,
  action: AuditAction,
  target: AuditTarget,
  detail?: AuditDetail | null,
  options: { merge?: AuditMerge } = {},
): AuditEntry {
  const type = action.slice(0, action.indexOf('.'));
  const { merge } = options;
  return ctx.store.audit.append(
    {
      actor: auditActorOf(ctx.actor),
      action,
      target: { type, id: target.id, name: target.name ?? null },
      detail: detail ? bounded(detail) : null,
      remoteAddress: ctx.remoteAddress ?? null,
    },
    merge && { withinMs: merge.withinMs, detail: (previous) => bounded(merge.detail(previous)) },
  );
}

function bounded(detail: AuditDetail): AuditDetail {
  const size = JSON.stringify(detail).length;
  return size > AUDIT_DETAIL_MAX_CHARS ? { truncated: true, chars: size } : detail;
}
