import type { FormField, ValidationIssue } from '@hookflow/engine';
import { BooleanField } from './boolean-field.tsx';
import { CredentialField } from './credential-field.tsx';
import { JsonField } from './json-field.tsx';
import { KeyValueField } from './key-value-field.tsx';
import { MultiselectField } from './multiselect-field.tsx';
import { NumberField } from './number-field.tsx';
import { SelectField } from './select-field.tsx';
import { TextField } from './text-field.tsx';
import type { WidgetProps } from './widget.ts';

/** The widget for a field's kind: the one place that maps FormField kinds to components. */
function Widget(props: WidgetProps) {
  const { field } = props;
  switch (field.kind) {
    case 'text':
      return <TextField {...props} field={field} />;
    case 'number':
      return <NumberField {...props} field={field} />;
    case 'boolean':
      return <BooleanField {...props} field={field} />;
    case 'select':
      return <SelectField {...props} field={field} />;
    case 'multiselect':
      return <MultiselectField {...props} field={field} />;
    case 'key-value':
      return <KeyValueField {...props} field={field} />;
    case 'json':
      return <JsonField {...props} field={field} />;
    case 'credential':
      return <CredentialField {...props} field={field} />;
  }
}

/**
 * A labelled form field with its help text, the validation problems that point into it and the
 * warnings (placeholder addresses to replace) that do.
 */
export function FormFieldRow({
  field,
  id,
  value,
  fallback,
  issues,
  warnings = [],
  onChange,
}: {
  field: FormField;
  id: string;
  value: unknown;
  fallback: unknown;
  issues: readonly ValidationIssue[];
  warnings?: readonly ValidationIssue[];
  onChange(value: unknown): void;
}) {
  const labelId = `${id}-label`;
  const widget = (
    <Widget
      field={field}
      id={id}
      labelId={labelId}
      value={value}
      fallback={fallback}
      invalid={issues.length > 0}
      onChange={onChange}
    />
  );
  const expression = 'expression' in field && field.expression === true;
  return (
    <div
      className="form-field"
      data-testid={`field-${field.field}`}
      data-invalid={issues.length > 0 || undefined}
      data-warning={warnings.length > 0 || undefined}
    >
      {field.kind === 'boolean' ? (
        <label className="choice form-field-label" htmlFor={id}>
          {widget}
          {field.label}
        </label>
      ) : (
        <>
          {field.kind === 'multiselect' ||
          field.kind === 'key-value' ||
          (field.kind === 'credential' && field.maxItems !== undefined) ? (
            <span className="form-field-label" id={labelId}>
              {field.label}
              {expression && <ExpressionHint />}
            </span>
          ) : (
            <label className="form-field-label" id={labelId} htmlFor={id}>
              {field.label}
              {expression && <ExpressionHint />}
            </label>
          )}
          {widget}
        </>
      )}
      {field.help && <p className="form-field-help">{field.help}</p>}
      {issues.length > 0 && (
        <ul className="field-issues" data-testid="field-issues">
          {issues.map((issue) => (
            <li key={`${issue.field ?? ''}|${issue.message}`}>
              {issue.field && issue.field !== field.field && <code>{issue.field}</code>}{' '}
              {issue.message}
            </li>
          ))}
        </ul>
      )}
      {warnings.length > 0 && (
        <ul className="field-warnings" data-testid="field-warnings">
          {warnings.map((warning) => (
            <li key={`${warning.field ?? ''}|${warning.message}`}>
              {warning.field && warning.field !== field.field && <code>{warning.field}</code>}{' '}
              {warning.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function ExpressionHint() {
  return (
    <span className="expression-hint" title="Accepts {{ }} expressions">
      {'{{ }}'}
    </span>
  );
}
