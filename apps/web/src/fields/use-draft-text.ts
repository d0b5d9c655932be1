import { useState } from 'react';

/**
 * Text that a widget edits on behalf of a value: what the user typed stays as typed (a half
 * number, JSON with a typo) while the value changes only when the text means something. When
 * the value changes from outside (undo, redo), the text is written afresh from it.
 *
 * Returns the text, and `edit(text, value?)`: pass the value the text stands for, if any, just
 * before sending it on, so that it is not mistaken for a change from outside.
 */
export function useDraftText(
  value: unknown,
  write: (value: unknown) => string,
): [string, (text: string, ...emitted: [] | [unknown]) => void] {
  const [text, setText] = useState(() => write(value));
  const [shown, setShown] = useState(() => value);
  if (!Object.is(value, shown)) {
    setShown(value);
    setText(write(value));
  }
  const edit = (next: string, ...emitted: [] | [unknown]) => {
    setText(next);
    if (emitted.length > 0) setShown(emitted[0]);
  };
  return [text, edit];
}
