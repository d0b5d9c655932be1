import { credentialTypeOf } from '@hookflow/engine';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { usePermission } from '../account/session.tsx';
import { formatDateTime } from '../lib/format.ts';
import { paths } from '../lib/paths.ts';
import { Link } from '../lib/router.tsx';
import { type CredentialSummary, useTRPC } from '../lib/trpc.ts';
import { ActionOutcome, ConfirmDeleteButton, ListState, ListTable } from '../ui/list.tsx';
import { EmptyState, Page } from '../ui/page.tsx';
import { CredentialForm } from './credential-form.tsx';
import './credentials.css';

/**
 * `/credentials`: the secrets workflows use (HTTP request auth, trigger verification), stored
 * encrypted. Values are write-only: the list shows names, types, the fields that are not secret
 * and which workflows use each; deleting one that is in use is refused with their names.
 */
export function CredentialsPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const credentials = useQuery(trpc.credentials.list.queryOptions());
  // null: no form; 'new': the create form; a credential: its edit form.
  const [editing, setEditing] = useState<CredentialSummary | 'new' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // Everyone sees which credentials exist; only admins create, change or delete them.
  const admin = usePermission('admin');
  const remove = useMutation(
    trpc.credentials.delete.mutationOptions({
      onSuccess: () =>
        queryClient.invalidateQueries({ queryKey: trpc.credentials.list.queryKey() }),
    }),
  );

  return (
    <Page
      title="Credentials"
      actions={
        <button
          type="button"
          className="button button-primary"
          onClick={() => {
            setNotice(null);
            setEditing('new');
          }}
          disabled={!admin.allowed}
          title={admin.reason}
          data-testid="new-credential"
        >
          New credential
        </button>
      }
    >
      <p className="muted credentials-intro">
        Secrets for HTTP requests and for checking who sends webhooks, encrypted at rest. A saved
        value is never shown again; workflows and their exports hold only a reference to it.
      </p>
      <ActionOutcome
        notice={notice}
        noticeTestId="credential-notice"
        onDismissNotice={() => setNotice(null)}
        failure={
          remove.error
            ? { title: 'Could not delete the credential', error: remove.error, reset: remove.reset }
            : null
        }
      />
      {editing !== null && (
        <section className="form-panel credential-panel" data-testid="credential-panel">
          <h2>{editing === 'new' ? 'New credential' : `Edit ${editing.name}`}</h2>
          <CredentialForm
            key={editing === 'new' ? 'new' : editing.id}
            {...(editing === 'new' ? {} : { credential: editing })}
            onSaved={(saved) => {
              setEditing(null);
              setNotice(
                editing === 'new'
                  ? `Created the credential "${saved.name}".`
                  : `Saved the credential "${saved.name}".`,
              );
            }}
            onCancel={() => setEditing(null)}
          />
        </section>
      )}
      <ListState
        query={credentials}
        what="credentials"
        errorTitle="Could not load the credentials"
        isEmpty={(data) => data.length === 0}
        empty={
          <EmptyState title="No credentials yet" testId="credentials-empty">
            <p>
              Create one with <strong>New credential</strong>, or from a node's settings in the
              editor (HTTP request: Authentication; Webhook: Verification secret).
            </p>
          </EmptyState>
        }
      >
        {(data) => (
          <ListTable
            testId="credential-table"
            columns={['Name', 'Type', 'Value', 'Used by', 'Changed']}
          >
            {data.map((credential) => (
              <tr
                key={credential.id}
                data-testid="credential-row"
                data-credential-id={credential.id}
              >
                <td className="strong" data-testid="credential-row-name">
                  {credential.name}
                </td>
                <td>{credentialTypeOf(credential.type)?.label ?? credential.type}</td>
                <td>
                  <div className="credential-fields">
                    {Object.entries(credential.fields).map(([field, text]) => (
                      <span key={field}>
                        <span className="muted">{field}</span> <code>{text}</code>
                      </span>
                    ))}
                  </div>
                </td>
                <td data-testid="credential-used-by">
                  {credential.usedBy.length === 0 ? (
                    <span className="muted">unused</span>
                  ) : (
                    credential.usedBy.map((workflow, index) => (
                      <span key={workflow.id}>
                        {index > 0 && ', '}
                        <Link to={paths.editWorkflow(workflow.id)}>{workflow.name}</Link>
                      </span>
                    ))
                  )}
                </td>
                <td className="muted small">{formatDateTime(credential.updatedAt)}</td>
                <td className="row-actions">
                  <button
                    type="button"
                    className="button button-small"
                    onClick={() => {
                      setNotice(null);
                      setEditing(credential);
                    }}
                    disabled={!admin.allowed}
                    title={admin.reason}
                    data-testid="edit-credential"
                    aria-label={`Edit ${credential.name}`}
                  >
                    Edit
                  </button>{' '}
                  <ConfirmDeleteButton
                    question={`Delete the credential "${credential.name}"? This cannot be undone.`}
                    onAsk={() => setNotice(null)}
                    onConfirm={() =>
                      remove.mutate(
                        { id: credential.id },
                        {
                          onSuccess: () =>
                            setNotice(`Deleted the credential "${credential.name}".`),
                        },
                      )
                    }
                    disabled={remove.isPending || !admin.allowed}
                    title={admin.reason}
                    testId="delete-credential"
                    ariaLabel={`Delete ${credential.name}`}
                  />
                </td>
              </tr>
            ))}
          </ListTable>
        )}
      </ListState>
    </Page>
  );
}
