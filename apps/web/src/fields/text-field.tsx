import { asText, type WidgetProps } from './widget.ts';

/** One line or several; `{{ }}` expressions are text like any other. */
export function TextField({ field, id, value, fallback, invalid, onChange }: WidgetProps<'text'>) {
  const placeholder = field.placeholder ?? asText(fallback);
  // Emptied: back to the default when there is one; a required field stays "" for its message.
  const change = (text: string) =>
    onChange(text === '' && fallback !== undefined ? undefined : text);
  const common = {
    id,
    className: 'input',
    value: asText(value),
    placeholder,
    'aria-invalid': invalid || undefined,
    spellCheck: false,
  };
  return field.multiline ? (
    <textarea {...common} rows={4} onChange={(event) => change(event.currentTarget.value)} />
  ) : (
    <input {...common} type="text" onChange={(event) => change(event.currentTarget.value)} />
  );
}
