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

export interface AcceptInput {
  triggerId: string;
  workflowId: string;
  /** The version to run; null records the event without queuing a run (a sample). */
  versionId: string | null;
  event: IncomingEvent;
}

/** Commits accepted requests: the event and its queued run in one transaction, group-committed. */
export function createIngestStore({ sqlite }: DbHandle, commit: GroupCommit) {
  const insertEvent = sqlite.prepare(`INSERT INTO events
    (id, trigger_id, workflow_id, method, path, headers, query, body, parsed_body, content_type, received_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertRun = sqlite.prepare(`INSERT INTO runs
    (id, workflow_id, version_id, event_id, status, attempt, queued_at)
    VALUES (?, ?, ?, ?, 'queued', 1, ?)`);

  return {
    /** Resolves only once the event (and its run) are on disk. */
    accept(input: AcceptInput): Promise<{ eventId: string; runId: string | null }> {
      const eventId = newId('evt');
      const runId = input.versionId ? newId('run') : null;
      const { event } = input;
      const headers = JSON.stringify(event.headers);
      const query = JSON.stringify(event.query);
      const parsed = event.parsedBody === undefined ? null : JSON.stringify(event.parsedBody);
      return commit.write(() => {
        insertEvent.run(
          eventId,
          input.triggerId,
          input.workflowId,
          event.method,
          event.path,
          headers,
          query,
          event.body,
          parsed,
          event.contentType,
          event.receivedAt,
        );
        if (runId)
          insertRun.run(runId, input.workflowId, input.versionId, eventId, event.receivedAt);
        return { eventId, runId };
      });
    },
  };
}

export type IngestStore = ReturnType<typeof createIngestStore>;
