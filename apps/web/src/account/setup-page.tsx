import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { isApiError, useTRPC, useTRPCClient } from '../lib/trpc.ts';
import { ProblemMessage } from '../ui/problem-message.tsx';
import { AccountField } from './account-field.tsx';
import { AuthFrame } from './auth-frame.tsx';
import { hasProblems, MIN_PASSWORD_LENGTH, setupProblems } from './form-rules.ts';
import type { SessionUser } from './session.tsx';

/**
 * `/setup`, shown only while the database has no users: creates the owner, who may do
 * everything and adds the other people, and signs them in.
 */
export function SetupPage({ onSignedIn }: { onSignedIn(user: SessionUser): void }) {
  const client = useTRPCClient();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formId = useId();
  const [form, setForm] = useState({ email: '', name: '', password: '', confirm: '' });
  const [submitted, setSubmitted] = useState(false);
  const [saving, setSaving] = useState(false);
  const [refusal, setRefusal] = useState<unknown>(null);
  // Shown once the person has tried to submit, then kept current as they type.
  const problems = submitted ? setupProblems(form) : {};
  const edit = (field: keyof typeof form) => (event: { currentTarget: { value: string } }) => {
    const value = event.currentTarget.value;
    setForm((current) => ({ ...current, [field]: value }));
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    setRefusal(null);
    if (hasProblems(setupProblems(form))) return;
    setSaving(true);
    try {
      const name = form.name.trim();
      const { user } = await client.auth.setup.mutate({
        email: form.email.trim(),
        password: form.password,
        ...(name ? { name } : {}),
      });
      onSignedIn(user);
    } catch (error) {
      setRefusal(error);
      // Someone else finished setup first: the login page is what is left.
      if (isApiError(error) && error.data?.code === 'CONFLICT') {
        void queryClient.invalidateQueries({ queryKey: trpc.auth.status.queryKey() });
      }
    } finally {
      setSaving(false);
    }
  };

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
      {refusal !== null && <ProblemMessage title="Could not create the owner" error={refusal} />}
      <form className="auth-form" onSubmit={(event) => void submit(event)} noValidate>
        <AccountField
          id={`${formId}-email`}
          testId="setup-email"
          label="Email"
          type="email"
          autoComplete="username"
          autoFocus
          value={form.email}
          problem={problems.email}
          help="You sign in with it."
          onChange={edit('email')}
        />
        <AccountField
          id={`${formId}-name`}
          testId="setup-name"
          label={
            <>
              Name <span className="muted small">optional</span>
            </>
          }
          autoComplete="name"
          maxLength={200}
          value={form.name}
          onChange={edit('name')}
        />
        <AccountField
          id={`${formId}-password`}
          testId="setup-password"
          label="Password"
          type="password"
          autoComplete="new-password"
          value={form.password}
          problem={problems.password}
          help={`At least ${MIN_PASSWORD_LENGTH} characters; a few unrelated words make a strong one.`}
          onChange={edit('password')}
        />
        <AccountField
          id={`${formId}-confirm`}
          testId="setup-confirm"
          label="Password again"
          type="password"
          autoComplete="new-password"
          value={form.confirm}
          problem={problems.confirm}
          onChange={edit('confirm')}
        />
        <button
          type="submit"
          className="button button-primary auth-submit"
          disabled={saving}
          data-testid="setup-submit"
        >
          {saving ? 'Creating…' : 'Create the owner and sign in'}
        </button>
      </form>
    </AuthFrame>
  );
}
