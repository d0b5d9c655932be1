import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { formatDateTime, formatRelativeTime } from '../lib/format.ts';
import { useTRPC, useTRPCClient } from '../lib/trpc.ts';
import { useNow } from '../lib/use-now.ts';
import { CopyButton } from '../ui/copy-button.tsx';
import { FormActions, FormField } from '../ui/form.tsx';
import { ActionOutcome, ConfirmDeleteButton, ListState, ListTable } from '../ui/list.tsx';
import { Notice } from '../ui/notice.tsx';
import { EmptyState, Page } from '../ui/page.tsx';
import { ProblemMessage } from '../ui/problem-message.tsx';
import { AccountField } from './account-field.tsx';
import { newTokenProblems } from './form-rules.ts';
import { useSession } from './session.tsx';
import { expiryChoices, tokenState } from './token-rules.ts';
import { useCheckedForm } from './use-checked-form.ts';
import './account.css';

interface NewToken {
  name: string;
  token: string;
}

/**
 * `/account/tokens`: the signed-in person's API tokens, for scripts, CI and the CLI. A token acts
 * as its owner with their role. Its value is shown once, when it is created; only a hash is
 * stored, so a lost token is revoked and replaced, never recovered.
 */
export function TokensPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { user } = useSession();
  const tokens = useQuery(trpc.tokens.list.queryOptions());
  const now = useNow(30_000);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<NewToken | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const revoke = useMutation(
    trpc.tokens.revoke.mutationOptions({
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.tokens.list.queryKey() }),
    }),
  );

  return (
    <Page
      title="API tokens"
      actions={
        <button
          type="button"
          className="button button-primary"
          onClick={() => {
            setNotice(null);
            setCreated(null);
            setCreating(true);
          }}
          disabled={creating}
          data-testid="new-token"
        >
          New token
        </button>
      }
    >
      <p className="muted page-intro">
        Tokens let scripts, CI jobs and the <code>hookflow</code> command line call the API as you (
        {user.email}), with your role ({user.role}). Send one as{' '}
        <code>Authorization: Bearer &lt;token&gt;</code>. Give each use its own token, so you can
        revoke one without breaking the others.
      </p>
      {created && <CreatedToken created={created} onDone={() => setCreated(null)} />}
      <ActionOutcome
        notice={notice}
        noticeTestId="tokens-notice"
        onDismissNotice={() => setNotice(null)}
        failure={
          revoke.error
            ? { title: 'Could not revoke the token', error: revoke.error, reset: revoke.reset }
            : null
        }
      />
      {creating && (
        <section className="form-panel" data-testid="new-token-panel">
          <h2>New API token</h2>
          <NewTokenForm
            onCreated={(token) => {
              setCreating(false);
              setCreated(token);
            }}
            onCancel={() => setCreating(false)}
          />
        </section>
      )}
      <ListState
        query={tokens}
        what="API tokens"
        errorTitle="Could not load your API tokens"
        isEmpty={(data) => data.items.length === 0}
        empty={
          <EmptyState title="No API tokens" testId="tokens-empty">
            <p>
              Create one with <strong>New token</strong> for a script or a CI job.
            </p>
          </EmptyState>
        }
      >
        {(data) => (
          <ListTable
            testId="token-table"
            columns={['Name', 'Token', 'Created', 'Last used', 'Expires']}
          >
            {data.items.map((token) => {
              const state = tokenState(token, now);
              return (
                <tr key={token.id} data-testid="token-row" data-token-name={token.name}>
                  <td className="strong" data-testid="token-name">
                    {token.name}
                  </td>
                  <td>
                    <code data-testid="token-prefix">{token.prefix}…</code>
                  </td>
                  <td className="muted small">{formatDateTime(token.createdAt)}</td>
                  <td
                    className="small"
                    title={token.lastUsedAt ? formatDateTime(token.lastUsedAt) : undefined}
                  >
                    {token.lastUsedAt ? (
                      formatRelativeTime(token.lastUsedAt, now)
                    ) : (
                      <span className="muted">never</span>
                    )}
                  </td>
                  <td className="small" data-testid="token-expires">
                    {state.kind === 'expired' ? (
                      <span className="badge badge-failed" title={state.title}>
                        expired
                      </span>
                    ) : (
                      <span title={state.title} className={state.soon ? 'token-soon' : undefined}>
                        {state.text}
                      </span>
                    )}
                  </td>
                  <td className="row-actions">
                    <ConfirmDeleteButton
                      label="Revoke"
                      question={`Revoke the token "${token.name}" (${token.prefix}…)? Scripts that use it are refused from now on. This cannot be undone.`}
                      onAsk={() => setNotice(null)}
                      onConfirm={() =>
                        revoke.mutate(
                          { id: token.id },
                          { onSuccess: () => setNotice(`Revoked the token "${token.name}".`) },
                        )
                      }
                      disabled={revoke.isPending}
                      testId="revoke-token"
                      ariaLabel={`Revoke ${token.name}`}
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

function NewTokenForm({
  onCreated,
  onCancel,
}: {
  onCreated(token: NewToken): void;
  onCancel(): void;
}) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const formId = useId();
  const form = useCheckedForm({ name: '', expiry: '90' }, newTokenProblems);

  const submit = form.submit(async ({ name, expiry }) => {
    const days = expiry === 'never' ? undefined : Number(expiry);
    const result = await client.tokens.create.mutate({
      name: name.trim(),
      ...(days === undefined ? {} : { expiresInDays: days }),
    });
    await queryClient.invalidateQueries({ queryKey: trpc.tokens.list.queryKey() });
    onCreated({ name: result.name, token: result.token });
  });

  return (
    <form className="form-stack" onSubmit={submit} noValidate data-testid="new-token-form">
      {form.error !== null && (
        <ProblemMessage title="Could not create the token" error={form.error} />
      )}
      <AccountField
        {...form.field('name')}
        id={`${formId}-name`}
        testId="token-name-input"
        label="Name"
        placeholder="GitHub Actions deploy"
        autoComplete="off"
        maxLength={100}
        help="What uses it: you see this name in the list, and in the audit log."
      />
      <FormField
        id={`${formId}-expiry`}
        label="Expires"
        help="A token that expires limits the harm of one that leaks; make a new one when it does."
      >
        <select
          id={`${formId}-expiry`}
          className="select input"
          value={form.values.expiry}
          onChange={(event) => form.set('expiry', event.currentTarget.value)}
          data-testid="token-expiry"
        >
          {expiryChoices.map((choice) => (
            <option key={choice.value} value={choice.value}>
              {choice.label}
            </option>
          ))}
        </select>
      </FormField>
      <FormActions
        label="Create token"
        savingLabel="Creating…"
        saving={form.saving}
        testId="token-create"
        onCancel={onCancel}
      />
    </form>
  );
}

/** The new token's value, this once, with a copy button and how to use it. */
function CreatedToken({ created, onDone }: { created: NewToken; onDone(): void }) {
  return (
    <Notice tone="success" title={`Created the token "${created.name}"`} testId="token-created">
      <p className="strong">Copy it now: you will not see it again.</p>
      <div className="token-value">
        <code data-testid="token-value">{created.token}</code>
        <CopyButton text={created.token} label="Copy the token" testId="copy-token" />
      </div>
      <p className="small">
        Use it as <code>Authorization: Bearer {'<token>'}</code>, for example{' '}
        <code>{`curl -H "Authorization: Bearer $HOOKFLOW_TOKEN" ${window.location.origin}/trpc/workflows.list`}</code>
        . Keep it in a secret store (a CI secret, a password manager), not in code.
      </p>
      <p>
        <button
          type="button"
          className="button button-small"
          onClick={onDone}
          data-testid="token-copied"
        >
          I have copied it
        </button>
      </p>
    </Notice>
  );
}
