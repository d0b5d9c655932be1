import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { formatDateTime, formatRelativeTime } from '../lib/format.ts';
import { useTRPC, useTRPCClient } from '../lib/trpc.ts';
import { useNow } from '../lib/use-now.ts';
import { CopyButton } from '../ui/copy-button.tsx';
import { Dialog } from '../ui/dialog.tsx';
import { FormActions, FormField } from '../ui/form.tsx';
import { ActionOutcome, ConfirmDeleteButton, ListState, ListTable } from '../ui/list.tsx';
import { EmptyState, Page } from '../ui/page.tsx';
import { ProblemMessage } from '../ui/problem-message.tsx';
import { AccountField } from './account-field.tsx';
import { MIN_PASSWORD_LENGTH, newUserProblems, resetPasswordProblems } from './form-rules.ts';
import { type AssignableRole, roleDescriptions, rolesOfferedBy, withArticle } from './roles.ts';
import { usePermission, useSession } from './session.tsx';
import { useCheckedForm } from './use-checked-form.ts';
import './account.css';

interface UserRow {
  id: string;
  email: string;
  name: string;
  role: string;
  createdAt: number;
  lastSeenAt: number | null;
}

/**
 * `/users` (admins and the owner): who may sign in, with which role. Adding someone gives them an
 * initial password to pass on; a role change applies to their next request; resetting a password
 * (someone forgot theirs) ends their sessions; deleting someone ends their sessions and API tokens. The server refuses what may not be done (the owner's role,
 * your own account) and says why; the page shows it.
 */
export function UsersPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { user: me } = useSession();
  const admin = usePermission('admin');
  // Admins manage editors and viewers; admins are the owner's to manage.
  const offered = rolesOfferedBy(me.role);
  const users = useQuery(trpc.users.list.queryOptions());
  const now = useNow(30_000);
  const [adding, setAdding] = useState(false);
  const [resetting, setResetting] = useState<UserRow | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() });
  const setRole = useMutation(trpc.users.setRole.mutationOptions({ onSettled: refresh }));
  const remove = useMutation(trpc.users.delete.mutationOptions({ onSettled: refresh }));
  const failure = setRole.error
    ? { title: 'Could not change the role', error: setRole.error, reset: setRole.reset }
    : remove.error
      ? { title: 'Could not delete the user', error: remove.error, reset: remove.reset }
      : null;

  const changeRole = (user: UserRow, role: string) => {
    setNotice(null);
    remove.reset();
    const chosen = offered.find((option) => option === role);
    if (!chosen) return;
    setRole.mutate(
      { id: user.id, role: chosen },
      { onSuccess: () => setNotice(`${label(user)} is now ${withArticle(role)}.`) },
    );
  };

  return (
    <Page
      title="Users"
      actions={
        <button
          type="button"
          className="button button-primary"
          onClick={() => {
            setNotice(null);
            setAdding(true);
          }}
          disabled={!admin.allowed || adding}
          title={admin.reason}
          data-testid="add-user"
        >
          Add user
        </button>
      }
    >
      <p className="muted page-intro">
        The people who may sign in. <strong>Admins</strong> manage users and credentials,{' '}
        <strong>editors</strong> build, publish and replay workflows, <strong>viewers</strong> read
        workflows and history. There is one <strong>owner</strong>, who may do everything.
      </p>
      <ActionOutcome
        notice={notice}
        noticeTestId="users-notice"
        onDismissNotice={() => setNotice(null)}
        failure={failure}
      />
      {adding && (
        <section className="form-panel" data-testid="add-user-panel">
          <h2>Add a user</h2>
          <AddUserForm
            roles={offered}
            onAdded={(added) => {
              setAdding(false);
              setNotice(
                `Added ${added.email} as ${withArticle(added.role)}. Pass the initial password on privately; they can change it after signing in.`,
              );
            }}
            onCancel={() => setAdding(false)}
          />
        </section>
      )}
      {resetting && (
        <ResetPasswordDialog
          user={resetting}
          onDone={(sessionsEnded) => {
            setResetting(null);
            setNotice(
              `Set a new password for ${label(resetting)}. ${signedOut(sessionsEnded)} Pass the new password on privately.`,
            );
          }}
          onClose={() => setResetting(null)}
        />
      )}
      <ListState
        query={users}
        what="users"
        errorTitle="Could not load the users"
        isEmpty={(data) => data.items.length === 0}
        empty={
          <EmptyState title="No users" testId="users-empty">
            <p>Add the people who use this Hookflow with Add user.</p>
          </EmptyState>
        }
      >
        {(data) => (
          <ListTable testId="user-table" columns={['User', 'Role', 'Added', 'Last seen']}>
            {data.items.map((user) => {
              const self = user.id === me.id;
              const owner = user.role === 'owner';
              const ownersOnly = user.role === 'admin' && me.role !== 'owner';
              const locked = self
                ? 'You cannot change your own role or delete yourself.'
                : owner
                  ? 'The owner cannot be changed or deleted.'
                  : ownersOnly
                    ? 'Only the owner can change or delete an admin.'
                    : admin.reason;
              const resetLocked = self
                ? 'Change your own password with Change password in your account menu: it asks for the current one.'
                : owner
                  ? 'Only the owner can reset the owner’s password.'
                  : ownersOnly
                    ? 'Only the owner can reset an admin’s password.'
                    : admin.reason;
              return (
                <tr key={user.id} data-testid="user-row" data-email={user.email}>
                  <td>
                    <div className="user-cell">
                      <span className="strong" data-testid="user-name">
                        {user.name.trim() || user.email}
                        {self && <span className="you-tag">you</span>}
                      </span>
                      {user.name.trim() && <span className="muted small">{user.email}</span>}
                    </div>
                  </td>
                  <td>
                    {locked ? (
                      <span className="role-tag" title={locked} data-testid="user-role">
                        {user.role}
                      </span>
                    ) : (
                      <select
                        className="select select-small"
                        value={user.role}
                        aria-label={`Role of ${label(user)}`}
                        disabled={setRole.isPending}
                        onChange={(event) => changeRole(user, event.currentTarget.value)}
                        data-testid="user-role-select"
                      >
                        {offered.map((role) => (
                          <option key={role} value={role} title={roleDescriptions[role]}>
                            {role}
                          </option>
                        ))}
                      </select>
                    )}
                  </td>
                  <td className="muted small" title={formatDateTime(user.createdAt)}>
                    {formatDateTime(user.createdAt)}
                  </td>
                  <td
                    className="small"
                    title={user.lastSeenAt ? formatDateTime(user.lastSeenAt) : undefined}
                    data-testid="user-last-seen"
                  >
                    {user.lastSeenAt ? (
                      formatRelativeTime(user.lastSeenAt, now)
                    ) : (
                      <span className="muted">never</span>
                    )}
                  </td>
                  <td className="row-actions">
                    <button
                      type="button"
                      className="button button-small"
                      onClick={() => {
                        setNotice(null);
                        setResetting(user);
                      }}
                      disabled={resetLocked !== undefined}
                      title={resetLocked}
                      data-testid="reset-password"
                      aria-label={`Reset the password of ${label(user)}`}
                    >
                      Reset password
                    </button>{' '}
                    <ConfirmDeleteButton
                      question={`Delete ${label(user)}? They are signed out at once, their API tokens stop working, and they can no longer sign in. This cannot be undone.`}
                      onAsk={() => {
                        setNotice(null);
                        setRole.reset();
                      }}
                      onConfirm={() =>
                        remove.mutate(
                          { id: user.id },
                          { onSuccess: () => setNotice(`Deleted ${label(user)}.`) },
                        )
                      }
                      disabled={remove.isPending || locked !== undefined}
                      title={locked}
                      testId="delete-user"
                      ariaLabel={`Delete ${label(user)}`}
                    />
                  </td>
                </tr>
              );
            })}
          </ListTable>
        )}
      </ListState>
    </Page>
  );
}

function AddUserForm({
  roles,
  onAdded,
  onCancel,
}: {
  roles: readonly AssignableRole[];
  onAdded(user: { email: string; role: string }): void;
  onCancel(): void;
}) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const formId = useId();
  const form = useCheckedForm({ email: '', name: '', password: '' }, newUserProblems);
  const [role, setRole] = useState<AssignableRole>('editor');

  const submit = form.submit(async ({ email, name, password }) => {
    await client.users.create.mutate({
      email: email.trim(),
      role,
      password,
      ...(name.trim() ? { name: name.trim() } : {}),
    });
    await queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() });
    onAdded({ email: email.trim(), role });
  });

  return (
    <form className="form-stack" onSubmit={submit} noValidate data-testid="add-user-form">
      {form.error !== null && <ProblemMessage title="Could not add the user" error={form.error} />}
      <div className="account-form-row">
        <AccountField
          {...form.field('email')}
          id={`${formId}-email`}
          testId="new-user-email"
          label="Email"
          type="email"
          autoComplete="off"
        />
        <AccountField
          {...form.field('name')}
          id={`${formId}-name`}
          testId="new-user-name"
          label={
            <>
              Name <span className="muted small">optional</span>
            </>
          }
          autoComplete="off"
          maxLength={200}
        />
      </div>
      <FormField id={`${formId}-role`} label="Role" help={`May: ${roleDescriptions[role]}.`}>
        <select
          id={`${formId}-role`}
          className="select input"
          value={role}
          onChange={(event) => {
            const next = event.currentTarget.value;
            const chosen = roles.find((option) => option === next);
            if (chosen) setRole(chosen);
          }}
          data-testid="new-user-role"
        >
          {roles.map((option) => (
            <option key={option} value={option}>
              {option}
            </option>
          ))}
        </select>
      </FormField>
      <div className="account-password-row">
        <AccountField
          {...form.field('password')}
          id={`${formId}-password`}
          testId="new-user-password"
          label="Initial password"
          type="text"
          autoComplete="off"
          spellCheck={false}
          className="input input-mono"
          help={`At least ${MIN_PASSWORD_LENGTH} characters. Pass it on privately; they can change it after signing in.`}
        />
        <div className="account-password-actions">
          <button
            type="button"
            className="button button-small"
            onClick={() => form.set('password', randomPassword())}
            data-testid="generate-password"
          >
            Generate
          </button>
          {form.values.password && (
            <CopyButton text={form.values.password} label="Copy the initial password" />
          )}
        </div>
      </div>
      <FormActions
        label="Add user"
        savingLabel="Adding…"
        saving={form.saving}
        testId="new-user-save"
        onCancel={onCancel}
      />
    </form>
  );
}

/**
 * A new password for someone who forgot theirs, typed twice. The server ends their sessions, so
 * whoever held the old password is signed out; their API tokens stay.
 */
function ResetPasswordDialog({
  user,
  onDone,
  onClose,
}: {
  user: UserRow;
  onDone(sessionsEnded: number): void;
  onClose(): void;
}) {
  const client = useTRPCClient();
  const formId = useId();
  const form = useCheckedForm({ password: '', confirm: '' }, resetPasswordProblems);

  const submit = form.submit(async ({ password }) => {
    const { sessionsEnded } = await client.users.setPassword.mutate({ id: user.id, password });
    onDone(sessionsEnded);
  });

  return (
    <Dialog
      title={`Reset the password of ${label(user)}`}
      onClose={onClose}
      className="reset-password-dialog"
      testId="reset-password-dialog"
    >
      <form className="form-stack" onSubmit={submit} noValidate>
        <p className="muted">
          For someone who forgot theirs. They are signed out everywhere at once; their API tokens
          keep working.
        </p>
        {form.error !== null && (
          <ProblemMessage title="Could not reset the password" error={form.error} />
        )}
        {/* Lets a password manager know whose password this is. */}
        <input type="email" hidden autoComplete="username" value={user.email} readOnly />
        <AccountField
          {...form.field('password')}
          id={`${formId}-password`}
          testId="reset-password-new"
          label="New password"
          type="password"
          autoComplete="new-password"
          help={`At least ${MIN_PASSWORD_LENGTH} characters. Pass it on privately; they can change it after signing in.`}
        />
        <AccountField
          {...form.field('confirm')}
          id={`${formId}-confirm`}
          testId="reset-password-confirm"
          label="New password again"
          type="password"
          autoComplete="new-password"
        />
        <FormActions
          label="Reset password"
          savingLabel="Resetting…"
          saving={form.saving}
          testId="reset-password-save"
          onCancel={onClose}
          inDialog
        />
      </form>
    </Dialog>
  );
}

function signedOut(sessionsEnded: number): string {
  if (sessionsEnded === 0) return 'They had no session to end.';
  return sessionsEnded === 1
    ? 'Their one session has ended.'
    : `Their ${sessionsEnded} sessions have ended.`;
}

function label(user: { name: string; email: string }): string {
  return user.name.trim() ? `${user.name.trim()} (${user.email})` : user.email;
}

/** 20 characters from an alphabet without look-alikes (no 0/O, 1/l/I), from the browser's CSPRNG. */
function randomPassword(): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = crypto.getRandomValues(new Uint8Array(20));
  // 256 is not a multiple of the alphabet's length; the bias this leaves is negligible here.
  return Array.from(bytes, (byte) => alphabet[byte % alphabet.length]).join('');
}
