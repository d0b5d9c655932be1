import { and, desc, eq, isNull, max, sql } from 'drizzle-orm';
import type { DbHandle } from './client.ts';
import { idLowerBound, newId, newTriggerToken } from './ids.ts';
import { retiredTokens, triggers, users, workflows, workflowVersions } from './schema.ts';

export interface WorkflowSummary {
  id: string;
  name: string;
  active: boolean;
  publishedVersionId: string | null;
  publishedVersion: number | null;
  triggerToken: string;
  updatedAt: number;
  lastRun: { id: string; status: string; queuedAt: number } | null;
  runsLast24h: number;
}

export interface WorkflowRecord {
  id: string;
  name: string;
  draft: unknown;
  /** Goes up by one with every draft save. */
  draftRevision: number;
  active: boolean;
  publishedVersionId: string | null;
  triggerToken: string;
  triggerSettings: unknown;
  createdAt: number;
  updatedAt: number;
}

export type DraftSaveResult =
  /** `previousName`: the name before this save (a rename when it differs). */
  | { kind: 'saved'; revision: number; previousName: string }
  | { kind: 'conflict'; revision: number }
  | { kind: 'not-found' };

export interface VersionRecord {
  id: string;
  workflowId: string;
  number: number;
  document: unknown;
  note: string | null;
  /** The summary of the check against past events made of exactly this document, if one was. */
  checkSummary: unknown;
  /** The user who published it; null when no user did (the CLI) and for older versions. */
  createdBy: string | null;
  createdAt: number;
}

/** A version in the list: without its document, with who published it. */
export interface VersionSummary extends Omit<VersionRecord, 'document'> {
  /** The publishing user as they are now; null when none did or the user was deleted. */
  author: { id: string; name: string; email: string } | null;
}

/** The last check of a workflow's draft against past events, kept until the next publish. */
export interface DraftCheck {
  /** Which document was checked (the API's fingerprint of it). */
  fingerprint: string;
  summary: unknown;
}

/** Workflows, their immutable versions and their trigger. */
export function createWorkflowStore({ db }: DbHandle) {
  const getVersion = (versionId: string): VersionRecord | null =>
    db.select().from(workflowVersions).where(eq(workflowVersions.id, versionId)).get() ?? null;

  return {
    /** Creates a workflow with its draft document and its trigger URL token. */
    create(input: { name: string; document: unknown; now?: number }): WorkflowRecord {
      const now = input.now ?? Date.now();
      const id = newId('wf');
      const token = newTriggerToken();
      db.transaction((tx) => {
        tx.insert(workflows)
          .values({ id, name: input.name, draft: input.document, createdAt: now, updatedAt: now })
          .run();
        tx.insert(triggers)
          .values({ id: newId('trg'), workflowId: id, token, createdAt: now })
          .run();
      });
      return this.get(id)!;
    },

    get(id: string): WorkflowRecord | null {
      const row = db
        .select({
          id: workflows.id,
          name: workflows.name,
          draft: workflows.draft,
          draftRevision: workflows.draftRevision,
          active: workflows.active,
          publishedVersionId: workflows.publishedVersionId,
          triggerToken: triggers.token,
          triggerSettings: triggers.settings,
          createdAt: workflows.createdAt,
          updatedAt: workflows.updatedAt,
        })
        .from(workflows)
        .innerJoin(triggers, eq(triggers.workflowId, workflows.id))
        .where(and(eq(workflows.id, id), isNull(workflows.deletedAt)))
        .get();
      return row ?? null;
    },

    list(now = Date.now()): WorkflowSummary[] {
      const since = idLowerBound('run', now - 24 * 3600 * 1000);
      return db
        .select({
          id: workflows.id,
          name: workflows.name,
          active: workflows.active,
          publishedVersionId: workflows.publishedVersionId,
          publishedVersion: workflowVersions.number,
          triggerToken: triggers.token,
          updatedAt: workflows.updatedAt,
          lastRun: sql<
            string | null
          >`(SELECT json_object('id', id, 'status', status, 'queuedAt', queued_at)
            FROM runs WHERE runs.workflow_id = ${workflows.id} ORDER BY id DESC LIMIT 1)`,
          runsLast24h: sql<number>`(SELECT count(*) FROM runs
            WHERE runs.workflow_id = ${workflows.id} AND runs.id >= ${since})`,
        })
        .from(workflows)
        .innerJoin(triggers, eq(triggers.workflowId, workflows.id))
        .leftJoin(workflowVersions, eq(workflowVersions.id, workflows.publishedVersionId))
        .where(isNull(workflows.deletedAt))
        .orderBy(desc(workflows.updatedAt))
        .all()
        .map((row) => ({
          ...row,
          lastRun: row.lastRun ? (JSON.parse(row.lastRun) as WorkflowSummary['lastRun']) : null,
        }));
    },

    /**
     * Saves the draft. With `baseRevision` (the revision the editor loaded or last saved), a
     * draft saved since by someone else is not overwritten: the answer is a conflict.
     */
    updateDraft(
      id: string,
      input: { name: string; document: unknown; baseRevision?: number; now?: number },
    ): DraftSaveResult {
      const live = and(eq(workflows.id, id), isNull(workflows.deletedAt));
      return db.transaction(
        (tx): DraftSaveResult => {
          // The name only (not the draft): the caller tells a rename from the other saves.
          // IMMEDIATE: it reads before it writes (see users.create).
          const before = tx.select({ name: workflows.name }).from(workflows).where(live).get();
          if (!before) return { kind: 'not-found' };
          const saved = tx
            .update(workflows)
            .set({
              name: input.name,
              draft: input.document,
              draftRevision: sql`${workflows.draftRevision} + 1`,
              updatedAt: input.now ?? Date.now(),
            })
            .where(
              input.baseRevision === undefined
                ? live
                : and(live, eq(workflows.draftRevision, input.baseRevision)),
            )
            .returning({ revision: workflows.draftRevision })
            .get();
          if (saved) return { kind: 'saved', revision: saved.revision, previousName: before.name };
          const current = tx
            .select({ revision: workflows.draftRevision })
            .from(workflows)
            .where(live)
            .get();
          return current ? { kind: 'conflict', revision: current.revision } : { kind: 'not-found' };
        },
        { behavior: 'immediate' },
      );
    },

    /** Remembers the last check of the draft (replacing the one before). */
    recordDraftCheck(id: string, check: DraftCheck): boolean {
      return (
        db
          .update(workflows)
          .set({ draftCheck: check })
          .where(and(eq(workflows.id, id), isNull(workflows.deletedAt)))
          .run().changes > 0
      );
    },

    draftCheck(id: string): DraftCheck | null {
      const row = db
        .select({ check: workflows.draftCheck })
        .from(workflows)
        .where(eq(workflows.id, id))
        .get();
      return (row?.check as DraftCheck | null | undefined) ?? null;
    },

    /**
     * Freezes a document as the next version and points the trigger at it; `checkSummary` is
     * the draft check of this very document. The draft's check is used up either way.
     */
    publish(
      id: string,
      input: {
        document: unknown;
        note?: string;
        checkSummary?: unknown;
        /** The user who publishes (`usr_…`). */
        createdBy?: string;
        now?: number;
      },
    ): VersionRecord {
      const now = input.now ?? Date.now();
      const versionId = newId('ver');
      db.transaction((tx) => {
        const last = tx
          .select({ number: max(workflowVersions.number) })
          .from(workflowVersions)
          .where(eq(workflowVersions.workflowId, id))
          .get();
        tx.insert(workflowVersions)
          .values({
            id: versionId,
            workflowId: id,
            number: (last?.number ?? 0) + 1,
            document: input.document,
            note: input.note ?? null,
            checkSummary: input.checkSummary ?? null,
            createdBy: input.createdBy ?? null,
            createdAt: now,
          })
          .run();
        tx.update(workflows)
          .set({ publishedVersionId: versionId, active: true, draftCheck: null, updatedAt: now })
          .where(eq(workflows.id, id))
          .run();
      });
      return getVersion(versionId)!;
    },

    getVersion,

    /**
     * The draft and the published document of every workflow that is not deleted: where
     * references to credentials are looked for (a credential in use cannot be deleted).
     */
    documents(): { id: string; name: string; draft: unknown; published: unknown }[] {
      return db
        .select({
          id: workflows.id,
          name: workflows.name,
          draft: workflows.draft,
          published: workflowVersions.document,
        })
        .from(workflows)
        .leftJoin(workflowVersions, eq(workflowVersions.id, workflows.publishedVersionId))
        .where(isNull(workflows.deletedAt))
        .orderBy(workflows.name)
        .all();
    },

    listVersions(workflowId: string): VersionSummary[] {
      return db
        .select({
          id: workflowVersions.id,
          workflowId: workflowVersions.workflowId,
          number: workflowVersions.number,
          note: workflowVersions.note,
          checkSummary: workflowVersions.checkSummary,
          createdBy: workflowVersions.createdBy,
          createdAt: workflowVersions.createdAt,
          authorName: users.name,
          authorEmail: users.email,
        })
        .from(workflowVersions)
        .leftJoin(users, eq(users.id, workflowVersions.createdBy))
        .where(eq(workflowVersions.workflowId, workflowId))
        .orderBy(desc(workflowVersions.number))
        .all()
        .map(({ authorName, authorEmail, ...version }) => ({
          ...version,
          author:
            version.createdBy !== null && authorEmail !== null
              ? { id: version.createdBy, name: authorName ?? '', email: authorEmail }
              : null,
        }));
    },

    setActive(id: string, active: boolean): boolean {
      return (
        db
          .update(workflows)
          .set({ active, updatedAt: Date.now() })
          .where(and(eq(workflows.id, id), isNull(workflows.deletedAt)))
          .run().changes > 0
      );
    },

    /** Soft delete: history stays readable and the old token answers 410 Gone. */
    delete(id: string, now = Date.now()): boolean {
      return db.transaction((tx) => {
        const trigger = tx.select().from(triggers).where(eq(triggers.workflowId, id)).get();
        const changed = tx
          .update(workflows)
          .set({ deletedAt: now })
          .where(and(eq(workflows.id, id), isNull(workflows.deletedAt)))
          .run().changes;
        if (changed === 0 || !trigger) return false;
        tx.insert(retiredTokens)
          .values({ token: trigger.token, workflowId: id, retiredAt: now })
          .run();
        tx.update(triggers)
          .set({ token: `deleted:${trigger.id}`, rotatedAt: now })
          .where(eq(triggers.id, trigger.id))
          .run();
        return true;
      });
    },
  };
}

export type WorkflowStore = ReturnType<typeof createWorkflowStore>;
