/**
 * Roles, from most to least trusted: the owner and admins manage users, credentials and
 * settings; editors change workflows and replay runs; viewers read workflows and history. The
 * server decides every request; the app uses these only to hide or disable what it would refuse.
 */
export const roles = ['owner', 'admin', 'editor', 'viewer'] as const;
export type Role = (typeof roles)[number];

/** The roles an admin can give: there is one owner, made at setup. */
export const assignableRoles = ['admin', 'editor', 'viewer'] as const satisfies readonly Role[];
export type AssignableRole = (typeof assignableRoles)[number];

/** The roles someone with `role` may give and take: the owner any but owner, admins editor and viewer. */
export function rolesOfferedBy(role: string): readonly AssignableRole[] {
  if (role === 'owner') return assignableRoles;
  return role === 'admin' ? assignableRoles.filter((option) => option !== 'admin') : [];
}

export const roleDescriptions: Record<Role, string> = {
  owner: 'everything, including admins; made at setup',
  admin: 'users, credentials and settings, and everything an editor does',
  editor: 'create, change, publish and delete workflows; replay runs',
  viewer: 'read workflows, runs and requests; change nothing',
};

const rank: Record<Role, number> = { viewer: 0, editor: 1, admin: 2, owner: 3 };

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value);
}

/** Whether someone with `role` may do what needs `needed` (an unknown role may do nothing). */
export function hasRole(role: string, needed: Role): boolean {
  return isRole(role) && rank[role] >= rank[needed];
}

/**
 * Why someone with `role` may not do what needs `needed`, in the server's words, for a disabled
 * button's tooltip; null when they may.
 */
export function roleRefusal(role: string, needed: Role): string | null {
  if (hasRole(role, needed)) return null;
  return `This needs the ${needed} role; you are ${withArticle(role)}.`;
}

/** `an editor`, `a viewer`. */
export function withArticle(role: string): string {
  return `${/^[aeiou]/i.test(role) ? 'an' : 'a'} ${role}`;
}
