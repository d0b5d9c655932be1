import { textControlTarget, useExpressionEnvironment } from './expression-environment.ts';
import { ExpressionInput } from './expression-input.tsx';
import { ExpressionPreview } from './expression-preview.tsx';
import { asText, type WidgetProps } from './widget.ts';

/**
 * One line or several. A field that takes `{{ }}` expressions is a CodeMirror editor with
 * completion and a live preview; the others are plain inputs.
 */
export function TextField({
  field,
  id,
  labelId,
  value,
  fallback,
  invalid,
  onChange,
}: WidgetProps<'text'>) {
  const environment = useExpressionEnvironment();
  const placeholder = field.placeholder ?? asText(fallback);
  // Emptied: back to the default when there is one; a required field stays "" for its message.
  const change = (text: string) =>
    onChange(text === '' && fallback !== undefined ? undefined : text);
  if (field.expression) {
    const text = asText(value);
    return (
      <>
        <ExpressionInput
          id={id}
          labelId={labelId}
          value={text}
          placeholder={placeholder}
          multiline={field.multiline ?? false}
          invalid={invalid}
          testId={`expression-${field.field}`}
          onChange={change}
        />
        <ExpressionPreview text={text} testId={`preview-${field.field}`} />
      </>
    );
  }
  const common = {
    id,
    className: 'input',
    value: asText(value),
    placeholder,
    'aria-invalid': invalid || undefined,
    spellCheck: false,
  };
  return field.multiline ? (
    <textarea
      {...common}
      rows={4}
      onFocus={(event) => environment.focused(textControlTarget(event.currentTarget, change))}
      onChange={(event) => change(event.currentTarget.value)}
    />
  ) : (
    <input
      {...common}
      type="text"
      onFocus={(event) => environment.focused(textControlTarget(event.currentTarget, change))}
      onChange={(event) => change(event.currentTarget.value)}
    />
  );
}
