/**
 * Checking a draft against real traffic: the workflow's last events run through the draft as a
 * dry run (nothing acts outside the run), each compared with what the published version did
 * for it (its recorded run). The comparison is about what matters outside Hookflow: whether
 * the event passed or was filtered, the route it took, the requests (effects) it made, and
 * whether it failed.
 */
import { createHash } from 'node:crypto';
import type { RunDetail, StepRecord } from '@hookflow/db';
import {
  type CredentialDetails,
  formatPath,
  type NodeRegistry,
  type RunResult,
  recordedEffect,
  type StepResult,
  type WorkflowDocument,
} from '@hookflow/engine';
import type { ApiContext } from './context.ts';

export const CHECK_DEFAULT_EVENTS = 50;
export const CHECK_MAX_EVENTS = 200;
/** A check stops after this long; the events not reached by then are counted as skipped. */
export const CHECK_TIME_LIMIT_MS = 60_000;
/** Events in flight at once: the execution threads run them side by side. */
const CHECK_CONCURRENCY = 4;
/** Changes listed per effect; a body with more is summarised by the count. */
const MAX_CHANGES = 40;
/** Text values in a difference are cut to this many characters (the panel shows, not stores). */
const MAX_VALUE_CHARS = 2000;
/** Characters of an event's body shown beside it in the list. */
const EXCERPT_CHARS = 120;

export type Verdict = 'same' | 'changed' | 'new-failure' | 'fixed';
type RunOutcome = 'succeeded' | 'failed' | 'filtered' | 'waiting' | 'canceled';

export interface ValueChange {
  /** Where in the effect: `request.url`, `request.headers.x-order`, `request.body.total`. */
  path: string;
  change: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
}

interface NodeRef {
  nodeId: string;
  nodeKey: string;
  nodeType: string;
}

export type Difference =
  /** The run ended differently: passed (succeeded) vs filtered vs failed. */
  | { kind: 'outcome'; before: RunOutcome; after: RunOutcome }
  /** A node that ran both times continued on other outputs (a router's route, a filter). */
  | (NodeRef & { kind: 'route'; before: readonly string[]; after: readonly string[] })
  /** A node with side effects acted differently: the request it sends changed. */
  | (NodeRef & {
      kind: 'effect';
      summary: string;
      changes: ValueChange[];
      /** Changes beyond the ones listed. */
      moreChanges: number;
      before: Record<string, unknown>;
      after: Record<string, unknown>;
    })
  /** A node with side effects acts now where it did not (added) or no longer acts (removed). */
  | (NodeRef & {
      kind: 'effect-added' | 'effect-removed';
      summary: string;
      effect: Record<string, unknown> | null;
    })
  /** A node failed in one run and not in the other. */
  | (NodeRef & {
      kind: 'failure';
      before: string | null;
      after: string | null;
    })
  /** Not compared: the recorded run does not say enough (its settings were cut for size). */
  | (NodeRef & { kind: 'unreadable'; reason: string });

export interface CheckedEvent {
  eventId: string;
  runId: string;
  receivedAt: number;
  /** Which request it was, at a glance: its method and the start of its body on one line. */
  request: { method: string; excerpt: string };
  /** The version that ran it. */
  versionNumber: number | null;
  verdict: Verdict;
  before: { status: RunOutcome; error: { nodeKey: string; message: string } | null };
  after: { status: RunOutcome; error: { nodeKey: string; message: string } | null };
  differences: Difference[];
}

export interface CheckSummary {
  /** Events run through the draft. */
  checked: number;
  unchanged: number;
  /** Events whose verdict is not `same` (new failures and fixed ones included). */
  changed: number;
  newFailures: number;
  fixed: number;
  /** Events the draft failed on (new or not). */
  failedInDraft: number;
  /** Events not reached within the time limit. */
  skipped: number;
  checkedAt: number;
  /** One sentence for people: what the versions list shows. */
  text: string;
}

export interface CheckResult extends CheckSummary {
  items: CheckedEvent[];
  durationMs: number;
  /** The document's fingerprint: publishing exactly this draft records the summary. */
  fingerprint: string;
}

/**
 * The newest finished runs of a workflow, one per event (its newest run), at most `limit`:
 * the real traffic a check replays. Runs still in progress, parked or canceled are left out.
 */
export function pastRuns(ctx: ApiContext, workflowId: string, limit: number): string[] {
  const chosen: string[] = [];
  const events = new Set<string>();
  let cursor: string | undefined;
  // Pages of the history, newest first; bounded so that a history full of replays ends.
  for (let page = 0; page < 20 && chosen.length < limit; page++) {
    const { items, nextCursor } = ctx.store.runs.list({
      workflowId,
      limit: Math.max(50, limit),
      ...(cursor ? { cursor } : {}),
    });
    for (const run of items) {
      if (chosen.length >= limit) break;
      if (events.has(run.eventId)) continue;
      if (run.status !== 'succeeded' && run.status !== 'failed' && run.status !== 'filtered') {
        continue;
      }
      events.add(run.eventId);
      chosen.push(run.id);
    }
    if (!nextCursor) break;
    cursor = nextCursor;
  }
  return chosen;
}

/** The last record of each node in a recorded run (a delay has two, a retried step more). */
function lastRecords<T extends { nodeId: string }>(steps: readonly T[]): Map<string, T> {
  const byNode = new Map<string, T>();
  for (const step of steps) byNode.set(step.nodeId, step);
  return byNode;
}

const errorMessage = (error: unknown): string | null => {
  if (error === null || error === undefined) return null;
  if (typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string') {
    return (error as { message: string }).message;
  }
  return String(error);
};

/** Compares a recorded run with the draft's dry run of the same event. */
export function compareRuns(
  registry: NodeRegistry,
  credentials: CredentialDetails,
  recorded: Pick<RunDetail, 'status' | 'error'> & { steps: readonly StepRecord[] },
  draft: Pick<RunResult, 'status' | 'steps' | 'error'>,
): { verdict: Verdict; differences: Difference[] } {
  const differences: Difference[] = [];
  const before = lastRecords<StepRecord>(recorded.steps);
  const after = lastRecords<StepResult>(draft.steps);
  const beforeStatus = recorded.status as RunOutcome;
  const afterStatus = draft.status as RunOutcome;
  if (beforeStatus !== afterStatus) {
    differences.push({ kind: 'outcome', before: beforeStatus, after: afterStatus });
  }
  // In the draft's order, then the nodes only the recorded run has.
  const nodeIds = [...new Set([...after.keys(), ...before.keys()])];
  for (const nodeId of nodeIds) {
    const old = before.get(nodeId);
    const now = after.get(nodeId);
    const ref: NodeRef = {
      nodeId,
      nodeKey: now?.nodeKey ?? old?.nodeKey ?? nodeId,
      nodeType: now?.nodeType ?? old?.nodeType ?? '',
    };
    const oldFailed = old?.status === 'failed';
    const nowFailed = now?.status === 'failed';
    if (old && now && oldFailed !== nowFailed) {
      differences.push({
        ...ref,
        kind: 'failure',
        before: oldFailed ? errorMessage(old.error) : null,
        after: nowFailed ? errorMessage(now.error) : null,
      });
    }
    if (old && now && !oldFailed && !nowFailed && !sameList(old.handles, now.handles)) {
      differences.push({ ...ref, kind: 'route', before: old.handles, after: now.handles });
    }
    const definition = registry.get(ref.nodeType);
    const effects = definition?.sideEffects;
    if (!definition || !effects) continue;
    // A step that failed before it acted (its settings did not resolve) has no effect to compare.
    const acted = (step: { status: string; config: unknown } | undefined) =>
      step !== undefined && !(step.status === 'failed' && (step.config ?? null) === null);
    const read = (step: { config: unknown }) =>
      recordedEffect(definition, step.config, credentials);
    if (acted(old) && acted(now)) {
      const was = read(old!);
      const is = read(now!);
      if (!was.ok || !is.ok) {
        differences.push({
          ...ref,
          kind: 'unreadable',
          reason: !was.ok
            ? `the recorded run: ${was.reason}`
            : `the draft: ${(is as { reason: string }).reason}`,
        });
        continue;
      }
      const changes = diffValues(was.effect, is.effect);
      if (changes.length > 0) {
        differences.push({
          ...ref,
          kind: 'effect',
          summary: effects.summary,
          changes: changes.slice(0, MAX_CHANGES).map(cutChange),
          moreChanges: Math.max(0, changes.length - MAX_CHANGES),
          before: cutValue(was.effect) as Record<string, unknown>,
          after: cutValue(is.effect) as Record<string, unknown>,
        });
      }
    } else if (acted(old) !== acted(now)) {
      const step = (acted(now) ? now : old)!;
      const effect = read(step);
      differences.push({
        ...ref,
        kind: acted(now) ? 'effect-added' : 'effect-removed',
        summary: effects.summary,
        effect: effect.ok ? (cutValue(effect.effect) as Record<string, unknown>) : null,
      });
    }
  }
  const counted = differences.filter((difference) => difference.kind !== 'unreadable');
  const verdict: Verdict =
    afterStatus === 'failed' && beforeStatus !== 'failed'
      ? 'new-failure'
      : beforeStatus === 'failed' && afterStatus !== 'failed'
        ? 'fixed'
        : counted.length > 0
          ? 'changed'
          : 'same';
  return { verdict, differences };
}

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((item, index) => item === b[index]);

/** Where two JSON values differ, leaf by leaf (arrays of another length change whole). */
export function diffValues(before: unknown, after: unknown): ValueChange[] {
  const changes: ValueChange[] = [];
  const walk = (a: unknown, b: unknown, path: PropertyKey[]) => {
    if (changes.length > MAX_CHANGES) return;
    if (Object.is(a, b)) return;
    if (isRecord(a) && isRecord(b)) {
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
        const hasA = Object.hasOwn(a, key);
        const hasB = Object.hasOwn(b, key);
        if (hasA && hasB) walk(a[key], b[key], [...path, key]);
        else if (hasA)
          changes.push({ path: formatPath([...path, key]), change: 'removed', before: a[key] });
        else changes.push({ path: formatPath([...path, key]), change: 'added', after: b[key] });
      }
      return;
    }
    if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
      for (let index = 0; index < a.length; index++) walk(a[index], b[index], [...path, index]);
      return;
    }
    if (JSON.stringify(a) === JSON.stringify(b)) return;
    changes.push({ path: formatPath(path), change: 'changed', before: a, after: b });
  };
  walk(before, after, []);
  return changes;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Long texts cut, so a check of 200 events with large bodies stays small. */
function cutValue(value: unknown): unknown {
  const text = JSON.stringify(value);
  if (text === undefined || text.length <= MAX_VALUE_CHARS) return value;
  if (typeof value === 'string')
    return `${value.slice(0, MAX_VALUE_CHARS)}… (${value.length} characters)`;
  if (isRecord(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, cutValue(item)]));
  }
  return `${text.slice(0, MAX_VALUE_CHARS)}… (${text.length} characters)`;
}

function cutChange(change: ValueChange): ValueChange {
  return {
    ...change,
    ...('before' in change ? { before: cutValue(change.before) } : {}),
    ...('after' in change ? { after: cutValue(change.after) } : {}),
  };
}

/** A body on one line, cut: enough to tell events apart in a list. */
function excerptOf(body: unknown): string {
  const text = typeof body === 'string' ? body : (JSON.stringify(body) ?? '');
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > EXCERPT_CHARS ? `${line.slice(0, EXCERPT_CHARS)}…` : line;
}

/** A document's identity for "this exact draft was checked": its JSON with keys sorted. */
export function documentFingerprint(document: WorkflowDocument): string {
  return createHash('sha256').update(canonicalJson(document)).digest('base64url');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function summaryText(summary: Omit<CheckSummary, 'text'>): string {
  if (summary.checked === 0) return 'No past events to check against.';
  const events = (n: number) => `${n} event${n === 1 ? '' : 's'}`;
  const parts = [`${events(summary.checked)} checked`];
  if (summary.changed === 0) parts.push('none would change');
  else {
    const details = [
      summary.newFailures > 0
        ? `${summary.newFailures} new failure${summary.newFailures === 1 ? '' : 's'}`
        : '',
      summary.fixed > 0 ? `${summary.fixed} fixed` : '',
    ].filter(Boolean);
    parts.push(
      `${summary.changed} would change${details.length > 0 ? ` (${details.join(', ')})` : ''}`,
    );
    parts.push(`${summary.unchanged} the same`);
  }
  if (summary.skipped > 0) parts.push(`${summary.skipped} not reached in time`);
  return `${parts.join(', ')}.`;
}

/**
 * Runs the check: each past event through the draft (dry run, through `executeTest`, the path
 * test runs take), compared with its recorded run. Nothing is written to the history.
 */
export async function checkDraft(
  ctx: ApiContext & { executeTest: NonNullable<ApiContext['executeTest']> },
  input: { workflowId: string; document: WorkflowDocument; limit: number; signal: AbortSignal },
): Promise<CheckResult> {
  const started = Date.now();
  const runIds = pastRuns(ctx, input.workflowId, input.limit);
  const byId = new Map(ctx.store.credentials.list().map((record) => [record.id, record]));
  const credentials: CredentialDetails = (id) => byId.get(id);
  const versionNumbers = new Map(
    ctx.store.workflows
      .listVersions(input.workflowId)
      .map((version) => [version.id, version.number]),
  );
  const items: (CheckedEvent | undefined)[] = new Array(runIds.length);
  const deadline = AbortSignal.timeout(CHECK_TIME_LIMIT_MS);
  const signal = AbortSignal.any([input.signal, deadline]);
  let next = 0;
  const checkOne = async (index: number) => {
    const recorded = ctx.store.runs.get(runIds[index]!);
    if (!recorded) return;
    const result = await ctx.executeTest(
      {
        workflowId: input.workflowId,
        document: input.document,
        event: recorded.event,
        dryRun: true,
        runId: recorded.id,
      },
      signal,
    );
    // Stopped by the time limit: not a verdict on the draft.
    if (result.status === 'canceled') return;
    const { verdict, differences } = compareRuns(ctx.registry, credentials, recorded, result);
    const keyOf = (nodeId: string, steps: readonly { nodeId: string; nodeKey: string }[]) =>
      steps.find((step) => step.nodeId === nodeId)?.nodeKey ?? nodeId;
    const recordedError = recorded.error as { nodeId?: string; message?: string } | null;
    items[index] = {
      eventId: recorded.eventId,
      runId: recorded.id,
      receivedAt: recorded.event.receivedAt,
      request: { method: recorded.event.method, excerpt: excerptOf(recorded.event.parsedBody) },
      versionNumber: versionNumbers.get(recorded.versionId) ?? null,
      verdict,
      before: {
        status: recorded.status as RunOutcome,
        error:
          recorded.status === 'failed' && recordedError
            ? {
                nodeKey: keyOf(recordedError.nodeId ?? '', recorded.steps),
                message: recordedError.message ?? 'failed',
              }
            : null,
      },
      after: {
        status: result.status,
        error: result.error
          ? { nodeKey: keyOf(result.error.nodeId, result.steps), message: result.error.message }
          : null,
      },
      differences,
    };
  };
  const lane = async () => {
    while (next < runIds.length && !signal.aborted) {
      const index = next++;
      try {
        await checkOne(index);
      } catch (error) {
        if (signal.aborted) return;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CHECK_CONCURRENCY, runIds.length) }, lane));
  if (input.signal.aborted) throw input.signal.reason;
  const checked = items.filter((item): item is CheckedEvent => item !== undefined);
  const count = (verdict: Verdict) => checked.filter((item) => item.verdict === verdict).length;
  const summary = {
    checked: checked.length,
    unchanged: count('same'),
    changed: checked.length - count('same'),
    newFailures: count('new-failure'),
    fixed: count('fixed'),
    failedInDraft: checked.filter((item) => item.after.status === 'failed').length,
    skipped: runIds.length - checked.length,
    checkedAt: Date.now(),
  };
  return {
    ...summary,
    text: summaryText(summary),
    items: checked,
    durationMs: Date.now() - started,
    fingerprint: documentFingerprint(input.document),
  };
}
