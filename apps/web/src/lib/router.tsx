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

/**
 * Counts navigations (links, `navigate`, the browser's back and forward), so that one waiting
 * for its page's code knows when another overtook it.
 */
let navigations = 0;

/**
 * The page whose data was fetched for this visit before it showed: the page the app was opened
 * at, or the one `openPage` preloaded; until a navigation leaves it (none outside a browser).
 */
let preloadedPage: string | null = null;
if (typeof window !== 'undefined') {
  preloadedPage = window.location.pathname;
  const leavePreloadedPage = () => {
    if (window.location.pathname !== preloadedPage) preloadedPage = null;
  };
  window.addEventListener('popstate', () => {
    navigations++;
    leavePreloadedPage();
  });
  window.addEventListener(NAVIGATE_EVENT, leavePreloadedPage);
}

/**
 * Whether `pathname` is the page the app was opened at, or the page a link just opened after
 * preloading it, and no navigation has left it: what its route preloaded is as fresh as what
 * it would fetch when shown.
 */
export function isPreloadedPage(pathname: string): boolean {
  return preloadedPage === pathname;
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

/**
 * What a page needs before it is shown (its code), as the app's routes know it; set once at
 * start (`setPagePreload`). Undefined for a path whose route preloads no code.
 */
let pagePreload: ((pathname: string) => Promise<unknown> | undefined) | null = null;

export function setPagePreload(preload: (pathname: string) => Promise<unknown> | undefined): void {
  pagePreload = preload;
}

/** How long a navigation waits for the next page's code before showing what it has. */
const PAGE_CODE_WAIT_MS = 3000;

/**
 * Goes to another page of the app, once its code is loaded and with its data on the way: the
 * page then draws at once. Shown before its code came, it would show "Loading" first, and React
 * keeps a loading state on screen for at least 300 ms before it shows what replaced it.
 */
export async function openPage(to: string): Promise<void> {
  const pathname = new URL(to, window.location.origin).pathname;
  const ready = pagePreload?.(pathname);
  if (ready) {
    const asked = ++navigations;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // A failed load is the page's to show (its error, when it renders); the wait is bounded.
    await Promise.race([
      ready.catch(() => {}),
      new Promise((resolve) => {
        timer = setTimeout(resolve, PAGE_CODE_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
    // Another navigation while this one waited (a second click): the latest one wins.
    if (asked !== navigations) return;
    preloadedPage = pathname;
  }
  navigate(to);
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  navigations++;
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
    void openPage(to);
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
  /**
   * Starts loading what the page needs when `pathname` is its, and returns the loading of its
   * code (undefined when its preload has none); null when `pathname` is not its.
   */
  preload(pathname: string, context: PreloadContext): Promise<unknown> | undefined | null;
}

/**
 * Declares a page: `route('/runs/:id', ({ id }) => <RunDetailPage id={id} />)`. `preload`
 * starts fetching its code and data, when the app opens at it (while the session is checked)
 * and when a link or `openPage` goes to it; it returns the loading of its code, which a
 * navigation waits for.
 */
export function route<Pattern extends string>(
  pattern: Pattern,
  page: (params: RouteParams<Pattern>) => ReactNode,
  preload?: (params: RouteParams<Pattern>, context: PreloadContext) => Promise<unknown> | undefined,
): Route {
  return {
    render(pathname) {
      const params = matchPath(pattern, pathname);
      return params ? page(params) : null;
    },
    preload(pathname, context) {
      const params = matchPath(pattern, pathname);
      if (!params) return null;
      return preload?.(params, context);
    },
  };
}

/**
 * Preloads the first route that matches `pathname` (as `Routes` would show it); returns the
 * loading of its code, if its preload has one.
 */
export function preloadRoute(
  routes: readonly Route[],
  pathname: string,
  context: PreloadContext,
): Promise<unknown> | undefined {
  for (const candidate of routes) {
    const loading = candidate.preload(pathname, context);
    if (loading !== null) return loading;
  }
  return undefined;
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
