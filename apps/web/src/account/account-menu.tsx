import { useEffect, useId, useRef, useState } from 'react';
import { describeProblem } from '../lib/api-error.ts';
import { paths } from '../lib/paths.ts';
import { Link, useLocation } from '../lib/router.tsx';
import { useSession } from './session.tsx';
import './account.css';

/**
 * The signed-in person at the right of the top bar: who they are and their role, and a menu with
 * their API tokens, password and the two ways to sign out.
 */
export function AccountMenu() {
  const { user, signOut } = useSession();
  const menuId = useId();
  const [open, setOpen] = useState(false);
  const [leaving, setLeaving] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const root = useRef<HTMLDivElement>(null);
  const { pathname } = useLocation();

  // Closes on navigation, a click elsewhere and Escape.
  useEffect(() => setOpen(false), [pathname]);
  useEffect(() => {
    if (!open) return;
    const onPointer = (event: PointerEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpen(false);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') setOpen(false);
    };
    document.addEventListener('pointerdown', onPointer);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onPointer);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  const leave = async (where: 'here' | 'everywhere') => {
    if (
      where === 'everywhere' &&
      !window.confirm(
        'Sign out in every browser where you are signed in, this one included? Your API tokens keep working.',
      )
    ) {
      return;
    }
    setLeaving(true);
    setFailure(null);
    try {
      await signOut(where);
    } catch (error) {
      setFailure(`Could not sign out: ${describeProblem(error).message}`);
      setLeaving(false);
    }
  };

  const displayName = user.name.trim() || user.email;
  return (
    <div className="account-menu" ref={root}>
      <button
        type="button"
        className="account-button"
        aria-expanded={open}
        aria-controls={menuId}
        onClick={() => setOpen(!open)}
        data-testid="account-menu-button"
        title={`Signed in as ${user.email} (${user.role})`}
      >
        <span className="account-avatar" aria-hidden="true">
          {initials(displayName)}
        </span>
        <span className="account-who">
          <span className="account-name" data-testid="account-name">
            {displayName}
          </span>
          <span className="account-role" data-testid="account-role">
            {user.role}
          </span>
        </span>
        <span aria-hidden="true" className="account-caret">
          ▾
        </span>
      </button>
      {open && (
        <div className="account-popover" id={menuId} data-testid="account-menu">
          <div className="account-popover-head">
            {user.name.trim() && <span className="strong">{user.name}</span>}
            <span className="muted">{user.email}</span>
            <span className="muted small">
              Role: <span className="role-tag">{user.role}</span>
            </span>
          </div>
          <Link to={paths.tokens()} className="account-item" data-testid="menu-tokens">
            API tokens
          </Link>
          <Link to={paths.changePassword()} className="account-item" data-testid="menu-password">
            Change password
          </Link>
          <hr className="account-separator" />
          <button
            type="button"
            className="account-item"
            disabled={leaving}
            onClick={() => void leave('here')}
            data-testid="sign-out"
          >
            Sign out
          </button>
          <button
            type="button"
            className="account-item"
            disabled={leaving}
            onClick={() => void leave('everywhere')}
            data-testid="sign-out-everywhere"
            title="End every session of yours, in every browser"
          >
            Sign out everywhere
          </button>
          {failure && (
            <p className="error-text account-failure" role="alert">
              {failure}
            </p>
          )}
        </div>
      )}
    </div>
  );
}

/** `Ada Lovelace` -> `AL`, `ops@example.com` -> `O`. */
function initials(name: string): string {
  const words = name.split(/[\s@._-]+/).filter(Boolean);
  if (name.includes('@')) return (words[0]?.[0] ?? '?').toUpperCase();
  return (
    words
      .slice(0, 2)
      .map((word) => word[0]!.toUpperCase())
      .join('') || '?'
  );
}
