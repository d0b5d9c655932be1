import type { AppRouter } from '@hookflow/api';
import type { inferOutput, TRPCOptionsProxy } from '@trpc/tanstack-react-query';
import { createContext, useContext } from 'react';
import { hasRole, type Role, roleRefusal } from './roles.ts';

/** The signed-in person, as `auth.status` tells it: `{ id, email, name, role }`. */
export type SessionUser = NonNullable<
  inferOutput<TRPCOptionsProxy<AppRouter>['auth']['status']>['user']
>;

/** How someone who signed in may leave: `auth.logout` or `auth.logoutEverywhere`. */
export type SignOut = (where: 'here' | 'everywhere') => Promise<void>;

export interface Session {
  user: SessionUser;
  signOut: SignOut;
}

export const SessionContext = createContext<Session | null>(null);

/** The signed-in person and how to sign out; only pages inside the sign-in gate call this. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession() is used outside the sign-in gate');
  return session;
}

/**
 * Whether the signed-in person may do what needs `needed`, and if not, why (for a disabled
 * button's tooltip). Outside the gate (a component test without a session) everything is allowed:
 * the server decides anyway.
 */
export function usePermission(needed: Role): { allowed: boolean; reason: string | undefined } {
  const session = useContext(SessionContext);
  if (!session) return { allowed: true, reason: undefined };
  return {
    allowed: hasRole(session.user.role, needed),
    reason: roleRefusal(session.user.role, needed) ?? undefined,
  };
}
