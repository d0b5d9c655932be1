import { type FormEvent, useId, useRef, useState } from 'react';
import { describeProblem } from '../lib/api-error.ts';
import { isApiError, useTRPCClient } from '../lib/trpc.ts';
import { Notice } from '../ui/notice.tsx';
import { AccountField } from './account-field.tsx';
import { AuthFrame } from './auth-frame.tsx';
import { emailProblem, type FieldProblems, sentence } from './form-rules.ts';
import type { SessionUser } from './session.tsx';

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
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [signingIn, setSigningIn] = useState(false);
  const [refusal, setRefusal] = useState<unknown>(null);
  const passwordInput = useRef<HTMLInputElement>(null);

  const problems: FieldProblems<'email' | 'password'> = submitted
    ? {
        ...(email.trim() === '' ? { email: 'Enter your email address.' } : {}),
        ...(email.trim() !== '' && emailProblem(email) ? { email: emailProblem(email) } : {}),
        ...(password === '' ? { password: 'Enter your password.' } : {}),
      }
    : {};

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    setRefusal(null);
    if (email.trim() === '' || emailProblem(email) || password === '') return;
    setSigningIn(true);
    try {
      const { user } = await client.auth.login.mutate({ email: email.trim(), password });
      onSignedIn(user);
    } catch (error) {
      setRefusal(error);
      // The password is asked again; the email stays.
      setPassword('');
      setSubmitted(false);
      passwordInput.current?.focus();
    } finally {
      setSigningIn(false);
    }
  };

  return (
    <AuthFrame title="Sign in" testId="login-page">
      {farewell && refusal === null && <FarewellNotice farewell={farewell} />}
      {refusal !== null && <LoginRefusal error={refusal} />}
      <form className="auth-form" onSubmit={(event) => void submit(event)} noValidate>
        <AccountField
          id={`${formId}-email`}
          testId="login-email"
          label="Email"
          type="email"
          autoComplete="username"
          autoFocus
          value={email}
          problem={problems.email}
          onChange={(event) => setEmail(event.currentTarget.value)}
        />
        <AccountField
          id={`${formId}-password`}
          testId="login-password"
          inputRef={passwordInput}
          label="Password"
          type="password"
          autoComplete="current-password"
          value={password}
          problem={problems.password}
          onChange={(event) => setPassword(event.currentTarget.value)}
        />
        <button
          type="submit"
          className="button button-primary auth-submit"
          disabled={signingIn}
          data-testid="login-submit"
        >
          {signingIn ? 'Signing in…' : 'Sign in'}
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
