/**
 * Who is calling, per HTTP request: an API token (`Authorization: Bearer hf_…`) or the session
 * cookie. Also the cross-site request forgery guard for browser requests, and the cookie itself.
 * The API (packages/api) gets the results in its context and enforces them; it never sees
 * Fastify.
 */
import type { Actor, ApiContext, SessionCookie } from '@hookflow/api';
import type { Store, UserRecord } from '@hookflow/db';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'hookflow_session';
/** The header the web app sends with every API call; a page on another site cannot send it. */
export const CSRF_HEADER = 'x-hookflow-csrf';

/** `name=value` pairs of a Cookie header; later duplicates do not override the first. */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (!cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

/** The Set-Cookie value for a session token; `null` removes the cookie. */
export function sessionCookie(
  token: string | null,
  options: { expiresAt?: number; secure: boolean },
): string {
  const attributes = ['Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (token === null) {
    attributes.push('Max-Age=0', 'Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  } else if (options.expiresAt !== undefined) {
    const seconds = Math.max(0, Math.round((options.expiresAt - Date.now()) / 1000));
    attributes.push(`Max-Age=${seconds}`, `Expires=${new Date(options.expiresAt).toUTCString()}`);
  }
  // Over HTTPS the cookie never travels over plain HTTP (directly or, behind a proxy named in
  // TRUST_PROXY, with X-Forwarded-Proto: https).
  if (options.secure) attributes.push('Secure');
  return [`${SESSION_COOKIE}=${token ?? ''}`, ...attributes].join('; ');
}

const actorOf = (user: UserRecord): Actor => ({
  kind: 'user',
  userId: user.id,
  email: user.email,
  role: user.role,
});

export type RequestAuth = Pick<
  ApiContext,
  'actor' | 'authenticatedBy' | 'authProblem' | 'csrfRefusal' | 'session' | 'userAgent'
>;

/**
 * @example
 * const auth = createRequestAuth({ store, publicUrl: config.PUBLIC_URL });
 * createContext: ({ req, res }) => ({ ...context, ...auth.resolve(req, res) })
 */
export function createRequestAuth(deps: { store: Store; publicUrl: string }) {
  const { store } = deps;
  const publicOrigin = new URL(deps.publicUrl).origin;

  /** The origins this server answers as: PUBLIC_URL's, and the one the request was sent to. */
  const ownOrigins = (request: FastifyRequest) => [
    publicOrigin,
    `${request.protocol}://${request.host}`,
  ];

  /**
   * Why a browser's mutation must be refused, or null. Callers with an API token are exempt: a
   * page on another site cannot send an Authorization header (no CORS is allowed here).
   */
  function csrfRefusal(request: FastifyRequest): string | null {
    if (request.method !== 'POST') return null;
    if (request.headers[CSRF_HEADER] !== '1') {
      return `this change was refused: it lacks the ${CSRF_HEADER} header the Hookflow web app sends (a guard against cross-site request forgery); scripts should use an API token`;
    }
    const origin = request.headers.origin;
    if (origin !== undefined && !ownOrigins(request).includes(origin)) {
      return `this change was refused: it came from a page on ${origin}, not from Hookflow itself (a guard against cross-site request forgery)`;
    }
    return null;
  }

  return {
    /** The caller, the guard's verdict and the cookie controls for one request. */
    resolve(request: FastifyRequest, reply: FastifyReply): RequestAuth {
      const secure = request.protocol === 'https';
      const token = parseCookies(request.headers.cookie).get(SESSION_COOKIE) ?? null;
      const session: SessionCookie = {
        token,
        set: (next, expiresAt) =>
          void reply.header('set-cookie', sessionCookie(next, { expiresAt, secure })),
        clear: () => void reply.header('set-cookie', sessionCookie(null, { secure })),
      };
      const userAgent = request.headers['user-agent'] ?? null;
      const authorization = request.headers.authorization;
      if (authorization !== undefined) {
        const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
        const found = bearer ? store.apiTokens.resolve(bearer) : null;
        return {
          actor: found ? actorOf(found.user) : null,
          authenticatedBy: found ? 'token' : null,
          authProblem: found
            ? null
            : bearer
              ? 'this API token is not valid: it is unknown, expired or revoked'
              : 'send an API token as "Authorization: Bearer hf_…"',
          csrfRefusal: null,
          session,
          userAgent,
        };
      }
      const found = token ? store.sessions.resolve(token) : null;
      return {
        actor: found ? actorOf(found.user) : null,
        authenticatedBy: found ? 'session' : null,
        authProblem: token && !found ? 'your session has ended; sign in again' : null,
        csrfRefusal: csrfRefusal(request),
        session,
        userAgent,
      };
    },
  };
}
