import type { Statement } from 'better-sqlite3';
import type { DbHandle } from './client.ts';
import { newId } from './ids.ts';

export const auditActorKinds = ['user', 'system', 'anonymous'] as const;
export type AuditActorKind = (typeof auditActorKinds)[number];

/** Who made a change: a user (their id and email at the time), the system, or no one known. */
export type AuditActor =
  | { kind: 'user'; id: string; email: string }
  | { kind: 'system' }
  | { kind: 'anonymous' };

export type AuditDetail = Record<string, unknown>;

export interface AuditEntryInput {
  actor: AuditActor;
  /** `<target type>.<verb>`, such as `workflow.published`. */
  action: string;
  target: { type: string; id?: string | null; name?: string | null };
  detail?: AuditDetail | null;
  remoteAddress?: string | null;
  now?: number;
}

export interface AuditEntry {
  id: string;
  at: number;
  actor: AuditActor;
  action: string;
  target: { type: string; id: string | null; name: string | null };
  detail: AuditDetail | null;
  remoteAddress: string | null;
}

export interface AuditQuery {
  /** A user's id. */
  actorId?: string;
  actorKind?: AuditActorKind;
  /** Actions that start with this: `workflow.` (every workflow change), `workflow.published`. */
  actionPrefix?: string;
  targetType?: string;
  targetId?: string;
  /** Entries at or after this time (ms). */
  from?: number;
  /** Entries before this time (ms). */
  to?: number;
  /** The last id of the previous page: the next page starts after it. */
  cursor?: string;
  /** 1 to 500; 50 by default. */
  limit?: number;
}

/**
 * An entry that repeats the newest one of its target (same action, same actor, within
 * `withinMs`) updates that entry's detail instead of adding one: a person saving a draft every
 * second leaves one entry, not a thousand. `detail` makes the merged detail from the old one.
 */
export interface AuditMerge {
  withinMs: number;
  detail: (previous: AuditDetail | null) => AuditDetail;
}

interface AuditRow {
  id: string;
  at: number;
  actorKind: AuditActorKind;
  actorId: string | null;
  actorEmail: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  targetName: string | null;
  detail: string | null;
  remoteAddress: string | null;
}

const columns = `id, at, actor_kind AS actorKind, actor_id AS actorId, actor_email AS actorEmail,
  action, target_type AS targetType, target_id AS targetId, target_name AS targetName, detail,
  remote_address AS remoteAddress`;

function toEntry(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    at: row.at,
    actor:
      row.actorKind === 'user'
        ? { kind: 'user', id: row.actorId ?? '', email: row.actorEmail ?? '' }
        : { kind: row.actorKind },
    action: row.action,
    target: { type: row.targetType, id: row.targetId, name: row.targetName },
    detail: row.detail === null ? null : (JSON.parse(row.detail) as AuditDetail),
    remoteAddress: row.remoteAddress,
  };
}

/** The filters of a query, in a fixed order: one prepared statement per combination. */
const filters = [
  ['actorId', 'actor_id = @actorId'],
  ['actorKind', 'actor_kind = @actorKind'],
  ['actionPrefix', 'substr(action, 1, length(@actionPrefix)) = @actionPrefix'],
  ['targetType', 'target_type = @targetType'],
  ['targetId', 'target_id = @targetId'],
  ['from', 'at >= @from'],
  ['to', 'at < @to'],
  ['cursor', 'id < @cursor'],
] as const;

/**
 * The audit log: who changed what, and when. Entries are added by the API (one `audit()` call
 * per mutation) and kept for good; nothing prunes them.
 */
export function createAuditStore({ sqlite }: DbHandle) {
  const insert = sqlite.prepare(
    `INSERT INTO audit_log (id, at, actor_kind, actor_id, actor_email, action, target_type,
       target_id, target_name, detail, remote_address)
     VALUES (@id, @at, @actorKind, @actorId, @actorEmail, @action, @targetType, @targetId,
       @targetName, @detail, @remoteAddress)`,
  );
  const byId = sqlite.prepare(`SELECT ${columns} FROM audit_log WHERE id = ?`);
  const newestOfTarget = sqlite.prepare(
    `SELECT ${columns} FROM audit_log WHERE target_type = ? AND target_id IS ?
     ORDER BY id DESC LIMIT 1`,
  );
  const updateDetail = sqlite.prepare('UPDATE audit_log SET detail = ? WHERE id = ?');
  const queries = new Map<string, Statement>();

  const sameActor = (row: AuditRow, actor: AuditActor) =>
    row.actorKind === actor.kind && (actor.kind !== 'user' || row.actorId === actor.id);

  const append = sqlite.transaction((input: AuditEntryInput, merge?: AuditMerge): AuditEntry => {
    const now = input.now ?? Date.now();
    if (merge) {
      const newest = newestOfTarget.get(input.target.type, input.target.id ?? null) as
        | AuditRow
        | undefined;
      if (
        newest &&
        newest.action === input.action &&
        sameActor(newest, input.actor) &&
        now - newest.at <= merge.withinMs
      ) {
        const previous = toEntry(newest).detail;
        updateDetail.run(JSON.stringify(merge.detail(previous)), newest.id);
        return toEntry(byId.get(newest.id) as AuditRow);
      }
    }
    const id = newId('aud');
    insert.run({
      id,
      at: now,
      actorKind: input.actor.kind,
      actorId: input.actor.kind === 'user' ? input.actor.id : null,
      actorEmail: input.actor.kind === 'user' ? input.actor.email : null,
      action: input.action,
      targetType: input.target.type,
      targetId: input.target.id ?? null,
      targetName: input.target.name ?? null,
      detail: input.detail ? JSON.stringify(input.detail) : null,
      remoteAddress: input.remoteAddress ?? null,
    });
    return toEntry(byId.get(id) as AuditRow);
  });

  return {
    /** Records one change (or, with `merge`, folds it into the target's newest entry). */
    append(input: AuditEntryInput, merge?: AuditMerge): AuditEntry {
      return append(input, merge);
    },

    /** Newest first, `limit` at a time; `nextCursor` is null on the last page. */
    list(query: AuditQuery = {}): { items: AuditEntry[]; nextCursor: string | null } {
      const limit = Math.min(500, Math.max(1, query.limit ?? 50));
      const used = filters.filter(([name]) => query[name] !== undefined);
      const key = used.map(([name]) => name).join(',');
      let statement = queries.get(key);
      if (!statement) {
        const where = used.length > 0 ? `WHERE ${used.map(([, sql]) => sql).join(' AND ')}` : '';
        statement = sqlite.prepare(
          `SELECT ${columns} FROM audit_log ${where} ORDER BY id DESC LIMIT @limit`,
        );
        queries.set(key, statement);
      }
      const params: Record<string, unknown> = { limit: limit + 1 };
      for (const [name] of used) params[name] = query[name];
      const rows = statement.all(params) as AuditRow[];
      const items = rows.slice(0, limit).map(toEntry);
      return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.id : null };
    },
  };
}

export type AuditStore = ReturnType<typeof createAuditStore>;
