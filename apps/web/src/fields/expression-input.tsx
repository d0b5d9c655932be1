import { useEffect, useRef, useState } from 'react';
import type { ExpressionEditor } from './expression-editor.ts';
import { useExpressionEnvironment } from './expression-environment.ts';
import { useReadOnlyFields } from './read-only.ts';

/** CodeMirror and the field's editor on it, fetched once, when the first field is shown. */
export const loadExpressionEditor = () => import('./expression-editor.ts');

/**
 * Runs `work` in a task of its own once the browser has painted what is on screen now; after
 * at most 100 ms all the same (a hidden tab paints no frames). Returns a cancel.
 */
function afterNextPaint(work: () => void): () => void {
  let done = false;
  let task: ReturnType<typeof setTimeout> | undefined;
  const run = () => {
    if (done) return;
    done = true;
    work();
  };
  const frame = requestAnimationFrame(() => {
    task = setTimeout(run, 0);
  });
  const fallback = setTimeout(run, 100);
  return () => {
    done = true;
    cancelAnimationFrame(frame);
    clearTimeout(task);
    clearTimeout(fallback);
  };
}

/**
 * A CodeMirror 6 editor for text that holds `{{ }}` expressions: the expressions are
 * highlighted, paths into the node's data complete inside them (Ctrl+Space lists them all),
 * and the data panel inserts into it while it has (or last had) the focus. With
 * `language="json"` the JSON is highlighted too and `errorAt` underlines where it stops parsing.
 */
export function ExpressionInput({
  id,
  labelId,
  value,
  placeholder,
  multiline = false,
  language,
  acceptsExpressions = true,
  errorAt = null,
  describedBy,
  invalid,
  testId,
  contentTestId,
  onChange,
}: {
  id: string;
  labelId: string;
  value: string;
  placeholder?: string;
  multiline?: boolean;
  language?: 'json';
  /** False for JSON that is never evaluated: no completion, and the data panel does not insert. */
  acceptsExpressions?: boolean;
  /** The offset where the text stops parsing; null when it parses. */
  errorAt?: number | null;
  /** The id of a message about the value (its parse error). */
  describedBy?: string;
  invalid: boolean;
  testId?: string;
  /** A test id on the editable element itself (so tests can fill it like a text box). */
  contentTestId?: string;
  onChange(text: string): void;
}) {
  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<ExpressionEditor | null>(null);
  const [ready, setReady] = useState(false);
  const environment = useExpressionEnvironment();
  const readOnly = useReadOnlyFields();
  // The editor is built once; these refs give its callbacks the latest props (and the value
  // the field has when CodeMirror arrives).
  const latest = useRef({ environment, onChange, value });
  latest.current = { environment, onChange, value };

  useEffect(() => {
    let gone = false;
    let cancel = () => {};
    const create = ({ createExpressionEditor }: typeof import('./expression-editor.ts')) => {
      if (gone || !host.current) return;
      editor.current = createExpressionEditor({
        parent: host.current,
        id,
        labelId,
        value: latest.current.value,
        placeholder,
        multiline,
        language,
        acceptsExpressions,
        contentTestId,
        readOnly,
        paths: () => latest.current.environment.paths,
        focused: (target) => latest.current.environment.focused(target),
        changed: (text) => latest.current.onChange(text),
      });
      setReady(true);
    };
    // Built after the form is on screen: a CodeMirror takes tens of milliseconds to build and
    // measure, and a form of several such fields would otherwise appear only once all are.
    // Until then the field shows its text as it will look.
    void loadExpressionEditor().then((module) => {
      if (!gone) cancel = afterNextPaint(() => create(module));
    });
    return () => {
      gone = true;
      cancel();
      editor.current?.destroy();
      editor.current = null;
    };
  }, []);

  // A change from outside (undo, redo) replaces the text without reporting it back.
  useEffect(() => {
    if (ready) editor.current?.setValue(value);
  }, [ready, value]);

  // The parse error's place follows the text; describedBy and invalid are plain attributes.
  useEffect(() => {
    if (ready && language === 'json') editor.current?.setErrorAt(errorAt);
  }, [ready, language, errorAt, value]);
  useEffect(() => {
    const content = ready ? editor.current?.content : undefined;
    if (!content) return;
    if (describedBy) content.setAttribute('aria-describedby', describedBy);
    else content.removeAttribute('aria-describedby');
    if (invalid) content.setAttribute('aria-invalid', 'true');
    else content.removeAttribute('aria-invalid');
  }, [ready, describedBy, invalid]);

  const className = [
    'expression-input',
    multiline && 'expression-input-multiline',
    language === 'json' && 'expression-input-json',
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <div ref={host} className={className} data-invalid={invalid || undefined} data-testid={testId}>
      {/* The text as it will look while CodeMirror loads (a moment, once per page). */}
      {!ready && (
        <div className="expression-input-loading" aria-hidden="true">
          {value || placeholder}
        </div>
      )}
    </div>
  );
}
