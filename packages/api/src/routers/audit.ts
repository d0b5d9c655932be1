import { auditActorKinds } from '@hookflow/db';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { adminProcedure } from '../trpc.ts';

export const auditRouter = {
  /**
   * The audit log, newest first: who changed which workflow, credential, user or token, and
   * when. Filters: a user (`actorId`) or a kind of actor, an action or its start (`action:
   * 'workflow.'`), a target, a time range; `cursor` is the previous page's `nextCursor`.
   * Each workflow target says whether the workflow still exists, for a link.
   */
  list: adminProcedure
    .input(
      z
        .object({
          actorId: z.string().min(1).optional(),
          actorKind: z.enum(auditActorKinds).optional(),
          action: z.string().min(1).max(100).optional(),
          targetType: z.string().min(1).max(50).optional(),
          targetId: z.string().min(1).optional(),
          from: z.number().int().nonnegative().optional(),
          to: z.number().int().nonnegative().optional(),
          cursor: z.string().min(1).optional(),
          limit: z.number().int().min(1).max(500).default(50),
        })
        .default({ limit: 50 }),
    )
    .query(({ ctx, input }) => {
      const { action, ...query } = input;
      const page = ctx.store.audit.list({
        ...query,
        ...(action === undefined ? {} : { actionPrefix: action }),
      });
      const exists = new Map<string, boolean>();
      const workflowExists = (id: string) => {
        if (!exists.has(id)) exists.set(id, ctx.store.workflows.get(id) !== null);
        return exists.get(id)!;
      };
      return {
        items: page.items.map((entry) => ({
          ...entry,
          target: {
            ...entry.target,
            exists:
              entry.target.type === 'workflow' && entry.target.id
                ? workflowExists(entry.target.id)
                : null,
          },
        })),
        nextCursor: page.nextCursor,
      };
    }),
} satisfies TRPCRouterRecord;
