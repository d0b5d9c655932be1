import { type FormEvent, useState } from 'react';
import { type FieldProblems, hasProblems } from './form-rules.ts';

type Values = Record<string, string>;

export interface CheckedFormOptions<V extends Values> {
  /**
   * After the server refused (the error is kept in `error`): what to clear or focus, such as the
   * password the person should type again.
   */
  onError?(error: unknown, values: V): void;
}

/**
 * The account forms' one way of asking: text fields, checked in the browser before anything is
 * sent; the problems show beside their fields after the first submit (not while someone starts
 * typing) and then stay current as they type; the submit is disabled while the server answers,
 * and its refusal is kept to show above the form.
 *
 * @example
 * const form = useCheckedForm({ email: '', password: '' }, loginProblems);
 * <form onSubmit={form.submit(({ email, password }) => login(email, password))}>
 *   <AccountField {...form.field('email')} id="email" testId="login-email" label="Email" />
 */
export function useCheckedForm<V extends Values, Field extends keyof V & string>(
  initial: V,
  check: (values: V) => FieldProblems<Field>,
  options: CheckedFormOptions<V> = {},
) {
  const [values, setValues] = useState(initial);
  const [submitted, setSubmitted] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const problems: FieldProblems<Field> = submitted ? check(values) : {};

  const set = (name: keyof V, value: string) =>
    setValues((current) => ({ ...current, [name]: value }));

  /** Back to `next` (the initial values by default), problems hidden until the next submit. */
  const reset = (next: V = initial) => {
    setValues(next);
    setSubmitted(false);
  };

  return {
    values,
    problems,
    saving,
    /** The server's refusal of the last submit, or null. */
    error,
    dismissError: () => setError(null),
    set,
    reset,
    /** An input's value, its problem (after the first submit) and its change handler. */
    field: (name: keyof V & string) => ({
      value: values[name] as string,
      problem: (problems as Partial<Record<string, string>>)[name],
      onChange: (event: { currentTarget: { value: string } }) =>
        set(name, event.currentTarget.value),
    }),
    /**
     * The form's submit handler: shows the problems and stops at them, else runs `send` with
     * the values (the submit disabled meanwhile), keeping what it throws in `error`.
     */
    submit: (send: (values: V) => Promise<unknown>) => (event: FormEvent) => {
      event.preventDefault();
      setSubmitted(true);
      setError(null);
      if (hasProblems(check(values))) return;
      setSaving(true);
      void send(values)
        .catch((refusal: unknown) => {
          setError(refusal);
          options.onError?.(refusal, values);
        })
        .finally(() => setSaving(false));
    },
  };
}
