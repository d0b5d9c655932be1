import type { ReactNode } from 'react';

/** The id of a field's help text, for its control's `aria-describedby`. */
export const helpIdOf = (id: string) => `${id}-help`;
/** The id of a field's problem, for its control's `aria-describedby`. */
export const problemIdOf = (id: string) => `${id}-problem`;

/** What a field's control is described by (its help, its problem, when shown), or undefined. */
export function describedBy(
  id: string,
  shown: { help?: boolean; problem?: boolean },
): string | undefined {
  const ids = [shown.help ? helpIdOf(id) : null, shown.problem ? problemIdOf(id) : null];
  return ids.filter(Boolean).join(' ') || undefined;
}

/**
 * One field of a form: its label, the control (`children`, whose id is `id`), a help text and,
 * when there is one, its problem. The control points at the help and the problem it wants read
 * out with `describedBy(id, ...)`.
 */
export function FormField({
  id,
  label,
  help,
  helpTestId,
  problem,
  problemTestId,
  className,
  children,
}: {
  id: string;
  label: ReactNode;
  help?: ReactNode;
  helpTestId?: string;
  problem?: ReactNode;
  problemTestId?: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div className={className ? `form-field ${className}` : 'form-field'}>
      <label className="form-field-label" htmlFor={id}>
        {label}
      </label>
      {children}
      {help && (
        <p className="form-field-help" id={helpIdOf(id)} data-testid={helpTestId}>
          {help}
        </p>
      )}
      {problem && (
        <p className="field-error" id={problemIdOf(id)} data-testid={problemTestId}>
          {problem}
        </p>
      )}
    </div>
  );
}

/**
 * A form's buttons: submit, disabled and saying so (`savingLabel`) while the form saves, and,
 * given `onCancel`, Cancel. Under a form on a page the submit comes first; in a dialog's footer
 * both sit on the right, the submit last.
 */
export function FormActions({
  label,
  savingLabel = 'Saving…',
  saving,
  testId,
  onCancel,
  inDialog = false,
}: {
  label: string;
  savingLabel?: string;
  saving: boolean;
  testId: string;
  onCancel?: () => void;
  inDialog?: boolean;
}) {
  const submit = (
    <button type="submit" className="button button-primary" disabled={saving} data-testid={testId}>
      {saving ? savingLabel : label}
    </button>
  );
  const cancel = onCancel && (
    <button type="button" className="button" onClick={onCancel}>
      Cancel
    </button>
  );
  return inDialog ? (
    <div className="dialog-footer">
      {cancel}
      {submit}
    </div>
  ) : (
    <div className="form-actions">
      {submit}
      {cancel}
    </div>
  );
}
