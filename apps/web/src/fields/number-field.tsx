import { readNumberText } from './form.ts';
import { useDraftText } from './use-draft-text.ts';
import { asText, type WidgetProps } from './widget.ts';

/**
 * A number, typed as text so that a half-typed "1." or an expression survives; numeric text is
 * stored as a number, anything else as text (validation then says what is wrong).
 */
export function NumberField({
  field,
  id,
  value,
  fallback,
  invalid,
  onChange,
}: WidgetProps<'number'>) {
  const [text, edit] = useDraftText(value, asText);
  const range =
    field.min === undefined && field.max === undefined
      ? undefined
      : `From ${field.min ?? '…'} to ${field.max ?? '…'}`;
  return (
    <input
      id={id}
      className="input input-number"
      type="text"
      inputMode={field.expression ? 'text' : 'decimal'}
      value={text}
      placeholder={asText(fallback)}
      title={range}
      aria-invalid={invalid || undefined}
      onChange={(event) => {
        const next = event.currentTarget.value;
        const parsed = readNumberText(next);
        edit(next, parsed);
        onChange(parsed);
      }}
    />
  );
}
