import { type CredentialType, credentialTypeOf, credentialTypes } from '@hookflow/engine';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { type CredentialSummary, useTRPC } from '../lib/trpc.ts';
import { FormActions, FormField } from '../ui/form.tsx';
import { ProblemMessage } from '../ui/problem-message.tsx';

/**
 * Creates a credential or edits one. Secret fields are write-only: they start empty, a saved
 * value is never shown (the API never returns it), and a secret field left empty when editing
 * keeps what is stored. The fields come from the credential type's description in the engine.
 */
export function CredentialForm({
  credential,
  types = credentialTypes.map((definition) => definition.type),
  onSaved,
  onCancel,
}: {
  /** The credential to edit; a new one when absent. */
  credential?: CredentialSummary;
  /** The types offered for a new credential (a picker asks for the ones its field takes). */
  types?: readonly CredentialType[];
  onSaved(credential: CredentialSummary): void;
  onCancel(): void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formId = useId();
  const [name, setName] = useState(credential?.name ?? '');
  const [type, setType] = useState<string>(credential?.type ?? types[0] ?? 'bearer');
  // What an edit starts from: the fields that are not secret (a user name), as saved.
  const [initial] = useState<Record<string, string>>(() =>
    credential
      ? Object.fromEntries(
          (credentialTypeOf(credential.type)?.fields ?? [])
            .filter((field) => !field.secret)
            .map((field) => [field.name, credential.fields[field.name] ?? '']),
        )
      : {},
  );
  const [values, setValues] = useState(initial);
  const onSuccess = async (saved: CredentialSummary) => {
    await queryClient.invalidateQueries({ queryKey: trpc.credentials.list.queryKey() });
    onSaved(saved);
  };
  const create = useMutation(trpc.credentials.create.mutationOptions({ onSuccess }));
  const update = useMutation(trpc.credentials.update.mutationOptions({ onSuccess }));
  const saving = create.isPending || update.isPending;
  const error = create.error ?? update.error;
  const definition = credentialTypeOf(type);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (credential) {
      // A rename alone sends no value: the stored one stays as it is.
      const changed = Object.entries(values).some(
        ([field, text]) => text !== (initial[field] ?? ''),
      );
      update.mutate({
        id: credential.id,
        name,
        ...(changed ? { value: values } : {}),
      });
    } else {
      create.mutate({ name, type: type as CredentialType, value: values });
    }
  };

  return (
    <form className="form-stack" onSubmit={submit} data-testid="credential-form">
      {error && <ProblemMessage title="Could not save the credential" error={error} />}
      <FormField id={`${formId}-name`} label="Name">
        <input
          id={`${formId}-name`}
          className="input"
          value={name}
          maxLength={200}
          placeholder="Shop API (production)"
          required
          onChange={(event) => setName(event.currentTarget.value)}
          data-testid="credential-name"
        />
      </FormField>
      <FormField id={`${formId}-type`} label="Type" help={definition?.description}>
        <select
          id={`${formId}-type`}
          className="select input"
          value={type}
          disabled={credential !== undefined}
          onChange={(event) => {
            setType(event.currentTarget.value);
            setValues({});
          }}
          data-testid="credential-type"
        >
          {(credential ? [credential.type] : types).map((option) => (
            <option key={option} value={option}>
              {credentialTypeOf(option)?.label ?? option}
            </option>
          ))}
        </select>
      </FormField>
      {definition?.fields.map((field) => {
        const id = `${formId}-${field.name}`;
        const kept = credential !== undefined && field.secret;
        const props = {
          id,
          className: field.multiline ? 'input input-code' : 'input',
          value: values[field.name] ?? '',
          // Saved secrets are never sent back: an empty box keeps the stored one.
          placeholder: kept ? '•••••• (saved; type to replace)' : (field.placeholder ?? ''),
          required: !kept && field.secret,
          autoComplete: 'off',
          spellCheck: false,
          'data-testid': `credential-field-${field.name}`,
          onChange: (event: { currentTarget: { value: string } }) => {
            const text = event.currentTarget.value;
            setValues((current) => ({ ...current, [field.name]: text }));
          },
        };
        return (
          <FormField
            key={`${type}-${field.name}`}
            id={id}
            label={
              <>
                {field.label}
                {field.secret && <span className="muted small">secret, encrypted at rest</span>}
              </>
            }
          >
            {field.multiline ? (
              <textarea {...props} rows={4} />
            ) : (
              <input {...props} type={field.secret ? 'password' : 'text'} />
            )}
          </FormField>
        );
      })}
      <FormActions
        label={credential ? 'Save changes' : 'Create credential'}
        saving={saving}
        testId="credential-save"
        onCancel={onCancel}
      />
    </form>
  );
}
