import { useId, useRef } from 'react';
import { describeProblem } from '../lib/api-error.ts';
import { isApiError, useTRPCClient } from '../lib/trpc.ts';
import { Notice } from '../ui/notice.tsx';
import { AccountField } from './account-field.tsx';
import { AuthFrame } from './auth-frame.tsx';
import { loginProblems, sentence } from './form-rules.ts';
import type { SessionUser } from './session.tsx';
import { useCheckedForm } from './use-checked-form.ts';

/** Why the login page is shown to someone who was signed in a moment ago. */
export type Farewell =
  | { kind: 'signed-out' }
  | { kind: 'signed-out-everywhere'; sessionsEnded: number }
  | { kind: 'expired' };

/**
 * `/login`: email and password. A wrong pair and too many attempts are the server's to say
 * (`the email or password is wrong`, `try again in N minutes`), and are shown as it says them.
 */
export function LoginPage({
  farewell,
  onSignedIn,
}: {
  farewell: Farewell | null;
  onSignedIn(user: SessionUser): void;
}) {
  const client = useTRPCClient();
  const formId = useId();
  const passwordInput = useRef<HTMLInputElement>(null);
  const form = useCheckedForm({ email: '', password: '' }, loginProblems, {
    onError: (_error, values) => {
      // The password is asked again; the email stays.
      form.reset({ ...values, password: '' });
      passwordInput.current?.focus();
    },
  });
  const refusal = form.error;

  const submit = form.submit(async ({ email, password }) => {
    const { user } = await client.auth.login.mutate({ email: email.trim(), password });
    onSignedIn(user);
  });

  return (
    <AuthFrame title="Sign in" testId="login-page">
      {farewell && refusal === null && <FarewellNotice farewell={farewell} />}
      {refusal !== null && <LoginRefusal error={refusal} />}
      <form className="auth-form" onSubmit={submit} noValidate>
        <AccountField
          {...form.field('email')}
          id={`${formId}-email`}
          testId="login-email"
          label="Email"
          type="email"
          autoComplete="username"
          autoFocus
        />
        <AccountField
          {...form.field('password')}
          id={`${formId}-password`}
          testId="login-password"
          inputRef={passwordInput}
          label="Password"
          type="password"
          autoComplete="current-password"
        />
        <button
          type="submit"
          className="button button-primary auth-submit"
          disabled={form.saving}
          data-testid="login-submit"
        >
          {form.saving ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p className="muted small auth-footnote">
        Forgot your password? Ask an admin of this Hookflow.
      </p>
    </AuthFrame>
  );
}

function LoginRefusal({ error }: { error: unknown }) {
  const code = isApiError(error) ? error.data?.code : undefined;
  const title = code === 'TOO_MANY_REQUESTS' ? 'Too many attempts' : 'Could not sign in';
  return (
    <Notice tone="error" title={title} testId="login-error">
      <p>{sentence(describeProblem(error).message)}</p>
    </Notice>
  );
}

function FarewellNotice({ farewell }: { farewell: Farewell }) {
  switch (farewell.kind) {
    case 'signed-out':
      return <Notice tone="success" title="You are signed out." testId="login-farewell" />;
    case 'signed-out-everywhere':
      return (
        <Notice tone="success" title="You are signed out everywhere." testId="login-farewell">
          <p>
            {farewell.sessionsEnded === 1
              ? 'One session ended.'
              : `${farewell.sessionsEnded} sessions ended.`}{' '}
            API tokens are not sessions: they work until they are revoked or expire.
          </p>
        </Notice>
      );
    case 'expired':
      return (
        <Notice tone="warning" title="Your session has ended." testId="login-farewell">
          <p>Sign in again to go on where you were.</p>
        </Notice>
      );
  }
}
