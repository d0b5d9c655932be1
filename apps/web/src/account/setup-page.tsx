import { useQueryClient } from '@tanstack/react-query';
import { useId } from 'react';
import { isApiError, useTRPC, useTRPCClient } from '../lib/trpc.ts';
import { ProblemMessage } from '../ui/problem-message.tsx';
import { AccountField } from './account-field.tsx';
import { AuthFrame } from './auth-frame.tsx';
import { MIN_PASSWORD_LENGTH, setupProblems } from './form-rules.ts';
import type { SessionUser } from './session.tsx';
import { useCheckedForm } from './use-checked-form.ts';

/**
 * `/setup`, shown only while the database has no users: creates the owner, who may do
 * everything and adds the other people, and signs them in.
 */
export function SetupPage({ onSignedIn }: { onSignedIn(user: SessionUser): void }) {
  const client = useTRPCClient();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formId = useId();
  // Problems show once the person has tried to submit, then stay current as they type.
  const form = useCheckedForm({ email: '', name: '', password: '', confirm: '' }, setupProblems, {
    onError: (error) => {
      // Someone else finished setup first: the login page is what is left.
      if (isApiError(error) && error.data?.code === 'CONFLICT') {
        void queryClient.invalidateQueries({ queryKey: trpc.auth.status.queryKey() });
      }
    },
  });

  const submit = form.submit(async ({ email, name, password }) => {
    const { user } = await client.auth.setup.mutate({
      email: email.trim(),
      password,
      ...(name.trim() ? { name: name.trim() } : {}),
    });
    onSignedIn(user);
  });

  return (
    <AuthFrame
      title="Set up Hookflow"
      testId="setup-page"
      intro={
        <p>
          Create the <strong>owner</strong> account. The owner may do everything, and adds the other
          people who use this Hookflow (as admins, editors or viewers) on the Users page.
        </p>
      }
    >
      {form.error !== null && (
        <ProblemMessage title="Could not create the owner" error={form.error} />
      )}
      <form className="auth-form" onSubmit={submit} noValidate>
        <AccountField
          {...form.field('email')}
          id={`${formId}-email`}
          testId="setup-email"
          label="Email"
          type="email"
          autoComplete="username"
          autoFocus
          help="You sign in with it."
        />
        <AccountField
          {...form.field('name')}
          id={`${formId}-name`}
          testId="setup-name"
          label={
            <>
              Name <span className="muted small">optional</span>
            </>
          }
          autoComplete="name"
          maxLength={200}
        />
        <AccountField
          {...form.field('password')}
          id={`${formId}-password`}
          testId="setup-password"
          label="Password"
          type="password"
          autoComplete="new-password"
          help={`At least ${MIN_PASSWORD_LENGTH} characters; a few unrelated words make a strong one.`}
        />
        <AccountField
          {...form.field('confirm')}
          id={`${formId}-confirm`}
          testId="setup-confirm"
          label="Password again"
          type="password"
          autoComplete="new-password"
        />
        <button
          type="submit"
          className="button button-primary auth-submit"
          disabled={form.saving}
          data-testid="setup-submit"
        >
          {form.saving ? 'Creating…' : 'Create the owner and sign in'}
        </button>
      </form>
    </AuthFrame>
  );
}
