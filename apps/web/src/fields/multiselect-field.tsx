import type { WidgetProps } from './widget.ts';

/** Any of the field's options, as checkboxes; the stored list keeps the options' order. */
export function MultiselectField({
  field,
  id,
  labelId,
  value,
  fallback,
  invalid,
  onChange,
}: WidgetProps<'multiselect'>) {
  const current = value ?? fallback;
  const chosen = new Set(Array.isArray(current) ? current.map(String) : []);
  const toggle = (option: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(option);
    else next.delete(option);
    const known = field.options.map((o) => o.value).filter((v) => next.has(v));
    const unknown = [...next].filter((v) => !field.options.some((o) => o.value === v));
    onChange([...known, ...unknown]);
  };
  return (
    <fieldset
      id={id}
      className="choice-group"
      aria-labelledby={labelId}
      aria-invalid={invalid || undefined}
    >
      {field.options.map((option) => (
        <label key={option.value} className="choice">
          <input
            type="checkbox"
            className="checkbox"
            checked={chosen.has(option.value)}
            onChange={(event) => toggle(option.value, event.currentTarget.checked)}
          />
          {option.label}
        </label>
      ))}
    </fieldset>
  );
}
