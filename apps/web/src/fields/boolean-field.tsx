import type { WidgetProps } from './widget.ts';

/** A checkbox; its label sits beside it (see FormFieldRow). */
export function BooleanField({ id, value, fallback, invalid, onChange }: WidgetProps<'boolean'>) {
  const checked = (value ?? fallback) === true;
  return (
    <input
      id={id}
      type="checkbox"
      className="checkbox"
      checked={checked}
      aria-invalid={invalid || undefined}
      onChange={(event) => onChange(event.currentTarget.checked)}
    />
  );
}
