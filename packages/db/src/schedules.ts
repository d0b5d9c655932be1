import type { DbHandle } from './client.ts';

/** A published, active workflow started by a schedule: what the scheduler arms. */
export interface ActiveSchedule {
  workflowId: string;
  triggerId: string;
  versionId: string;
  /** The published version's document (its trigger node holds the schedule). */
  document: unknown;
  /**
   * When the workflow was last published, activated or edited: ticks before it are never
   * caught up (they fell before this schedule, or while the workflow was deactivated).
   */
  changedAt: number;
  /** The scheduled time of the last tick that fired, if any. */
  lastTickAt: number | null;
}

/**
 * What the scheduler reads. Ticks are written by `ingest.accept({ tick })`, in the same
 * transaction as their event and run.
 */
export function createScheduleStore({ sqlite }: DbHandle) {
  const active = sqlite.prepare(`SELECT workflows.id AS workflowId, triggers.id AS triggerId,
      workflow_versions.id AS versionId, workflow_versions.document AS document,
      workflows.updated_at AS changedAt,
      (SELECT max(scheduled_at) FROM schedule_ticks
        WHERE schedule_ticks.workflow_id = workflows.id) AS lastTickAt
    FROM workflows
    JOIN triggers ON triggers.workflow_id = workflows.id
    JOIN workflow_versions ON workflow_versions.id = workflows.published_version_id
    WHERE workflows.active = 1 AND workflows.deleted_at IS NULL
      AND (@workflowId IS NULL OR workflows.id = @workflowId)
      AND EXISTS (SELECT 1 FROM json_each(workflow_versions.document, '$.nodes')
        WHERE json_extract(value, '$.type') = @triggerType)`);

  return {
    /**
     * Published, active workflows whose trigger is of `triggerType`; only `workflowId` when
     * given (an empty list: it is not such a workflow now).
     */
    active(triggerType: string, workflowId?: string): ActiveSchedule[] {
      return (
        active.all({ triggerType, workflowId: workflowId ?? null }) as (Omit<
          ActiveSchedule,
          'document'
        > & { document: string })[]
      ).map((row) => ({ ...row, document: JSON.parse(row.document) as unknown }));
    },
  };
}

export type ScheduleStore = ReturnType<typeof createScheduleStore>;
