import type { DbHandle } from './client.ts';
import { newId } from './ids.ts';

export interface SampleRecord {
  id: string;
  workflowId: string;
  eventId: string;
  name: string;
  createdAt: number;
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
