export { API_TOKEN_PREFIX, type ApiTokenRecord, type ApiTokenStore } from './api-tokens.ts';
export {
  type AuditActor,
  type AuditActorKind,
  type AuditDetail,
  type AuditEntry,
  type AuditEntryInput,
  type AuditMerge,
  type AuditQuery,
  type AuditStore,
  auditActorKinds,
} from './audit.ts';
export { createDb, type DbHandle, type DbOptions, type SynchronousLevel } from './client.ts';
export {
  type CredentialRecord,
  type CredentialStore,
  CredentialUnreadableError,
  NoEncryptionKeyError,
} from './credentials.ts';
export { createGroupCommit, type GroupCommit } from './group-commit.ts';
export {
  capPayload,
  DEFAULT_PAYLOAD_MAX_BYTES,
  isTruncatedPayload,
  type TruncatedPayload,
} from './history-payload.ts';
export { idLowerBound, newId, newTriggerToken } from './ids.ts';
export type {
  AcceptInput,
  AcceptResult,
  IncomingEvent,
  RefusalInput,
  RequestFacts,
} from './ingest.ts';
export {
  finishedStatuses,
  type PruneCounts,
  type PrunePass,
  type RetentionPolicy,
} from './pruning.ts';
export * from './runs.ts';
export type { HandMadeRequest, SampleRecord } from './samples.ts';
export type { ActiveSchedule } from './schedules.ts';
export {
  assertKeyRing,
  type EncryptionKey,
  type KeyRing,
  SealedRecordError,
  sealedKeyId,
} from './secret-box.ts';
export {
  hashToken,
  SESSION_LIFETIME_MS,
  type SessionRecord,
  type SessionStore,
} from './sessions.ts';
export type { OverviewQuery, StatsBucket, WorkflowOverview } from './stats.ts';
export { encodeStep, type StepRow } from './step-rows.ts';
export { createStore, type Store } from './store.ts';
export type { TokenLookup, TriggerTarget } from './triggers.ts';
export {
  EmailTakenError,
  normalizeEmail,
  OwnerExistsError,
  type UserRecord,
  type UserRole,
  type UserStore,
  userRoles,
} from './users.ts';
export type {
  DraftCheck,
  VersionRecord,
  VersionSummary,
  WorkflowRecord,
  WorkflowSummary,
} from './workflows.ts';
