import { type ReactNode, useState } from 'react';
import { expressionPath, type PathSegment } from './data-paths.ts';

/** Children listed before "show more"; a webhook body can hold long arrays. */
const PAGE = 50;

/**
 * A collapsible JSON tree whose names and values are buttons: picking one hands its path
 * (from `root`) to `onPick`, which inserts the expression into the focused field. The buttons
 * keep the focus where it was (mousedown does not take it), so the field keeps its cursor.
 */
export function JsonTree({
  root,
  label,
  value,
  openDepth = 1,
  startsOpen,
  onPick,
  testId,
}: {
  root: readonly PathSegment[];
  label: ReactNode;
  value: unknown;
  /** Levels open at first. */
  openDepth?: number;
  /** Decides instead of `openDepth` which branches are open at first, by their path. */
  startsOpen?: (path: string, depth: number) => boolean;
  onPick(segments: readonly PathSegment[]): void;
  testId?: string;
}) {
  return (
    <ul className="json-tree" data-testid={testId}>
      <TreeItem
        segments={root}
        name={label}
        value={value}
        depth={0}
        startsOpen={startsOpen ?? ((_path, depth) => depth < openDepth)}
        onPick={onPick}
      />
    </ul>
  );
}

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return value !== null && typeof value === 'object';
}

function summary(value: Record<string, unknown> | unknown[]): string {
  if (Array.isArray(value)) return `[${value.length}]`;
  const size = Object.keys(value).length;
  return `{${size}}`;
}

function leafText(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'undefined';
  return String(value);
}

const keepFocus = (event: { preventDefault(): void }) => event.preventDefault();

function TreeItem({
  segments,
  name,
  value,
  depth,
  startsOpen,
  onPick,
}: {
  segments: readonly PathSegment[];
  name: ReactNode;
  value: unknown;
  depth: number;
  startsOpen(path: string, depth: number): boolean;
  onPick(segments: readonly PathSegment[]): void;
}) {
  const path = expressionPath(segments);
  const [open, setOpen] = useState(() => startsOpen(path, depth));
  const [shown, setShown] = useState(PAGE);
  const pick = (
    <button
      type="button"
      className="json-tree-name"
      onMouseDown={keepFocus}
      onClick={() => onPick(segments)}
      title={`Insert {{ ${path} }}`}
      data-testid="tree-pick"
      data-path={path}
    >
      {name}
    </button>
  );
  if (!isContainer(value)) {
    return (
      <li className="json-tree-item">
        <span className="json-tree-row">
          <span className="json-tree-toggle-space" />
          {pick}
          <button
            type="button"
            className="json-tree-value"
            data-type={value === null ? 'null' : typeof value}
            onMouseDown={keepFocus}
            onClick={() => onPick(segments)}
            title={`Insert {{ ${path} }}`}
            data-testid="tree-value"
            data-path={path}
          >
            {leafText(value)}
          </button>
        </span>
      </li>
    );
  }
  const entries: [PathSegment, unknown][] = Array.isArray(value)
    ? value.map((item, index) => [index, item])
    : Object.entries(value);
  return (
    <li className="json-tree-item">
      <span className="json-tree-row">
        <button
          type="button"
          className="json-tree-toggle"
          aria-label={open ? `Collapse ${path}` : `Expand ${path}`}
          aria-expanded={open}
          onMouseDown={keepFocus}
          onClick={() => setOpen(!open)}
          data-testid="tree-toggle"
          data-path={path}
        >
          <span aria-hidden="true">{open ? '▾' : '▸'}</span>
        </button>
        {pick}
        <span className="json-tree-summary">{summary(value)}</span>
      </span>
      {open && entries.length > 0 && (
        <ul>
          {entries.slice(0, shown).map(([key, child]) => (
            <TreeItem
              key={String(key)}
              segments={[...segments, key]}
              name={typeof key === 'number' ? `[${key}]` : key}
              value={child}
              depth={depth + 1}
              startsOpen={startsOpen}
              onPick={onPick}
            />
          ))}
          {entries.length > shown && (
            <li className="json-tree-item">
              <button
                type="button"
                className="button button-small button-quiet"
                onClick={() => setShown(shown + PAGE)}
              >
                Show {Math.min(PAGE, entries.length - shown)} more of {entries.length - shown}
              </button>
            </li>
          )}
        </ul>
      )}
    </li>
  );
}
