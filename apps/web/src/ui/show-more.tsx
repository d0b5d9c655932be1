import { type ReactNode, useState } from 'react';

/**
 * The first `first` items of a long list, and a button that shows the rest: a 300-node
 * workflow's lists (problems, placeholders, steps without output) would otherwise fill the
 * panel and cost the editor's first draw.
 */
export function useShowMore<T>(
  items: readonly T[],
  first: number,
  what: (count: number) => string,
  testId = 'show-more',
): { shown: readonly T[]; more: ReactNode } {
  const [all, setAll] = useState(false);
  if (all || items.length <= first) return { shown: items, more: null };
  const hidden = items.length - first;
  return {
    shown: items.slice(0, first),
    more: (
      <button
        type="button"
        className="button button-small show-more"
        onClick={() => setAll(true)}
        data-testid={testId}
      >
        Show {hidden} more {what(hidden)}
      </button>
    ),
  };
}
