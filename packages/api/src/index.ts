export {
  createApiToken,
  createOwnerIfNone,
  createUser,
  emailSchema,
  publicUser,
  userActor,
} from './accounts.ts';
export {
  AUDIT_DETAIL_MAX_CHARS,
  type AuditAction,
  type AuditTarget,
  audit,
  auditActions,
  auditActorOf,
} from './audit.ts';
export type { Actor, ApiContext, Role, SessionCookie } from './context.ts';
export { createLiveEvents, type LiveEvent, type LiveEvents } from './live.ts';
export {
  createLoginThrottle,
  defaultLoginThrottle,
  type LoginThrottle,
  type LoginThrottleOptions,
} from './login-throttle.ts';
export {
  hashPassword,
  PASSWORD_MIN_LENGTH,
  passwordSchema,
  type ScryptParams,
  verifyPassword,
} from './passwords.ts';
export { type AppRouter, appRouter, createCaller } from './root.ts';
export { triggerUrl } from './routers/workflows.ts';
export {
  type ErrorExplanation,
  explainError,
  hasRole,
  type InputProblem,
  IssuesError,
  roleOrder,
} from './trpc.ts';
