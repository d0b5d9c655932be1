import { useState } from 'react';
import { ExpressionInput } from './expression-input.tsx';
import { readJsonText, writeJsonText } from './form.ts';
import { useDraftText } from './use-draft-text.ts';
import type { WidgetProps } from './widget.ts';

/**
 * Any JSON value as text, in a code editor that highlights the JSON (and `{{ }}` in fields that
 * take expressions, with completion of paths inside them). Text that does not parse stays in the
 * box, the place it breaks underlined and the reason beside it; the node keeps its last valid
 * value until the text is fixed.
 */
export function JsonField({
  field,
  id,
  labelId,
  value,
  fallback,
  invalid,
  onChange,
}: WidgetProps<'json'>) {
  const [text, edit] = useDraftText(value, writeJsonText);
  const [parseError, setParseError] = useState<{
    text: string;
    message: string;
    at: number;
  } | null>(null);
  // A message for text that is no longer in the box (undo replaced it) is stale.
  const error = parseError?.text === text ? parseError : null;
  const errorId = `${id}-parse-error`;
  const apply = (next: string) => {
    const result = readJsonText(next, field.expression === true);
    if (result.ok) {
      edit(next, result.value);
      setParseError(null);
      onChange(result.value);
    } else {
      edit(next);
      setParseError({ text: next, message: result.error, at: result.at });
    }
  };
  return (
    <>
      <ExpressionInput
        id={id}
        labelId={labelId}
        value={text}
        placeholder={writeJsonText(fallback)}
        multiline
        language="json"
        acceptsExpressions={field.expression === true}
        errorAt={error?.at ?? null}
        invalid={invalid || error !== null}
        testId={`json-editor-${field.field}`}
        contentTestId={`json-field-${field.field}`}
        onChange={apply}
        {...(error ? { describedBy: errorId } : {})}
      />
      {error && (
        <p className="field-error" id={errorId} role="alert" data-testid="json-parse-error">
          {error.message}
        </p>
      )}
    </>
  );
}
