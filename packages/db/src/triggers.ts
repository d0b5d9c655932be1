import { and, eq, isNull } from 'drizzle-orm';
import type { DbHandle } from './client.ts';
import { newTriggerToken } from './ids.ts';
import { retiredTokens, triggers, workflows } from './schema.ts';

export interface TriggerTarget {
  triggerId: string;
  workflowId: string;
  workflowName: string;
  active: boolean;
  publishedVersionId: string | null;
  settings: unknown;
}

export type TokenLookup =
  | { kind: 'live'; target: TriggerTarget }
  | { kind: 'retired' }
  | { kind: 'unknown' };

export function createTriggerStore({ db, sqlite }: DbHandle) {
  const dataVersion = sqlite.prepare('PRAGMA data_version').pluck();
  return {
    /** What a trigger token leads to: a live workflow, a retired token (410) or nothing (404). */
    findByToken(token: string): TokenLookup {
      const target = db
        .select({
          triggerId: triggers.id,
          workflowId: workflows.id,
          workflowName: workflows.name,
          active: workflows.active,
          publishedVersionId: workflows.publishedVersionId,
          settings: triggers.settings,
        })
        .from(triggers)
        .innerJoin(workflows, eq(workflows.id, triggers.workflowId))
        .where(and(eq(triggers.token, token), isNull(workflows.deletedAt)))
        .get();
      if (target) return { kind: 'live', target };
      const retired = db.select().from(retiredTokens).where(eq(retiredTokens.token, token)).get();
      return retired ? { kind: 'retired' } : { kind: 'unknown' };
    },

    /** The trigger of a workflow. */
    forWorkflow(workflowId: string): { id: string; token: string } | null {
      return (
        db
          .select({ id: triggers.id, token: triggers.token })
          .from(triggers)
          .where(eq(triggers.workflowId, workflowId))
          .get() ?? null
      );
    },

    /** Gives a workflow a new token; the old one stops at once (and answers 410). */
    rotate(workflowId: string, now = Date.now()): string | null {
      return db.transaction((tx) => {
        const trigger = tx.select().from(triggers).where(eq(triggers.workflowId, workflowId)).get();
        if (!trigger) return null;
        const token = newTriggerToken();
        tx.insert(retiredTokens).values({ token: trigger.token, workflowId, retiredAt: now }).run();
        tx.update(triggers).set({ token, rotatedAt: now }).where(eq(triggers.id, trigger.id)).run();
        return token;
      });
    },

    /**
     * A number that changes whenever another connection (another process, such as the CLI)
     * commits, so in-process caches know when to forget.
     */
    dataVersion(): number {
      return dataVersion.get() as number;
    },
  };
}

export type TriggerStore = ReturnType<typeof createTriggerStore>;
