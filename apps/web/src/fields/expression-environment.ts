/**
 * What expression fields know about the data at their node, provided by the editor: the paths
 * to complete, the context a live preview evaluates against, and where a value picked in the
 * data panel goes (the field that last had the focus). Forms work without it (no completion,
 * no preview).
 */
import { createContext, useContext } from 'react';

export interface DataPath {
  /** The JSONata path (`trigger.body.id`). */
  path: string;
  /** What kind of value is there: `string`, `number`, `object`, `array`, or `step`. */
  type: string;
  /** A short rendering of a leaf value. */
  preview?: string;
}

/** A field that can take an inserted expression at its cursor. */
export interface InsertTarget {
  /** Inserts a reference to `path`: the bare path inside `{{ }}`, `{{ path }}` elsewhere. */
  insertPath(path: string): void;
}

export interface ExpressionEnvironment {
  paths: readonly DataPath[];
  /** What `{{ }}` sees at this node in a test; null while no sample event is chosen. */
  context: Record<string, unknown> | null;
  /** Called when a field gets the focus, so the data panel can insert into it. */
  focused(target: InsertTarget): void;
}

const none: ExpressionEnvironment = { paths: [], context: null, focused: () => {} };

export const ExpressionEnvironmentContext = createContext<ExpressionEnvironment>(none);

export function useExpressionEnvironment(): ExpressionEnvironment {
  return useContext(ExpressionEnvironmentContext);
}

/** Whether `offset` in `text` lies inside an open `{{` that is not closed before it. */
export function insideExpression(text: string, offset: number): boolean {
  const before = text.slice(0, offset);
  const open = before.lastIndexOf('{{');
  return open !== -1 && before.indexOf('}}', open) === -1;
}

/** The text to insert for `path` at `offset` of `text`. */
export function insertionFor(text: string, offset: number, path: string): string {
  return insideExpression(text, offset) ? path : `{{ ${path} }}`;
}

/**
 * An InsertTarget for a plain `<input>` or `<textarea>`: writes at the cursor (replacing the
 * selection) and hands the new text to `onText`.
 */
export function textControlTarget(
  element: HTMLInputElement | HTMLTextAreaElement,
  onText: (text: string) => void,
): InsertTarget {
  return {
    insertPath(path) {
      const { value } = element;
      const start = element.selectionStart ?? value.length;
      const end = element.selectionEnd ?? start;
      const inserted = insertionFor(value, start, path);
      const next = value.slice(0, start) + inserted + value.slice(end);
      onText(next);
      requestAnimationFrame(() => {
        element.focus();
        element.setSelectionRange(start + inserted.length, start + inserted.length);
      });
    },
  };
}
