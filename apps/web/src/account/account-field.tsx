import type { InputHTMLAttributes, ReactNode, Ref } from 'react';
import { describedBy, FormField } from '../ui/form.tsx';

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
  return (
    <FormField
      id={id}
      label={label}
      help={help}
      problem={problem}
      problemTestId={`${testId}-problem`}
    >
      <input
        ref={inputRef}
        id={id}
        className="input"
        aria-invalid={problem ? true : undefined}
        aria-describedby={describedBy(id, { help: Boolean(help), problem: Boolean(problem) })}
        data-testid={testId}
        {...input}
      />
    </FormField>
  );
}
