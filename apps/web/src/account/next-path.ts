/** The sign-in pages: not places to return to after signing in. */
export const signInPaths = ['/login', '/setup'] as const;

/**
 * Where to go after signing in: the `next` the login page was given, when it is a path of this
 * app. Anything else (another origin, `//host`, `javascript:`, a sign-in page) goes home, so a
 * crafted link cannot send a person elsewhere after they sign in.
 */
export function safeNextPath(next: string | null | undefined): string {
  if (!next?.startsWith('/') || next.startsWith('//') || next.includes('\\')) return '/';
  let url: URL;
  try {
    url = new URL(next, 'http://hookflow.invalid');
  } catch {
    return '/';
  }
  if (url.origin !== 'http://hookflow.invalid') return '/';
  if ((signInPaths as readonly string[]).includes(url.pathname)) return '/';
  return url.pathname + url.search + url.hash;
}

/** `/login`, or `/login?next=<page>` to come back to `page` after signing in (home needs no `next`). */
export function loginPath(next?: string): string {
  const target = next === undefined ? '/' : safeNextPath(next);
  return target === '/' ? '/login' : `/login?next=${encodeURIComponent(target)}`;
}

/**
 * Where the sign-in gate sends a person from `pathname`, or null to stay: to the setup page while
 * there is no owner, to the login page (remembering the page) when signed out, and away from the
 * sign-in pages (to their `next`) once signed in.
 */
export function gateRedirect(state: {
  setupRequired: boolean;
  signedIn: boolean;
  /** Signed out with the menu: the login page then remembers no page. */
  signedOutOnPurpose: boolean;
  pathname: string;
  /** The query string, without `?`. */
  search: string;
}): string | null {
  const { pathname, search } = state;
  if (state.setupRequired) return pathname === '/setup' ? null : '/setup';
  if (!state.signedIn) {
    if (pathname === '/login') return null;
    return state.signedOutOnPurpose ? '/login' : loginPath(pathname + (search ? `?${search}` : ''));
  }
  if ((signInPaths as readonly string[]).includes(pathname)) {
    return safeNextPath(new URLSearchParams(search).get('next'));
  }
  return null;
}
