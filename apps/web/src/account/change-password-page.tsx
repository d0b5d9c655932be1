import { useId, useState } from 'react';
import { useTRPCClient } from '../lib/trpc.ts';
import { FormActions } from '../ui/form.tsx';
import { Notice } from '../ui/notice.tsx';
import { Page } from '../ui/page.tsx';
import { ProblemMessage } from '../ui/problem-message.tsx';
import { AccountField } from './account-field.tsx';
import { changePasswordProblems, MIN_PASSWORD_LENGTH } from './form-rules.ts';
import { useSession } from './session.tsx';
import { useCheckedForm } from './use-checked-form.ts';
import './account.css';

/** `/account/password`: the current password, and the new one twice. */
export function ChangePasswordPage() {
  const client = useTRPCClient();
  const { user } = useSession();
  const formId = useId();
  const form = useCheckedForm({ current: '', next: '', confirm: '' }, changePasswordProblems);
  const [changed, setChanged] = useState(false);

  const submit = form.submit(async ({ current, next }) => {
    await client.auth.changePassword.mutate({ current, next });
    setChanged(true);
    form.reset();
  });

  return (
    <Page title="Change password">
      <p className="muted page-intro">
        For {user.email}. Your API tokens are not affected; revoke those separately if one has
        leaked.
      </p>
      {changed && (
        <Notice
          tone="success"
          title="Your password is changed."
          testId="password-changed"
          onDismiss={() => setChanged(false)}
        >
          <p>
            You stay signed in here; your other sessions (other browsers) have ended, so sign in
            there again with the new password.
          </p>
        </Notice>
      )}
      {form.error !== null && (
        <ProblemMessage
          title="Could not change the password"
          error={form.error}
          onDismiss={form.dismissError}
        />
      )}
      <section className="form-panel">
        <form
          className="form-stack"
          onSubmit={(event) => {
            setChanged(false);
            submit(event);
          }}
          noValidate
          data-testid="change-password-form"
        >
          {/* Lets a password manager know whose password this is. */}
          <input type="email" hidden autoComplete="username" value={user.email} readOnly />
          <AccountField
            {...form.field('current')}
            id={`${formId}-current`}
            testId="password-current"
            label="Current password"
            type="password"
            autoComplete="current-password"
          />
          <AccountField
            {...form.field('next')}
            id={`${formId}-next`}
            testId="password-next"
            label="New password"
            type="password"
            autoComplete="new-password"
            help={`At least ${MIN_PASSWORD_LENGTH} characters.`}
          />
          <AccountField
            {...form.field('confirm')}
            id={`${formId}-confirm`}
            testId="password-confirm"
            label="New password again"
            type="password"
            autoComplete="new-password"
          />
          <FormActions
            label="Change password"
            savingLabel="Changing…"
            saving={form.saving}
            testId="password-save"
          />
        </form>
      </section>
    </Page>
  );
}
