/**
 * Every procedure of the API, over real HTTP against a real server: refused to anyone not
 * signed in (401) and to every role below the one it needs (403), allowed from that role up.
 * The table names each procedure's role; a procedure missing from it fails the test, so a new
 * one cannot be added without deciding who may call it.
 */
import { appRouter, type Role } from '@hookflow/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfHeaders, startHookflow } from './helpers.ts';

type Minimum = Role | 'public';

const required: Record<string, Minimum> = {
  'workflows.list': 'viewer',
  'workflows.get': 'viewer',
  'workflows.export': 'viewer',
  'workflows.version': 'viewer',
  'workflows.import': 'editor',
  'workflows.createFromTemplate': 'editor',
  'workflows.saveDraft': 'editor',
  'workflows.restoreVersion': 'editor',
  'workflows.publish': 'editor',
  'workflows.checkDraft': 'editor',
  'workflows.setActive': 'editor',
  'workflows.rotateToken': 'editor',
  'workflows.delete': 'editor',
  'runs.list': 'viewer',
  'runs.counts': 'viewer',
  'runs.get': 'viewer',
  'runs.export': 'viewer',
  'runs.delete': 'editor',
  'runs.cancel': 'editor',
  'runs.replay': 'editor',
  'runs.resume': 'editor',
  'requests.list': 'viewer',
  'live.runs': 'viewer',
  'live.requests': 'viewer',
  'samples.list': 'viewer',
  'samples.listen': 'viewer',
  'samples.save': 'editor',
  'samples.create': 'editor',
  'samples.delete': 'editor',
  'testRuns.run': 'editor',
  'testRuns.runNode': 'editor',
  'stats.overview': 'viewer',
  // Node configs pick credentials by name: editors need the list (never the values).
  'credentials.list': 'viewer',
  'credentials.create': 'admin',
  'credentials.update': 'admin',
  'credentials.delete': 'admin',
  'audit.list': 'admin',
  'auth.status': 'public',
  'auth.setup': 'public',
  'auth.login': 'public',
  'auth.logout': 'public',
  'auth.logoutEverywhere': 'viewer',
  'auth.changePassword': 'viewer',
  'users.list': 'admin',
  'users.create': 'admin',
  'users.setRole': 'admin',
  'users.setPassword': 'admin',
  'users.delete': 'admin',
  'tokens.list': 'viewer',
  'tokens.create': 'viewer',
  'tokens.revoke': 'viewer',
};

const roles: Role[] = ['viewer', 'editor', 'admin', 'owner'];
// Every procedure by its full path (`workflows.list`): tRPC keeps them flat at run time,
// though its type describes them nested.
const flat = appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>;
const procedures = Object.entries(flat).map(([path, procedure]) => ({
  path,
  type: procedure._def.type,
}));

let hookflow: Awaited<ReturnType<typeof startHookflow>>;
const headersOf: Partial<Record<Role, Record<string, string>>> = {};

beforeAll(async () => {
  hookflow = await startHookflow();
  for (const role of roles) {
    headersOf[role] =
      role === 'owner' ? hookflow.authHeaders : (await hookflow.addUser(role)).headers;
  }
});
afterAll(() => hookflow.close());

/**
 * Calls a procedure without input as the web app would: queries by GET, mutations by POST with
 * the forgery-guard header, subscriptions by GET as server-sent events. Resolves with the
 * status and the message. A subscription always answers 200 and streams a refusal as its first
 * event (tRPC's `serialized-error`, with the status inside); one that is let in streams on, and
 * is stopped after a moment without an error.
 */
async function call(
  path: string,
  type: string,
  headers: Record<string, string>,
): Promise<{ status: number; message: string }> {
  const url = `${hookflow.address}/trpc/${path}`;
  if (type === 'subscription') return subscribe(url, headers);
  const response = await fetch(
    url,
    type === 'mutation'
      ? {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...csrfHeaders, ...headers },
        }
      : { headers },
  );
  const body = (await response.json()) as { error?: { message?: string } };
  return { status: response.status, message: body.error?.message ?? '' };
}

async function subscribe(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; message: string }> {
  const abort = new AbortController();
  const response = await fetch(url, {
    headers: { ...headers, accept: 'text/event-stream' },
    signal: abort.signal,
  });
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const quiet = setTimeout(() => abort.abort(), 300);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      const error = /event: serialized-error\ndata: (.*)\n/.exec(text);
      if (error) {
        const shape = JSON.parse(error[1]!) as { message: string; data: { httpStatus: number } };
        return { status: shape.data.httpStatus, message: shape.message };
      }
    }
  } catch (error) {
    if (!abort.signal.aborted) throw error;
  } finally {
    clearTimeout(quiet);
    abort.abort();
  }
  return { status: 200, message: '(streaming)' };
}

describe('authorization of every procedure', () => {
  it('has a role for every procedure in the table, and no stale entry', () => {
    const paths = procedures.map((procedure) => procedure.path);
    expect(paths.filter((path) => !(path in required))).toEqual([]);
    expect(Object.keys(required).filter((path) => !paths.includes(path))).toEqual([]);
  });

  it.each(procedures)('$path ($type)', async ({ path, type }) => {
    const minimum = required[path];
    expect(minimum, `${path} needs a row in the table of roles`).toBeDefined();
    const anonymous = await call(path, type, {});
    if (minimum === 'public') {
      expect([401, 403]).not.toContain(anonymous.status);
    } else {
      expect(anonymous).toEqual({ status: 401, message: 'sign in first' });
    }
    for (const role of roles) {
      const result = await call(path, type, headersOf[role]!);
      const allowed = minimum === 'public' || roles.indexOf(role) >= roles.indexOf(minimum as Role);
      if (allowed) {
        expect([401, 403], `${path} as ${role}: ${result.message}`).not.toContain(result.status);
      } else {
        expect(result.status, `${path} as ${role}`).toBe(403);
        expect(result.message).toMatch(
          new RegExp(`^this needs the ${minimum} role; you are an? ${role}$`),
        );
      }
    }
  });

  it('tells a caller with a bad token why, instead of only "sign in first"', async () => {
    const revoked = await hookflow.addUser('viewer');
    hookflow.store.apiTokens.revoke(hookflow.store.apiTokens.listOfUser(revoked.id)[0]!.id);
    for (const headers of [
      revoked.headers,
      { authorization: 'Bearer hf_made-up' },
      { authorization: `Bearer ${hookflow.owner!.token}x` },
    ]) {
      expect(await call('workflows.list', 'query', headers)).toEqual({
        status: 401,
        message: 'this API token is not valid: it is unknown, expired or revoked',
      });
    }
    expect(await call('workflows.list', 'query', { authorization: 'Basic abc' })).toEqual({
      status: 401,
      message: 'send an API token as "Authorization: Bearer hf_…"',
    });
  });
});
