import type { WidgetProps } from './widget.ts';

/** One of the field's options; a stored value that is not among them is kept and shown. */
export function SelectField({
  field,
  id,
  value,
  fallback,
  invalid,
  onChange,
}: WidgetProps<'select'>) {
  const current = value ?? fallback;
  const selected = typeof current === 'string' ? current : '';
  const known = field.options.some((option) => option.value === selected);
  return (
    <select
      id={id}
      className="select input"
      value={selected}
      aria-invalid={invalid || undefined}
      onChange={(event) => onChange(event.currentTarget.value || undefined)}
    >
      {selected === '' && <option value="">Choose…</option>}
      {!known && selected !== '' && <option value={selected}>{selected} (unknown)</option>}
      {field.options.map((option) => (
        <option key={option.value} value={option.value}>
          {option.label}
        </option>
      ))}
    </select>
  );
}
