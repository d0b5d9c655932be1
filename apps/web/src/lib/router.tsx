/**
 * A tiny history-based router: real paths (`/runs/run_01...`) that the server answers with
 * index.html, `<Link>` for in-app navigation and typed `:params` in route patterns. Enough for
 * a handful of pages; swap in a router library when nested layouts or loaders are needed.
 */
import {
  type AnchorHTMLAttributes,
  Fragment,
  type MouseEvent,
  type ReactNode,
  useCallback,
  useSyncExternalStore,
} from 'react';
import type { PreloadContext } from './trpc.ts';

const NAVIGATE_EVENT = 'hookflow:navigate';

/** The page the app was opened at, until a navigation leaves it (none outside a browser). */
let openingPage: string | null = null;
if (typeof window !== 'undefined') {
  openingPage = window.location.pathname;
  const leaveOpeningPage = () => {
    if (window.location.pathname !== openingPage) openingPage = null;
  };
  window.addEventListener('popstate', leaveOpeningPage);
  window.addEventListener(NAVIGATE_EVENT, leaveOpeningPage);
}

/**
 * Whether `pathname` is the page the app was opened at and no navigation has left it: what
 * its route preloaded at start is as fresh as what it would fetch when shown, for no other page
 * came before it.
 */
export function isOpeningPage(pathname: string): boolean {
  return openingPage === pathname;
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATE_EVENT, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATE_EVENT, onChange);
  };
}

const currentHref = () => window.location.pathname + window.location.search;

export interface Location {
  pathname: string;
  searchParams: URLSearchParams;
}

/** The current path and query string; re-renders on every navigation. */
export function useLocation(): Location {
  const href = useSyncExternalStore(subscribe, currentHref);
  const url = new URL(href, window.location.origin);
  return { pathname: url.pathname, searchParams: url.searchParams };
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === currentHref()) return;
  if (options.replace) {
    window.history.replaceState(null, '', to);
  } else {
    window.history.pushState(null, '', to);
    window.scrollTo(0, 0);
  }
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

/** Changes query-string parameters of the current page (`null` removes one) without a new history entry. */
export function useSetSearchParams(): (changes: Record<string, string | null>) => void {
  return useCallback((changes) => {
    const params = new URLSearchParams(window.location.search);
    for (const [name, value] of Object.entries(changes)) {
      if (value === null || value === '') params.delete(name);
      else params.set(name, value);
    }
    const query = params.toString();
    navigate(window.location.pathname + (query ? `?${query}` : ''), { replace: true });
  }, []);
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & { to: string };

/** An anchor that navigates inside the app; modified clicks (new tab, download) stay native. */
export function Link({ to, onClick, children, ...rest }: LinkProps) {
  const handleClick = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey ||
      (rest.target && rest.target !== '_self')
    ) {
      return;
    }
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} onClick={handleClick} {...rest}>
      {children}
    </a>
  );
}

/** `'/runs/:id'` -> `{ id: string }`. */
export type RouteParams<Pattern extends string> =
  Pattern extends `${string}:${infer Name}/${infer Rest}`
    ? { [K in Name | keyof RouteParams<Rest>]: string }
    : Pattern extends `${string}:${infer Name}`
      ? { [K in Name]: string }
      : Record<never, string>;

/** The params of `pathname` when it matches `pattern` (segments compared exactly), else null. */
export function matchPath<Pattern extends string>(
  pattern: Pattern,
  pathname: string,
): RouteParams<Pattern> | null {
  const patternParts = pattern.split('/').filter(Boolean);
  const pathParts = pathname.split('/').filter(Boolean);
  if (patternParts.length !== pathParts.length) return null;
  const params: Record<string, string> = {};
  for (const [index, part] of patternParts.entries()) {
    const actual = pathParts[index]!;
    if (part.startsWith(':')) {
      try {
        params[part.slice(1)] = decodeURIComponent(actual);
      } catch {
        return null;
      }
    } else if (part !== actual) {
      return null;
    }
  }
  return params as RouteParams<Pattern>;
}

export interface Route {
  render(pathname: string): ReactNode | null;
  /** Starts loading what the page needs when `pathname` is its; false when it is not. */
  preload(pathname: string, context: PreloadContext): boolean;
}

/**
 * Declares a page: `route('/runs/:id', ({ id }) => <RunDetailPage id={id} />)`. `preload`
 * starts fetching its code and data when the app opens at it, while the session is checked.
 */
export function route<Pattern extends string>(
  pattern: Pattern,
  page: (params: RouteParams<Pattern>) => ReactNode,
  preload?: (params: RouteParams<Pattern>, context: PreloadContext) => void,
): Route {
  return {
    render(pathname) {
      const params = matchPath(pattern, pathname);
      return params ? page(params) : null;
    },
    preload(pathname, context) {
      const params = matchPath(pattern, pathname);
      if (!params) return false;
      preload?.(params, context);
      return true;
    },
  };
}

/** Preloads the first route that matches `pathname` (as `Routes` would show it). */
export function preloadRoute(
  routes: readonly Route[],
  pathname: string,
  context: PreloadContext,
): void {
  for (const candidate of routes) if (candidate.preload(pathname, context)) return;
}

/** The first route that matches the current path, or `fallback`. */
export function Routes({ routes, fallback }: { routes: readonly Route[]; fallback: ReactNode }) {
  const { pathname } = useLocation();
  for (const candidate of routes) {
    const page = candidate.render(pathname);
    // Keyed by path so that moving from one run to another starts the page afresh.
    if (page !== null) return <Fragment key={pathname}>{page}</Fragment>;
  }
  return fallback;
}
