import { sql } from 'drizzle-orm';
import {
  blob,
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core';

/** Times are milliseconds since the epoch; JSON columns hold parsed values through drizzle. */

export const workflows = sqliteTable('workflows', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** The editable document; publishing copies it into an immutable version. */
  draft: text('draft', { mode: 'json' }).notNull(),
  /** Counts draft saves, so a save based on an older draft is refused instead of overwriting it. */
  draftRevision: integer('draft_revision').notNull().default(1),
  publishedVersionId: text('published_version_id'),
  /**
   * The last check of a draft against past events: `{ fingerprint, summary }`. Publishing the
   * very document it checked records the summary on the new version.
   */
  draftCheck: text('draft_check', { mode: 'json' }),
  active: integer('active', { mode: 'boolean' }).notNull().default(true),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
  deletedAt: integer('deleted_at'),
});

export const workflowVersions = sqliteTable(
  'workflow_versions',
  {
    id: text('id').primaryKey(),
    workflowId: text('workflow_id')
      .notNull()
      .references(() => workflows.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    document: text('document', { mode: 'json' }).notNull(),
    note: text('note'),
    /** The summary of the check against past events made of this document before publishing. */
    checkSummary: text('check_summary', { mode: 'json' }),
    /** The user who published it (`usr_…`); null for the CLI and for versions older than this column. */
    createdBy: text('created_by'),
    createdAt: integer('created_at').notNull(),
  },
  (table) => [uniqueIndex('workflow_versions_number').on(table.workflowId, table.number)],
);

export const triggers = sqliteTable('triggers', {
  id: text('id').primaryKey(),
  workflowId: text('workflow_id')
    .notNull()
    .unique()
    .references(() => workflows.id, { onDelete: 'cascade' }),
  /** The secret part of the trigger URL: 192 random bits, base64url. */
  token: text('token').notNull().unique(),
  settings: text('settings', { mode: 'json' }).notNull().default(sql`'{}'`),
  createdAt: integer('created_at').notNull(),
  rotatedAt: integer('rotated_at'),
});

/** Tokens that were rotated away or whose workflow was deleted: answered 410, not 404. */
export const retiredTokens = sqliteTable('retired_tokens', {
  token: text('token').primaryKey(),
  workflowId: text('workflow_id').notNull(),
  retiredAt: integer('retired_at').notNull(),
});

export const events = sqliteTable(
  'events',
  {
    id: text('id').primaryKey(),
    triggerId: text('trigger_id')
      .notNull()
      .references(() => triggers.id, { onDelete: 'cascade' }),
    workflowId: text('workflow_id').notNull(),
    method: text('method').notNull(),
    path: text('path').notNull(),
    headers: text('headers', { mode: 'json' }).notNull(),
    query: text('query', { mode: 'json' }).notNull(),
    /** The body exactly as received. */
    body: blob('body', { mode: 'buffer' }).notNull(),
    /** The body as parsed for the workflow (JSON, form fields, text or base64). */
    parsedBody: text('parsed_body', { mode: 'json' }),
    /**
     * The parsed body's JSON text is the raw body byte for byte (compact JSON, as most senders
     * post it): `parsed_body` is null and the body is stored once.
     */
    parsedFromBody: integer('parsed_from_body', { mode: 'boolean' }).notNull().default(false),
    contentType: text('content_type'),
    receivedAt: integer('received_at').notNull(),
  },
  (table) => [index('events_trigger').on(table.triggerId, table.receivedAt)],
);

export const runs = sqliteTable(
  'runs',
  {
    /** Time-ordered, so the newest runs sort last by id. */
    id: text('id').primaryKey(),
    workflowId: text('workflow_id')
      .notNull()
      .references(() => workflows.id, { onDelete: 'cascade' }),
    versionId: text('version_id').notNull(),
    eventId: text('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    status: text('status', {
      enum: ['queued', 'running', 'waiting', 'succeeded', 'failed', 'filtered', 'canceled'],
    }).notNull(),
    attempt: integer('attempt').notNull().default(1),
    /** Times the run's execution thread was stopped under it (stalled or out of memory). */
    interruptions: integer('interruptions').notNull().default(0),
    error: text('error', { mode: 'json' }),
    output: text('output', { mode: 'json' }),
    /** When the output is that of one of the run's steps: that step's node (`output` is null). */
    outputFrom: text('output_from'),
    queuedAt: integer('queued_at').notNull(),
    startedAt: integer('started_at'),
    finishedAt: integer('finished_at'),
    leaseOwner: text('lease_owner'),
    leaseExpiresAt: integer('lease_expires_at'),
    /**
     * A queued run is not claimed before this time (an automatic retry waiting its backoff); a
     * `waiting` run (parked by a delay) is claimed again at this time.
     */
    notBefore: integer('not_before'),
    /** The run this one replays (the same event, run again on the then published version). */
    replayOf: text('replay_of'),
  },
  (table) => [
    index('runs_status').on(table.status, table.id),
    index('runs_workflow').on(table.workflowId, table.id),
    // A workflow's failed runs, newest first, without scanning its other runs.
    index('runs_workflow_status').on(table.workflowId, table.status, table.id),
    index('runs_event').on(table.eventId),
    // Parked runs by the time they are due: the worker's claim finds the due ones directly.
    index('runs_waiting').on(table.notBefore).where(sql`status = 'waiting'`),
  ],
);

export const runSteps = sqliteTable(
  'run_steps',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    nodeId: text('node_id').notNull(),
    nodeKey: text('node_key').notNull(),
    nodeType: text('node_type').notNull(),
    status: text('status', { enum: ['succeeded', 'failed', 'filtered', 'waiting'] }).notNull(),
    input: text('input', { mode: 'json' }),
    /**
     * When the input repeats the output of a step of the same run: that step's node (its latest
     * record; this step's own node: its output, as a trigger's input and output are one event).
     * `input` is then null: a 1 KiB body is stored once, not once per step.
     */
    inputFrom: text('input_from'),
    config: text('config', { mode: 'json' }),
    output: text('output', { mode: 'json' }),
    /** When the output repeats the output of an earlier step of the run: that step's node. */
    outputFrom: text('output_from'),
    error: text('error', { mode: 'json' }),
    handles: text('handles', { mode: 'json' }).notNull(),
    startedAt: integer('started_at').notNull(),
    finishedAt: integer('finished_at').notNull(),
    durationMs: integer('duration_ms').notNull(),
    attempt: integer('attempt').notNull(),
    /** A `waiting` step (a delay) is over at this time. */
    resumeAt: integer('resume_at'),
  },
  (table) => [index('run_steps_run').on(table.runId, table.id)],
);

/**
 * Every request that reached a live trigger URL, accepted or refused: the trigger's request
 * log (the built-in request inspector).
 */
export const triggerRequests = sqliteTable(
  'trigger_requests',
  {
    id: text('id').primaryKey(),
    triggerId: text('trigger_id')
      .notNull()
      .references(() => triggers.id, { onDelete: 'cascade' }),
    workflowId: text('workflow_id').notNull(),
    receivedAt: integer('received_at').notNull(),
    method: text('method').notNull(),
    /** The HTTP status Hookflow answered. */
    status: integer('status').notNull(),
    outcome: text('outcome', { enum: ['accepted', 'sample', 'duplicate', 'refused'] }).notNull(),
    /** Why it was refused (or what it duplicated): a stable code such as `bad_signature`. */
    reason: text('reason'),
    message: text('message'),
    runId: text('run_id'),
    eventId: text('event_id'),
    size: integer('size').notNull(),
    remoteAddress: text('remote_address'),
    headers: text('headers', { mode: 'json' }),
  },
  (table) => [index('trigger_requests_trigger').on(table.triggerId, table.id)],
);

/** Delivery ids seen per trigger, so a resent webhook runs once. */
export const deliveries = sqliteTable(
  'deliveries',
  {
    triggerId: text('trigger_id')
      .notNull()
      .references(() => triggers.id, { onDelete: 'cascade' }),
    deliveryId: text('delivery_id').notNull(),
    eventId: text('event_id').notNull(),
    runId: text('run_id'),
    receivedAt: integer('received_at').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.triggerId, table.deliveryId] }),
    index('deliveries_received').on(table.receivedAt),
  ],
);

/** Requests kept as named examples: what the editor tests and maps against. */
export const samples = sqliteTable(
  'samples',
  {
    id: text('id').primaryKey(),
    workflowId: text('workflow_id')
      .notNull()
      .references(() => workflows.id, { onDelete: 'cascade' }),
    eventId: text('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (table) => [index('samples_workflow').on(table.workflowId, table.createdAt)],
);

/**
 * The schedule ticks that fired, one per workflow and scheduled time: the key that makes a tick
 * fire once however many processes or restarts see it, and the last tick for catch-up.
 */
export const scheduleTicks = sqliteTable(
  'schedule_ticks',
  {
    workflowId: text('workflow_id')
      .notNull()
      .references(() => workflows.id, { onDelete: 'cascade' }),
    /** The time the cron expression named. */
    scheduledAt: integer('scheduled_at').notNull(),
    firedAt: integer('fired_at').notNull(),
    runId: text('run_id'),
  },
  (table) => [primaryKey({ columns: [table.workflowId, table.scheduledAt] })],
);

/**
 * Secrets for HTTP requests and trigger verification, referenced from node configs by id. The
 * value is sealed with AES-256-GCM (`v1:<keyId>:<iv>:<tag>:<ciphertext>`, the row's id and type
 * bound as associated data); see secret-box.ts.
 */
export const credentials = sqliteTable(
  'credentials',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    /** `bearer`, `basic`, `http-header`, `hmac-secret`, `jwt-key`, `generic-secret`. */
    type: text('type').notNull(),
    /** The value's fields that are not secret (a user name, a header name), as JSON. */
    details: text('details').notNull().default('{}'),
    /** The sealed value. */
    secret: text('secret').notNull(),
    /** The key the value is sealed with (also in the record), to find values under old keys. */
    keyId: text('key_id').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (table) => [uniqueIndex('credentials_name').on(table.name)],
);

/**
 * Who changed what, and when: one row per change to a workflow, a credential, a user or an API
 * token. Kept for good: retention prunes runs, never this. Rows are only added, except that a
 * run of draft saves by one person is kept as one row (its detail counts the saves).
 */
export const auditLog = sqliteTable(
  'audit_log',
  {
    /** `aud_` + ULID: sorts by time; the pagination cursor. */
    id: text('id').primaryKey(),
    at: integer('at').notNull(),
    /** `user`, `system` (the CLI, the server itself) or `anonymous` (no one signed in). */
    actorKind: text('actor_kind').notNull(),
    actorId: text('actor_id'),
    /** The user's email when it happened (the user may be renamed or deleted since). */
    actorEmail: text('actor_email'),
    /** `<target type>.<verb>`: `workflow.published`, `credential.deleted`, `user.role_changed`. */
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id'),
    /** The target's name when it happened. */
    targetName: text('target_name'),
    /** A small JSON object: what changed (never a secret). */
    detail: text('detail'),
    /** The caller's address, when the change came over HTTP. */
    remoteAddress: text('remote_address'),
  },
  (table) => [
    index('audit_log_target').on(table.targetType, table.targetId, table.id),
    index('audit_log_actor').on(table.actorId, table.id),
  ],
);

/**
 * People who sign in to the editor. The email is kept lower-cased, so it is unique whatever
 * its case; `role` is `owner` (exactly one), `admin`, `editor` or `viewer`.
 */
export const users = sqliteTable(
  'users',
  {
    /** `usr_` + ULID. */
    id: text('id').primaryKey(),
    email: text('email').notNull(),
    name: text('name').notNull().default(''),
    role: text('role').notNull(),
    /** `scrypt$N$r$p$salt$hash` (base64url): the parameters travel with the hash. */
    passwordHash: text('password_hash').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    /** The last sign-in or use of a session or token (moved at most once a minute). */
    lastSeenAt: integer('last_seen_at'),
  },
  (table) => [
    uniqueIndex('users_email').on(sql`lower(${table.email})`),
    // At most one owner, whatever the code above the database does.
    uniqueIndex('users_one_owner').on(table.role).where(sql`role = 'owner'`),
  ],
);

/**
 * Signed-in browsers. The cookie holds a random token; only its SHA-256 is stored here, so a
 * copy of the database does not sign anyone in.
 */
export const sessions = sqliteTable(
  'sessions',
  {
    /** SHA-256 of the cookie's token, base64url. */
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
    /** Moved forward (at most once a minute) while the session is used. */
    lastSeenAt: integer('last_seen_at').notNull(),
    /** Slides forward with `last_seen_at`: a session unused for its lifetime ends. */
    expiresAt: integer('expires_at').notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
  },
  (table) => [
    index('sessions_user').on(table.userId),
    index('sessions_expires').on(table.expiresAt),
  ],
);

/**
 * Personal API tokens (`hf_…`) for scripts and CI: they act as their user, with the user's
 * role. Only the SHA-256 of a token is stored; the token itself is shown once.
 */
export const apiTokens = sqliteTable(
  'api_tokens',
  {
    /** `tok_` + ULID. */
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** SHA-256 of the whole token, base64url. */
    tokenHash: text('token_hash').notNull(),
    /** The token's first characters (`hf_AbCd`), so a person can tell their tokens apart. */
    prefix: text('prefix').notNull(),
    createdAt: integer('created_at').notNull(),
    lastUsedAt: integer('last_used_at'),
    expiresAt: integer('expires_at'),
    revokedAt: integer('revoked_at'),
  },
  (table) => [
    uniqueIndex('api_tokens_hash').on(table.tokenHash),
    index('api_tokens_user').on(table.userId),
  ],
);
