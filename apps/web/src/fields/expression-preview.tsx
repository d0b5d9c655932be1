import { compileTemplate, ExpressionError, hasExpression } from '@hookflow/engine';
import { useEffect, useState } from 'react';
import { useExpressionEnvironment } from './expression-environment.ts';

type Preview =
  | { kind: 'value'; text: string; type: string }
  | { kind: 'error'; message: string }
  | { kind: 'pending' };

const maxPreviewChars = 600;

/** Evaluates a template the way the executor does, for the preview under a field. */
export async function previewTemplate(text: string, context: unknown): Promise<Preview> {
  try {
    const value = await compileTemplate(text).evaluate(context);
    const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
    const json =
      value === undefined
        ? 'nothing (the path is not in the sample)'
        : JSON.stringify(value, null, 1);
    const shown = typeof value === 'string' ? value : json;
    return {
      kind: 'value',
      type,
      text: shown.length > maxPreviewChars ? `${shown.slice(0, maxPreviewChars)}…` : shown,
    };
  } catch (error) {
    if (error instanceof ExpressionError) {
      return { kind: 'error', message: `${error.message} (at character ${error.position + 1})` };
    }
    return { kind: 'error', message: error instanceof Error ? error.message : String(error) };
  }
}

/** The live value of a field's `{{ }}` against the chosen sample, or why there is none. */
export function ExpressionPreview({ text, testId }: { text: string; testId?: string }) {
  const { context } = useExpressionEnvironment();
  const [preview, setPreview] = useState<Preview>({ kind: 'pending' });
  const active = hasExpression(text) && context !== null;
  useEffect(() => {
    if (!active) return;
    let current = true;
    const timer = window.setTimeout(() => {
      void previewTemplate(text, context).then((result) => {
        if (current) setPreview(result);
      });
    }, 120);
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [active, text, context]);
  if (!hasExpression(text)) return null;
  if (context === null) {
    return (
      <p className="expression-preview expression-preview-empty" data-testid={testId}>
        Choose a sample event in the data panel to preview this value.
      </p>
    );
  }
  if (preview.kind === 'pending') return null;
  return preview.kind === 'error' ? (
    <p
      className="expression-preview expression-preview-error"
      role="status"
      data-testid={testId}
      data-state="error"
    >
      <span className="expression-preview-label">Error:</span> {preview.message}
    </p>
  ) : (
    <p className="expression-preview" role="status" data-testid={testId} data-state="value">
      <span className="expression-preview-label">{preview.type}</span>
      <code className="expression-preview-value">{preview.text}</code>
    </p>
  );
}
