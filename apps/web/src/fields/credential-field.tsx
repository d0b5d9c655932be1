import {
  type CredentialType,
  credentialRef,
  credentialTypeOf,
  hasExpression,
  isCredentialRef,
} from '@hookflow/engine';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { CredentialForm } from '../credentials/credential-form.tsx';
import '../credentials/credentials.css';
import { type CredentialSummary, useTRPC } from '../lib/trpc.ts';
import { JsonField } from './json-field.tsx';
import type { WidgetProps } from './widget.ts';

const NONE = '';
const CUSTOM = '#custom';
const INLINE = '#inline';
const CREATE = '#create';

/**
 * Picks a credential from the store for a field that takes one (the `credential` form kind):
 * the credentials of the types the field lists, "Create new credential…" (the credential form
 * in a dialog; the new one is picked), and, when the field takes expressions, "Custom" (the
 * value written as JSON). A value written in the document itself (older workflows) is shown as
 * such, with a warning, until a credential replaces it. With `maxItems` the field is a list:
 * one picker per item (a second one while a secret is being rotated).
 */
export function CredentialField({
  field,
  id,
  labelId,
  value,
  fallback,
  invalid,
  onChange,
}: WidgetProps<'credential'>) {
  const trpc = useTRPC();
  const credentials = useQuery(trpc.credentials.list.queryOptions());
  const fitting = (credentials.data ?? []).filter((credential) =>
    field.credentialTypes.includes(credential.type as CredentialType),
  );
  const [creatingFor, setCreatingFor] = useState<number | null>(null);
  // A list's next item, shown as an empty picker until a credential is chosen for it.
  const [adding, setAdding] = useState(false);
  const list = field.maxItems !== undefined;
  const items: unknown[] = list ? (Array.isArray(value) ? value : []) : [value];
  const setItem = (index: number, next: unknown) => {
    setAdding(false);
    if (!list) return onChange(next);
    const copy = [...items];
    if (next === undefined) copy.splice(index, 1);
    else copy[index] = next;
    onChange(copy.length > 0 ? copy : undefined);
  };
  const rows = list && (items.length === 0 || adding) ? [...items, undefined] : items;

  return (
    <div className="credential-picker" data-testid={`credential-picker-${field.field}`}>
      {rows.map((item, index) => (
        <PickerRow
          key={index}
          id={index === 0 ? id : `${id}-${index}`}
          labelId={labelId}
          field={field}
          value={item}
          fallback={list ? undefined : fallback}
          invalid={invalid}
          credentials={fitting}
          loading={credentials.isPending}
          onChange={(next) => setItem(index, next)}
          onCreate={() => setCreatingFor(index)}
          removable={list && index > 0}
          onRemove={() => (index < items.length ? setItem(index, undefined) : setAdding(false))}
          label={
            list && index > 0 ? 'Second secret (both are accepted until one is removed)' : undefined
          }
        />
      ))}
      {list && !adding && items.length > 0 && items.length < (field.maxItems ?? 1) && (
        <button
          type="button"
          className="button button-small button-quiet"
          onClick={() => setAdding(true)}
          data-testid="credential-add-item"
        >
          + Accept a second secret (while rotating)
        </button>
      )}
      {credentials.isError && (
        <p className="field-error">Could not load the credentials: {credentials.error.message}</p>
      )}
      {creatingFor !== null && (
        <CreateCredentialDialog
          types={field.credentialTypes}
          onClose={() => setCreatingFor(null)}
          onCreated={(created) => {
            setItem(creatingFor, credentialRef(created.id));
            setCreatingFor(null);
          }}
        />
      )}
    </div>
  );
}

function PickerRow({
  id,
  labelId,
  field,
  value,
  fallback,
  invalid,
  credentials,
  loading,
  onChange,
  onCreate,
  removable,
  onRemove,
  label,
}: {
  id: string;
  labelId: string;
  field: WidgetProps<'credential'>['field'];
  value: unknown;
  fallback: unknown;
  invalid: boolean;
  credentials: readonly CredentialSummary[];
  loading: boolean;
  onChange(value: unknown): void;
  onCreate(): void;
  removable: boolean;
  onRemove(): void;
  label: string | undefined;
}) {
  // The field's default (an HTTP request without auth) is "None", written or not.
  const none =
    value === undefined ||
    (fallback !== undefined && JSON.stringify(value) === JSON.stringify(fallback));
  const referenced = isCredentialRef(value) ? value.$credential : null;
  const written = !none && referenced === null;
  // "Custom" stays chosen while its JSON is edited, whatever that JSON holds.
  const [custom, setCustom] = useState(written && field.expression === true);
  const selected = custom ? CUSTOM : referenced !== null ? referenced : written ? INLINE : NONE;
  const missing =
    referenced !== null &&
    !loading &&
    !credentials.some((credential) => credential.id === referenced);
  const typeNames = field.credentialTypes.map((type) => credentialTypeOf(type)?.label ?? type);
  return (
    <>
      {label && <span className="muted small">{label}</span>}
      <div className="credential-picker-row">
        <select
          id={id}
          className="select input"
          aria-labelledby={labelId}
          aria-invalid={invalid || missing || undefined}
          value={selected}
          onChange={(event) => {
            const choice = event.currentTarget.value;
            if (choice === CREATE) return onCreate();
            setCustom(choice === CUSTOM);
            if (choice === CUSTOM || choice === INLINE) return;
            onChange(choice === NONE ? undefined : credentialRef(choice));
          }}
          data-testid="credential-select"
        >
          {fallback !== undefined || selected === NONE ? (
            <option value={NONE}>{fallback !== undefined ? 'None' : 'Choose a credential…'}</option>
          ) : null}
          {credentials.map((credential) => (
            <option key={credential.id} value={credential.id}>
              {credential.name} ({credentialTypeOf(credential.type)?.label ?? credential.type})
            </option>
          ))}
          {missing && <option value={referenced}>{referenced} (does not exist)</option>}
          {written && !custom && (
            <option value={INLINE}>Written in the workflow (not recommended)</option>
          )}
          {field.expression && <option value={CUSTOM}>Custom (JSON, may use {'{{ }}'})</option>}
          <option value={CREATE}>+ Create new credential…</option>
        </select>
        {removable && (
          <button
            type="button"
            className="button button-small button-quiet"
            aria-label="Remove this secret"
            title="Remove this secret"
            onClick={onRemove}
          >
            <span aria-hidden="true">✕</span>
          </button>
        )}
      </div>
      {credentials.length === 0 && !loading && selected === NONE && (
        <p className="form-field-help">No {typeNames.join(' or ')} credential yet: create one.</p>
      )}
      {written && !custom && (
        <p className="credential-inline-warning" data-testid="credential-inline-warning">
          This secret is written in the workflow document: everyone who can open the workflow can
          read it. Create a credential for it instead.
        </p>
      )}
      {custom && (
        <>
          <JsonField
            field={{ kind: 'json', field: field.field, label: field.label, expression: true }}
            id={`${id}-custom`}
            labelId={labelId}
            value={value}
            fallback={fallback}
            invalid={invalid}
            onChange={onChange}
          />
          {holdsWrittenSecret(value) && (
            <p className="credential-inline-warning" data-testid="credential-inline-warning">
              A secret written here is stored in the workflow document; use a credential, or take it
              from an earlier step with an expression.
            </p>
          )}
        </>
      )}
    </>
  );
}

/** True when a custom value holds a literal secret (not an expression, not a reference). */
function holdsWrittenSecret(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || isCredentialRef(value)) return false;
  const record = value as Record<string, unknown>;
  return ['password', 'token', 'value'].some(
    (key) => typeof record[key] === 'string' && record[key] !== '' && !hasExpression(record[key]),
  );
}

function CreateCredentialDialog({
  types,
  onClose,
  onCreated,
}: {
  types: readonly CredentialType[];
  onClose(): void;
  onCreated(credential: CredentialSummary): void;
}) {
  const dialog = useRef<HTMLDivElement>(null);
  useEffect(() => {
    dialog.current?.querySelector<HTMLInputElement>('input')?.focus();
  }, []);
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: Escape closes the dialog from anywhere in it
    <div className="dialog-backdrop" onKeyDown={(event) => event.key === 'Escape' && onClose()}>
      <div
        className="dialog credential-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="credential-dialog-title"
        ref={dialog}
        data-testid="credential-dialog"
      >
        <header className="dialog-header">
          <h2 id="credential-dialog-title">New credential</h2>
          <button
            type="button"
            className="button button-small button-quiet"
            onClick={onClose}
            aria-label="Close"
          >
            <span aria-hidden="true">✕</span>
          </button>
        </header>
        <CredentialForm types={types} onSaved={onCreated} onCancel={onClose} />
      </div>
    </div>
  );
}
