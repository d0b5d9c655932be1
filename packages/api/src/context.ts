import type { Store, StoredEvent } from '@hookflow/db';
import type { CompletedStep, NodeRegistry, RunResult, WorkflowDocument } from '@hookflow/engine';
import type { LiveEvents } from './live.ts';
import type { LoginThrottle } from './login-throttle.ts';

/** What every procedure may use. The server builds one per request; tests and the CLI build their own. */
export interface ApiContext {
  /**
   * Who is calling: a signed-in user or an API token's owner. Null for an anonymous caller;
   * the CLI and in-process callers that act as the machine's operator pass `system`.
   */
  actor?: Actor | null;
  /** The caller's address, when the call came over HTTP: recorded in the audit log. */
  remoteAddress?: string | null;
  /** How `actor` proved who they are: a session cookie or an API token (null: neither). */
  authenticatedBy?: 'session' | 'token' | null;
  /**
   * Why the credentials the request presented were not accepted (an unknown, expired or revoked
   * API token): told to the caller instead of "sign in first".
   */
  authProblem?: string | null;
  /**
   * Why a mutation in this request must be refused (the cross-site request forgery guard); null
   * or absent when it may go ahead.
   */
  csrfRefusal?: string | null;
  /** The browser's session cookie; the server gives one per HTTP request (not the CLI). */
  session?: SessionCookie;
  /** Counts failed sign-ins; without it (in-process callers) sign-in is not throttled. */
  loginThrottle?: LoginThrottle;
  /** The caller's User-Agent, kept with a new session so a person can tell theirs apart. */
  userAgent?: string | null;
  store: Store;
  registry: NodeRegistry;
  /** The address senders use, without a trailing slash: trigger URLs start with it. */
  publicUrl: string;
  /** Live updates for subscriptions. */
  live: LiveEvents;
  /** Told when a workflow's published version, state or token changes (caches forget it). */
  onWorkflowChanged?: (workflowId: string) => void;
  /** Told when a run was queued (replayed, resumed) so the worker looks for work at once. */
  onRunQueued?: (runId: string) => void;
  /** Told when a credential was created, changed or deleted (decrypted values are forgotten). */
  onCredentialsChanged?: () => void;
  /**
   * Told when a run was canceled, so the worker executing it in this process stops it now. A
   * worker in another process notices at its next lease renewal.
   */
  onCancelRun?: (runId: string) => void;
  /**
   * Runs a draft against an event through the executor that runs real workflows (its threads
   * and limits), recording nothing. Without it, test runs are refused.
   */
  executeTest?: (job: TestRunJob, signal: AbortSignal) => Promise<RunResult>;
}

export type Role = 'owner' | 'admin' | 'editor' | 'viewer';

/** The session cookie of the request being answered. */
export interface SessionCookie {
  /** The token the request's cookie holds (valid or not); null without one. */
  token: string | null;
  /** Sends the cookie for a new session. */
  set(token: string, expiresAt: number): void;
  /** Tells the browser to forget the cookie. */
  clear(): void;
}

/** The caller of a procedure, for authorisation and the audit log. */
export type Actor =
  | { kind: 'user'; userId: string; email: string; role: Role }
  | { kind: 'system' };

/** A test run: a workflow's unsaved draft and the request it runs against. */
export interface TestRunJob {
  workflowId: string;
  document: WorkflowDocument;
  /** A stored request (a sample), or one pasted by hand. */
  event: Pick<StoredEvent, 'method' | 'path' | 'headers' | 'query' | 'parsedBody' | 'receivedAt'>;
  /** Nodes with side effects do not act and nothing waits (checking a draft against past events). */
  dryRun?: boolean;
  /** The recorded run a check replays: expressions see its id (`run.id`) as they did then. */
  runId?: string;
  /** Steps of an earlier test run, by node id: not run again. */
  completed?: [string, CompletedStep][];
  /** Runs this node alone, on the outputs in `completed` (one test step run again). */
  onlyNode?: string;
}
