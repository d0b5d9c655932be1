import { Suspense } from 'react';
import { AccountMenu } from './account/account-menu.tsx';
import { AuthGate, sessionQuery } from './account/auth-gate.tsx';
import { ChangePasswordPage } from './account/change-password-page.tsx';
import { usePermission } from './account/session.tsx';
import { TokensPage } from './account/tokens-page.tsx';
import { UsersPage } from './account/users-page.tsx';
import { CredentialsPage } from './credentials/credentials-page.tsx';
import { editorWorkflowQuery } from './editor/editor-query.ts';
import { lazyPage } from './lib/lazy-page.tsx';
import { paths } from './lib/paths.ts';
import {
  Link,
  matchPath,
  preloadRoute,
  Routes,
  route,
  setPagePreload,
  useLocation,
} from './lib/router.tsx';
import type { PreloadContext } from './lib/trpc.ts';
import { RequestLogPage } from './runs/request-log-page.tsx';
import { RunDetailPage } from './runs/run-detail-page.tsx';
import { RunListPage } from './runs/run-list-page.tsx';
import { WorkflowOverviewPage } from './runs/workflow-overview-page.tsx';
import { EmptyState, Loading, Page } from './ui/page.tsx';
import { WorkflowDetailPage } from './workflows/workflow-detail-page.tsx';
import { WorkflowListPage } from './workflows/workflow-list-page.tsx';

/** The editor brings the canvas library with it: loaded when first opened. */
const editor = lazyPage(() =>
  import('./editor/editor-page.tsx').then((module) => module.EditorPage),
);
const EditorPage = editor.Page;
const { Page: AuditPage } = lazyPage(() =>
  import('./audit/audit-page.tsx').then((module) => module.AuditPage),
);

/** Every page of the app. A new page is one line here (and, for the server, nothing). */
const routes = [
  route('/', () => <WorkflowListPage />),
  route('/workflows', () => <WorkflowListPage />),
  route('/workflows/:id', ({ id }) => <WorkflowDetailPage id={id} />),
  route(
    '/workflows/:id/edit',
    ({ id }) => <EditorPage id={id} />,
    // Its code and the workflow come together: opening the editor at its address, while the
    // session is checked (the workflow in the same request as the check); from a link, before
    // the page changes.
    ({ id }, { queryClient, trpc }) => {
      void queryClient.prefetchQuery(editorWorkflowQuery(trpc, id));
      return editor.preload();
    },
  ),
  route('/workflows/:id/overview', ({ id }) => <WorkflowOverviewPage workflowId={id} />),
  route('/workflows/:id/requests', ({ id }) => <RequestLogPage workflowId={id} />),
  route('/runs', () => <RunListPage />),
  route('/runs/:id', ({ id }) => <RunDetailPage id={id} />),
  route('/credentials', () => <CredentialsPage />),
  route('/users', () => <UsersPage />),
  route('/account/tokens', () => <TokensPage />),
  route('/account/password', () => <ChangePasswordPage />),
  route('/audit', () => <AuditPage />),
];

/** Pages that use the whole window below the top bar instead of the centred column. */
const fullWindowPages = ['/workflows/:id/edit'];

/**
 * Called before the first render: the session check and what the page at `pathname` needs
 * (its code, its data) leave together, in one batched request, rather than after a first frame.
 */
export function preloadApp(pathname: string, context: PreloadContext): void {
  void context.queryClient.prefetchQuery(sessionQuery(context.trpc));
  void preloadRoute(routes, pathname, context);
  setPagePreload((next) => preloadRoute(routes, next, context));
}

/** Signing in (or setting up) first; then the page asked for. */
export function App() {
  return (
    <AuthGate>
      <SignedInApp />
    </AuthGate>
  );
}

function SignedInApp() {
  const { pathname } = useLocation();
  const fullWindow = fullWindowPages.some((pattern) => matchPath(pattern, pathname) !== null);
  return (
    <div className="app">
      <TopBar />
      <main className={fullWindow ? 'main main-full' : 'main'}>
        <Suspense fallback={<Loading what="the page" />}>
          <Routes routes={routes} fallback={<NotFoundPage />} />
        </Suspense>
      </main>
    </div>
  );
}

function TopBar() {
  const { pathname } = useLocation();
  const admin = usePermission('admin');
  const section = pathname.startsWith('/runs')
    ? 'runs'
    : pathname.startsWith('/credentials')
      ? 'credentials'
      : pathname.startsWith('/users')
        ? 'users'
        : pathname.startsWith('/account')
          ? 'account'
          : pathname.startsWith('/audit')
            ? 'audit'
            : 'workflows';
  return (
    <header className="top-bar">
      <Link to={paths.workflows()} className="brand">
        <span className="brand-mark" aria-hidden="true">
          H
        </span>
        Hookflow
      </Link>
      <nav aria-label="Main" className="top-nav">
        <Link
          to={paths.workflows()}
          aria-current={section === 'workflows' ? 'page' : undefined}
          data-testid="nav-workflows"
        >
          Workflows
        </Link>
        <Link
          to={paths.runs()}
          aria-current={section === 'runs' ? 'page' : undefined}
          data-testid="nav-runs"
        >
          Runs
        </Link>
        <Link
          to={paths.credentials()}
          aria-current={section === 'credentials' ? 'page' : undefined}
          data-testid="nav-credentials"
        >
          Credentials
        </Link>
        {admin.allowed && (
          <Link
            to={paths.users()}
            aria-current={section === 'users' ? 'page' : undefined}
            data-testid="nav-users"
          >
            Users
          </Link>
        )}
        {admin.allowed && (
          <Link
            to={paths.audit()}
            aria-current={section === 'audit' ? 'page' : undefined}
            data-testid="nav-audit"
          >
            Audit log
          </Link>
        )}
      </nav>
      <AccountMenu />
    </header>
  );
}

function NotFoundPage() {
  const { pathname } = useLocation();
  return (
    <Page title="Page not found">
      <EmptyState title="There is nothing here" testId="page-not-found">
        <p>
          No page lives at <code>{pathname}</code>.{' '}
          <Link to={paths.workflows()}>Go to the workflows</Link>.
        </p>
      </EmptyState>
    </Page>
  );
}
