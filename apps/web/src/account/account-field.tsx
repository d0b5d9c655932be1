import type { InputHTMLAttributes, ReactNode, Ref } from 'react';

/**
 * One labelled input of the account forms (sign-in, setup, users, tokens, password), with its
 * help text and, after a submit, its problem (announced, and tied to the input for screen readers).
 */
export function AccountField({
  id,
  label,
  help,
  problem,
  testId,
  inputRef,
  ...input
}: {
  id: string;
  /** Names the input (`login-email`) and its problem (`login-email-problem`) for tests. */
  testId: string;
  inputRef?: Ref<HTMLInputElement>;
  label: ReactNode;
  help?: ReactNode;
  problem?: string | undefined;
} & Omit<InputHTMLAttributes<HTMLInputElement>, 'id'>) {
  const describedBy = [help ? `${id}-help` : null, problem ? `${id}-problem` : null]
    .filter(Boolean)
    .join(' ');
  return (
    <div className="form-field">
      <label className="form-field-label" htmlFor={id}>
        {label}
      </label>
      <input
        ref={inputRef}
        id={id}
        className="input"
        aria-invalid={problem ? true : undefined}
        aria-describedby={describedBy || undefined}
        data-testid={testId}
        {...input}
      />
      {help && (
        <p className="form-field-help" id={`${id}-help`}>
          {help}
        </p>
      )}
      {problem && (
        <p className="field-error" id={`${id}-problem`} data-testid={`${testId}-problem`}>
          {problem}
        </p>
      )}
    </div>
  );
}
