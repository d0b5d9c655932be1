import { hashKey, useQuery, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { isForbidden, isUnauthorized } from '../lib/api-error.ts';
import { navigate, useLocation } from '../lib/router.tsx';
import { type PreloadContext, useTRPC, useTRPCClient } from '../lib/trpc.ts';
import { Loading } from '../ui/page.tsx';
import { ProblemMessage } from '../ui/problem-message.tsx';
import { AuthFrame } from './auth-frame.tsx';
import { type Farewell, LoginPage } from './login-page.tsx';
import { gateRedirect } from './next-path.ts';
import { type Session, SessionContext, type SessionUser, type SignOut } from './session.tsx';
import { SetupPage } from './setup-page.tsx';

/** Who is signed in: asked first, and again at most every 30 s while pages are used. */
export function sessionQuery(trpc: PreloadContext['trpc']) {
  return trpc.auth.status.queryOptions(undefined, { staleTime: 30_000 });
}

/**
 * The door to the app. `auth.status` is asked first: an empty database shows the setup page
 * (`/setup`), no session the login page (`/login?next=<the page asked for>`), and a session the
 * app, with the signed-in person in `SessionContext`. Any request refused later as not signed in
 * (the session expired or was ended elsewhere) asks `auth.status` again, which brings the login
 * page back with the page's address kept in `next`.
 */
export function AuthGate({ children }: { children: ReactNode }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const statusKey = useMemo(() => trpc.auth.status.queryKey(), [trpc]);
  const status = useQuery(sessionQuery(trpc));
  const { pathname, searchParams } = useLocation();
  const [farewell, setFarewell] = useState<Farewell | null>(null);
  const wasSignedIn = useRef(false);

  /** Forgets everything the last person loaded and records who is signed in now. */
  const adopt = useCallback(
    (user: SessionUser | null) => {
      const keep = hashKey(statusKey);
      queryClient.removeQueries({ predicate: (query) => query.queryHash !== keep });
      queryClient.setQueryData(statusKey, { setupRequired: false, user });
    },
    [queryClient, statusKey],
  );

  // A refusal for want of a session anywhere in the app: ask whether the session is still there.
  // A refusal for want of a role, too: the role may have changed since the page loaded.
  useEffect(() => {
    const recheck = (error: unknown) => {
      if (!isUnauthorized(error) && !isForbidden(error)) return;
      if (!queryClient.getQueryData(statusKey)?.user) return;
      void queryClient.invalidateQueries({ queryKey: statusKey });
    };
    const stopQueries = queryClient.getQueryCache().subscribe((event) => {
      if (event.type === 'updated' && event.action.type === 'error') recheck(event.action.error);
    });
    const stopMutations = queryClient.getMutationCache().subscribe((event) => {
      if (event.type === 'updated' && event.action.type === 'error') recheck(event.action.error);
    });
    return () => {
      stopQueries();
      stopMutations();
    };
  }, [queryClient, statusKey]);

  const signOut = useCallback<SignOut>(
    async (where) => {
      let sessionsEnded: number | undefined;
      try {
        if (where === 'everywhere') {
          ({ sessionsEnded } = await client.auth.logoutEverywhere.mutate());
        }
        // Also ends this browser's session should "everywhere" have spared it.
        await client.auth.logout.mutate();
      } catch (error) {
        // Already signed out (expired meanwhile) is what was asked; anything else is shown.
        if (!isUnauthorized(error)) throw error;
      }
      setFarewell(
        where === 'everywhere'
          ? { kind: 'signed-out-everywhere', sessionsEnded: sessionsEnded ?? 0 }
          : { kind: 'signed-out' },
      );
      wasSignedIn.current = false;
      adopt(null);
    },
    [client, adopt],
  );

  const user = status.data?.user ?? null;
  const setupRequired = status.data?.setupRequired ?? false;
  const session = useMemo<Session | null>(() => (user ? { user, signOut } : null), [user, signOut]);

  const redirect = status.data
    ? gateRedirect({
        setupRequired,
        signedIn: user !== null,
        signedOutOnPurpose:
          farewell?.kind === 'signed-out' || farewell?.kind === 'signed-out-everywhere',
        pathname,
        search: searchParams.toString(),
      })
    : null;
  useEffect(() => {
    if (redirect !== null) navigate(redirect, { replace: true });
  }, [redirect]);

  // Signed in once and now not, without signing out: the session has ended.
  useEffect(() => {
    if (user) {
      wasSignedIn.current = true;
    } else if (status.data && wasSignedIn.current) {
      wasSignedIn.current = false;
      setFarewell((current) => current ?? { kind: 'expired' });
    }
  }, [user, status.data]);

  if (status.isPending) {
    return (
      <AuthFrame title="Hookflow">
        <Loading what="Hookflow" />
      </AuthFrame>
    );
  }
  if (status.isError && !status.data) {
    return (
      <AuthFrame title="Cannot reach Hookflow" testId="auth-unreachable">
        <ProblemMessage title="Could not ask the server who is signed in" error={status.error} />
        <button type="button" className="button" onClick={() => void status.refetch()}>
          Try again
        </button>
      </AuthFrame>
    );
  }
  if (redirect !== null) return null;
  if (setupRequired) return <SetupPage onSignedIn={adopt} />;
  if (!session) {
    return (
      <LoginPage
        farewell={farewell}
        onSignedIn={(signedIn) => {
          setFarewell(null);
          adopt(signedIn);
        }}
      />
    );
  }
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}
