import type { DbHandle } from './client.ts';
import { newId } from './ids.ts';

export interface SampleRecord {
  id: string;
  workflowId: string;
  eventId: string;
  name: string;
  createdAt: number;
}

/** A request written by hand (pasted, or a template's) to keep as a sample. */
export interface HandMadeRequest {
  method: string;
  headers: Record<string, string>;
  query: Record<string, string | string[]>;
  /** The body as the sender would send it. */
  body: Buffer;
  /** What a workflow sees as `trigger.body`. */
  parsedBody: unknown;
  contentType: string | null;
}

/** Named sample events per workflow. */
export function createSampleStore({ sqlite }: DbHandle) {
  const insert = sqlite.prepare(
    'INSERT INTO samples (id, workflow_id, event_id, name, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  const byWorkflow = sqlite.prepare(
    `SELECT id, workflow_id AS workflowId, event_id AS eventId, name, created_at AS createdAt
     FROM samples WHERE workflow_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`,
  );
  const byId = sqlite.prepare(
    `SELECT id, workflow_id AS workflowId, event_id AS eventId, name, created_at AS createdAt
     FROM samples WHERE id = ?`,
  );
  const remove = sqlite.prepare('DELETE FROM samples WHERE id = ?');
  const eventOf = sqlite.prepare('SELECT workflow_id AS workflowId FROM events WHERE id = ?');
  const triggerOf = sqlite.prepare('SELECT id, token FROM triggers WHERE workflow_id = ?');
  const insertEvent = sqlite.prepare(`INSERT INTO events
    (id, trigger_id, workflow_id, method, path, headers, query, body, parsed_body, parsed_from_body,
     content_type, received_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`);
  /**
   * The event of a request that never reached the trigger URL: stored like a received one
   * (its path the trigger's), with no run and no request-log line, so it is a sample only.
   */
  const createFromRequest = sqlite.transaction(
    (input: {
      workflowId: string;
      name: string;
      request: HandMadeRequest;
      now?: number;
    }): SampleRecord | null => {
      const trigger = triggerOf.get(input.workflowId) as { id: string; token: string } | undefined;
      if (!trigger) return null;
      const now = input.now ?? Date.now();
      const eventId = newId('evt');
      const { request } = input;
      insertEvent.run(
        eventId,
        trigger.id,
        input.workflowId,
        request.method,
        `/hooks/${trigger.token}`,
        JSON.stringify(request.headers),
        JSON.stringify(request.query),
        request.body,
        JSON.stringify(request.parsedBody ?? null),
        request.contentType,
        now,
      );
      const id = newId('smp');
      insert.run(id, input.workflowId, eventId, input.name, now);
      return byId.get(id) as SampleRecord;
    },
  );
  return {
    /** Keeps an event of this workflow as a named sample; null when the event is not its. */
    create(input: {
      workflowId: string;
      eventId: string;
      name: string;
      now?: number;
    }): SampleRecord | null {
      const event = eventOf.get(input.eventId) as { workflowId: string } | undefined;
      if (!event || event.workflowId !== input.workflowId) return null;
      const id = newId('smp');
      insert.run(id, input.workflowId, input.eventId, input.name, input.now ?? Date.now());
      return byId.get(id) as SampleRecord;
    },
    /** Keeps a request written by hand as a named sample; null when the workflow is unknown. */
    createFromRequest,
    list(workflowId: string, limit = 100): SampleRecord[] {
      return byWorkflow.all(workflowId, limit) as SampleRecord[];
    },
    get(id: string): SampleRecord | null {
      return (byId.get(id) as SampleRecord | undefined) ?? null;
    },
    delete(id: string): boolean {
      return remove.run(id).changes > 0;
    },
  };
}

export type SampleStore = ReturnType<typeof createSampleStore>;
