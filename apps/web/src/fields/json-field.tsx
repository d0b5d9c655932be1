import { useState } from 'react';
import { textControlTarget, useExpressionEnvironment } from './expression-environment.ts';
import { readJsonText, writeJsonText } from './form.ts';
import { useDraftText } from './use-draft-text.ts';
import type { WidgetProps } from './widget.ts';

/**
 * Any JSON value as text. Text that does not parse stays in the box with the parser's message
 * beside it, and the node keeps its last valid value until the text is fixed.
 */
export function JsonField({ field, id, value, fallback, invalid, onChange }: WidgetProps<'json'>) {
  const [text, edit] = useDraftText(value, writeJsonText);
  const [parseError, setParseError] = useState<{ text: string; message: string } | null>(null);
  // A message for text that is no longer in the box (undo replaced it) is stale.
  const error = parseError?.text === text ? parseError.message : null;
  const errorId = `${id}-parse-error`;
  const environment = useExpressionEnvironment();
  const apply = (next: string) => {
    const result = readJsonText(next, field.expression === true);
    if (result.ok) {
      edit(next, result.value);
      setParseError(null);
      onChange(result.value);
    } else {
      edit(next);
      setParseError({ text: next, message: result.error });
    }
  };
  return (
    <>
      <textarea
        id={id}
        className="input input-code"
        rows={Math.min(14, Math.max(3, text.split('\n').length + 1))}
        value={text}
        placeholder={writeJsonText(fallback)}
        spellCheck={false}
        aria-invalid={invalid || error !== null || undefined}
        aria-describedby={error ? errorId : undefined}
        data-testid={`json-field-${field.field}`}
        onFocus={(event) => {
          if (field.expression) environment.focused(textControlTarget(event.currentTarget, apply));
        }}
        onChange={(event) => apply(event.currentTarget.value)}
      />
      {error && (
        <p className="field-error" id={errorId} role="alert" data-testid="json-parse-error">
          {error}
        </p>
      )}
    </>
  );
}
