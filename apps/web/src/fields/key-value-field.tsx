import { useRef } from 'react';
import { textControlTarget, useExpressionEnvironment } from './expression-environment.ts';
import { asText, type WidgetProps } from './widget.ts';

type Row = Record<string, unknown> & { name?: unknown; value?: unknown };

function rowsOf(value: unknown): Row[] {
  return Array.isArray(value)
    ? value.map((row) =>
        typeof row === 'object' && row !== null ? (row as Row) : { name: '', value: row },
      )
    : [];
}

/** Rows of name and value (headers, query parameters, body fields). */
export function KeyValueField({
  field,
  id,
  labelId,
  value,
  fallback,
  onChange,
}: WidgetProps<'key-value'>) {
  const environment = useExpressionEnvironment();
  const rows = rowsOf(value ?? fallback);
  const nameLabel = field.keyLabel ?? 'Name';
  const valueLabel = field.valueLabel ?? 'Value';
  // An insertion from the data panel comes later than the focus that registered it.
  const latestRows = useRef(rows);
  latestRows.current = rows;
  const update = (index: number, change: Partial<Row>) =>
    onChange(latestRows.current.map((row, i) => (i === index ? { ...row, ...change } : row)));
  return (
    <fieldset className="key-value" id={id} aria-labelledby={labelId}>
      {rows.length > 0 && (
        <div className="key-value-head" aria-hidden="true">
          <span>{nameLabel}</span>
          <span>{valueLabel}</span>
        </div>
      )}
      {rows.map((row, index) => (
        <div className="key-value-row" key={index} data-testid="key-value-row">
          <input
            className="input"
            type="text"
            aria-label={`${field.label} ${index + 1}: ${nameLabel}`}
            value={asText(row.name)}
            spellCheck={false}
            onChange={(event) => update(index, { name: event.currentTarget.value })}
          />
          <input
            className="input"
            type="text"
            aria-label={`${field.label} ${index + 1}: ${valueLabel}`}
            value={asText(row.value)}
            spellCheck={false}
            onFocus={(event) => {
              if (field.expression)
                environment.focused(
                  textControlTarget(event.currentTarget, (text) => update(index, { value: text })),
                );
            }}
            onChange={(event) => update(index, { value: event.currentTarget.value })}
          />
          <button
            type="button"
            className="button button-small button-quiet"
            aria-label={`Remove ${field.label} ${index + 1}`}
            title="Remove"
            onClick={() => onChange(rows.filter((_, i) => i !== index))}
          >
            <span aria-hidden="true">✕</span>
          </button>
        </div>
      ))}
      <button
        type="button"
        className="button button-small key-value-add"
        onClick={() => onChange([...rows, { name: '', value: '' }])}
      >
        + Add row
      </button>
    </fieldset>
  );
}
