export {
  AUDIT_DETAIL_MAX_CHARS,
  type AuditAction,
  type AuditTarget,
  audit,
  auditActions,
  auditActorOf,
} from './audit.ts';
export type { Actor, ApiContext, Role } from './context.ts';
export { createLiveEvents, type LiveEvent, type LiveEvents } from './live.ts';
export { type AppRouter, appRouter, createCaller } from './root.ts';
export { triggerUrl } from './routers/workflows.ts';
export { IssuesError } from './trpc.ts';
