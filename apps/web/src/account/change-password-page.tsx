import { type FormEvent, useId, useState } from 'react';
import { useTRPCClient } from '../lib/trpc.ts';
import { Notice } from '../ui/notice.tsx';
import { Page } from '../ui/page.tsx';
import { ProblemMessage } from '../ui/problem-message.tsx';
import { AccountField } from './account-field.tsx';
import { changePasswordProblems, hasProblems, MIN_PASSWORD_LENGTH } from './form-rules.ts';
import { useSession } from './session.tsx';
import './account.css';

/** `/account/password`: the current password, and the new one twice. */
export function ChangePasswordPage() {
  const client = useTRPCClient();
  const { user } = useSession();
  const formId = useId();
  const empty = { current: '', next: '', confirm: '' };
  const [form, setForm] = useState(empty);
  const [submitted, setSubmitted] = useState(false);
  const [saving, setSaving] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: true } | { ok: false; error: unknown } | null>(null);
  const problems = submitted ? changePasswordProblems(form) : {};
  const edit = (field: keyof typeof form) => (event: { currentTarget: { value: string } }) => {
    const value = event.currentTarget.value;
    setForm((current) => ({ ...current, [field]: value }));
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    setOutcome(null);
    if (hasProblems(changePasswordProblems(form))) return;
    setSaving(true);
    try {
      await client.auth.changePassword.mutate({ current: form.current, next: form.next });
      setOutcome({ ok: true });
      setForm(empty);
      setSubmitted(false);
    } catch (error) {
      setOutcome({ ok: false, error });
    } finally {
      setSaving(false);
    }
  };

  return (
    <Page title="Change password">
      <p className="muted page-intro">
        For {user.email}. Your API tokens are not affected; revoke those separately if one has
        leaked.
      </p>
      {outcome?.ok === true && (
        <Notice
          tone="success"
          title="Your password is changed."
          testId="password-changed"
          onDismiss={() => setOutcome(null)}
        >
          <p>
            You stay signed in here; your other sessions (other browsers) have ended, so sign in
            there again with the new password.
          </p>
        </Notice>
      )}
      {outcome?.ok === false && (
        <ProblemMessage
          title="Could not change the password"
          error={outcome.error}
          onDismiss={() => setOutcome(null)}
        />
      )}
      <section className="account-panel">
        <form
          className="account-form"
          onSubmit={(event) => void submit(event)}
          noValidate
          data-testid="change-password-form"
        >
          {/* Lets a password manager know whose password this is. */}
          <input type="email" hidden autoComplete="username" value={user.email} readOnly />
          <AccountField
            id={`${formId}-current`}
            testId="password-current"
            label="Current password"
            type="password"
            autoComplete="current-password"
            value={form.current}
            problem={problems.current}
            onChange={edit('current')}
          />
          <AccountField
            id={`${formId}-next`}
            testId="password-next"
            label="New password"
            type="password"
            autoComplete="new-password"
            value={form.next}
            problem={problems.next}
            help={`At least ${MIN_PASSWORD_LENGTH} characters.`}
            onChange={edit('next')}
          />
          <AccountField
            id={`${formId}-confirm`}
            testId="password-confirm"
            label="New password again"
            type="password"
            autoComplete="new-password"
            value={form.confirm}
            problem={problems.confirm}
            onChange={edit('confirm')}
          />
          <div className="account-form-actions">
            <button
              type="submit"
              className="button button-primary"
              disabled={saving}
              data-testid="password-save"
            >
              {saving ? 'Changing…' : 'Change password'}
            </button>
          </div>
        </form>
      </section>
    </Page>
  );
}
