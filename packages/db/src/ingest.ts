import type { DbHandle } from './client.ts';
import type { GroupCommit } from './group-commit.ts';
import { newId } from './ids.ts';

export interface IncomingEvent {
  method: string;
  path: string;
  headers: Record<string, string>;
  query: Record<string, string | string[]>;
  body: Buffer;
  parsedBody: unknown;
  contentType: string | null;
  receivedAt: number;
}

/** What the request log keeps about a request besides its outcome. */
export interface RequestFacts {
  method: string;
  size: number;
  remoteAddress: string | null;
  /** Headers as they may be shown to the owner (sensitive ones already masked). */
  headers: Record<string, string>;
}

export interface AcceptInput {
  triggerId: string;
  workflowId: string;
  /** The version to run; null records the event without queuing a run (a sample). */
  versionId: string | null;
  event: IncomingEvent;
  request: RequestFacts;
  /** The status the sender is answered, for the request log. */
  answerStatus: number;
  /** The sender's delivery id: a second request with it inside the window runs nothing. */
  delivery?: { id: string; windowMs: number };
  /** Keep the run waiting until the workflow is reactivated (runs.releaseHeld). */
  held?: boolean;
  /**
   * A schedule tick: recorded in schedule_ticks in the same transaction. A tick at or before the
   * workflow's last fired tick is a duplicate (another process or an earlier start fired it).
   */
  tick?: { scheduledAt: number };
}

/** `not_before` of a run held while its workflow is deactivated: never, until released. */
export const HELD_UNTIL_ACTIVE = Number.MAX_SAFE_INTEGER;

export type AcceptResult =
  | {
      kind: 'accepted';
      eventId: string;
      runId: string | null;
      /** The parsed body as the event stores it, JSON text (null when it has none). */
      parsedJson: string | null;
    }
  | { kind: 'duplicate'; eventId: string; runId: string | null };

export interface RefusalInput {
  triggerId: string;
  workflowId: string;
  receivedAt: number;
  request: RequestFacts;
  status: number;
  reason: string;
  message: string;
}

/**
 * Commits accepted requests: the event, its queued run, its delivery id and its request-log
 * line in one transaction, group-committed. Refusals are logged the same way.
 */
export function createIngestStore({ sqlite }: DbHandle, commit: GroupCommit) {
  const insertEvent = sqlite.prepare(`INSERT INTO events
    (id, trigger_id, workflow_id, method, path, headers, query, body, parsed_body, parsed_from_body,
     content_type, received_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertRun = sqlite.prepare(`INSERT INTO runs
    (id, workflow_id, version_id, event_id, status, attempt, queued_at, not_before)
    VALUES (?, ?, ?, ?, 'queued', 1, ?, ?)`);
  const findDelivery = sqlite.prepare(
    'SELECT event_id, run_id, received_at FROM deliveries WHERE trigger_id = ? AND delivery_id = ?',
  );
  const upsertDelivery = sqlite.prepare(`INSERT INTO deliveries
    (trigger_id, delivery_id, event_id, run_id, received_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (trigger_id, delivery_id) DO UPDATE SET
      event_id = excluded.event_id, run_id = excluded.run_id, received_at = excluded.received_at`);
  const lastTick = sqlite.prepare(`SELECT schedule_ticks.run_id AS runId,
    coalesce(runs.event_id, '') AS eventId, scheduled_at AS scheduledAt
    FROM schedule_ticks LEFT JOIN runs ON runs.id = schedule_ticks.run_id
    WHERE schedule_ticks.workflow_id = ? ORDER BY scheduled_at DESC LIMIT 1`);
  // Ticks only move forward, so the last one is all a workflow keeps.
  const insertTick = sqlite.prepare(`INSERT INTO schedule_ticks
    (workflow_id, scheduled_at, fired_at, run_id) VALUES (?, ?, ?, ?)`);
  const forgetTicks = sqlite.prepare(
    'DELETE FROM schedule_ticks WHERE workflow_id = ? AND scheduled_at < ?',
  );
  const insertRequest = sqlite.prepare(`INSERT INTO trigger_requests
    (id, trigger_id, workflow_id, received_at, method, status, outcome, reason, message, run_id,
     event_id, size, remote_address, headers)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);

  const logRequest = (
    triggerId: string,
    workflowId: string,
    receivedAt: number,
    request: RequestFacts,
    line: {
      status: number;
      outcome: string;
      reason: string | null;
      message: string | null;
      runId: string | null;
      eventId: string | null;
    },
  ) => {
    insertRequest.run(
      newId('req'),
      triggerId,
      workflowId,
      receivedAt,
      request.method,
      line.status,
      line.outcome,
      line.reason,
      line.message,
      line.runId,
      line.eventId,
      request.size,
      request.remoteAddress,
      JSON.stringify(request.headers),
    );
  };

  return {
    /** Resolves only once the event (and its run) are on disk. */
    accept(input: AcceptInput): Promise<AcceptResult> {
      const eventId = newId('evt');
      const runId = input.versionId ? newId('run') : null;
      const { event } = input;
      const headers = JSON.stringify(event.headers);
      const query = JSON.stringify(event.query);
      const parsed = event.parsedBody === undefined ? null : JSON.stringify(event.parsedBody);
      // Compact JSON, as most senders post it, parses back to its own bytes: kept once, raw.
      const fromBody =
        parsed !== null &&
        Buffer.byteLength(parsed) === event.body.length &&
        event.body.toString('utf8') === parsed;
      return commit.write((): AcceptResult => {
        if (input.tick) {
          const last = lastTick.get(input.workflowId) as
            | { runId: string | null; eventId: string; scheduledAt: number }
            | undefined;
          if (last && last.scheduledAt >= input.tick.scheduledAt) {
            return { kind: 'duplicate', eventId: last.eventId, runId: last.runId };
          }
          insertTick.run(input.workflowId, input.tick.scheduledAt, event.receivedAt, runId);
          forgetTicks.run(input.workflowId, input.tick.scheduledAt);
        }
        if (input.delivery) {
          const seen = findDelivery.get(input.triggerId, input.delivery.id) as
            | { event_id: string; run_id: string | null; received_at: number }
            | undefined;
          if (seen && seen.received_at >= event.receivedAt - input.delivery.windowMs) {
            logRequest(input.triggerId, input.workflowId, event.receivedAt, input.request, {
              status: 200,
              outcome: 'duplicate',
              reason: 'duplicate',
              message: `delivery ${input.delivery.id} was already received`,
              runId: seen.run_id,
              eventId: seen.event_id,
            });
            return { kind: 'duplicate', eventId: seen.event_id, runId: seen.run_id };
          }
        }
        insertEvent.run(
          eventId,
          input.triggerId,
          input.workflowId,
          event.method,
          event.path,
          headers,
          query,
          event.body,
          fromBody ? null : parsed,
          fromBody ? 1 : 0,
          event.contentType,
          event.receivedAt,
        );
        if (runId) {
          const notBefore = input.held ? HELD_UNTIL_ACTIVE : null;
          insertRun.run(
            runId,
            input.workflowId,
            input.versionId,
            eventId,
            event.receivedAt,
            notBefore,
          );
        }
        if (input.delivery) {
          upsertDelivery.run(input.triggerId, input.delivery.id, eventId, runId, event.receivedAt);
        }
        logRequest(input.triggerId, input.workflowId, event.receivedAt, input.request, {
          status: input.answerStatus,
          outcome: runId ? 'accepted' : 'sample',
          reason: null,
          message: null,
          runId,
          eventId,
        });
        return { kind: 'accepted', eventId, runId, parsedJson: parsed };
      });
    },

    /** Records a refused request in the trigger's request log. */
    refuse(input: RefusalInput): Promise<void> {
      return commit.write(() => {
        logRequest(input.triggerId, input.workflowId, input.receivedAt, input.request, {
          status: input.status,
          outcome: 'refused',
          reason: input.reason,
          message: input.message,
          runId: null,
          eventId: null,
        });
      });
    },

    /** The newest requests first; `cursor` is the previous page's last id. */
    listRequests(filter: { triggerId: string; cursor?: string; limit: number }) {
      const rows = sqlite
        .prepare(
          `SELECT * FROM trigger_requests WHERE trigger_id = @triggerId
           ${filter.cursor ? 'AND id < @cursor' : ''} ORDER BY id DESC LIMIT @limit`,
        )
        .all({
          triggerId: filter.triggerId,
          cursor: filter.cursor,
          limit: filter.limit + 1,
        }) as Record<string, unknown>[];
      const items = rows.slice(0, filter.limit).map((row) => ({
        id: row.id as string,
        receivedAt: row.received_at as number,
        method: row.method as string,
        status: row.status as number,
        outcome: row.outcome as 'accepted' | 'sample' | 'duplicate' | 'refused',
        reason: row.reason as string | null,
        message: row.message as string | null,
        runId: row.run_id as string | null,
        eventId: row.event_id as string | null,
        size: row.size as number,
        remoteAddress: row.remote_address as string | null,
        headers: JSON.parse((row.headers as string | null) ?? '{}') as Record<string, string>,
      }));
      return { items, nextCursor: rows.length > filter.limit ? (items.at(-1)?.id ?? null) : null };
    },
  };
}

export type IngestStore = ReturnType<typeof createIngestStore>;
