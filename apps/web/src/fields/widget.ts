import type { FormField } from '@hookflow/engine';

/** What every form widget gets: its field description, the config value, and where to send changes. */
export interface WidgetProps<Kind extends FormField['kind'] = FormField['kind']> {
  field: Extract<FormField, { kind: Kind }>;
  /** The id of the widget's main control, for its `<label>`. */
  id: string;
  /** The id of the field's label, for widgets that are groups of controls. */
  labelId: string;
  /** The config's own value; undefined while unset. */
  value: unknown;
  /** What an unset field means (the schema's default), shown as a placeholder or initial state. */
  fallback: unknown;
  invalid: boolean;
  /** `undefined` unsets the field, so the default applies again. */
  onChange(value: unknown): void;
}

/** Text for a value in a one-line input: strings as they are, other values as JSON. */
export function asText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
