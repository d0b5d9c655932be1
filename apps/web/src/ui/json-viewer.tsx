import { type ReactNode, useEffect, useMemo, useState } from 'react';
import { formatJson } from '../lib/format.ts';
import { copyText } from './copy-button.tsx';
import {
  entriesOf,
  expressionPath,
  isContainer,
  type PathSegment,
  pathKey,
  previewOf,
  type SearchResult,
  searchJson,
} from './json-tree.ts';
import './json-viewer.css';

/** Nodes deeper than this start closed; a search opens what it finds. */
const OPEN_DEPTH = 2;
/** Children drawn per container before a "show more" line, so a huge array stays fast. */
const CHILD_PAGE = 100;

/**
 * A collapsible, searchable JSON tree. Each line copies its value, or its path as an
 * expression (`{{ steps.crm.body.id }}`) when `expressionBase` says where the value lives.
 */
export function JsonViewer({
  label,
  value,
  expressionBase,
  testId,
  tone,
}: {
  label: string;
  value: unknown;
  /** Where this value sits in the run context (`steps.crm`, `trigger.body`); no path copy without it. */
  expressionBase?: string;
  testId?: string;
  tone?: 'error';
}) {
  const [query, setQuery] = useState('');
  const [raw, setRaw] = useState(false);
  const search = useMemo(() => searchJson(value, query), [value, query]);
  const [copied, setCopied] = useState<string | null>(null);
  useEffect(() => {
    if (copied === null) return;
    const timer = window.setTimeout(() => setCopied(null), 1500);
    return () => window.clearTimeout(timer);
  }, [copied]);

  const copy = async (text: string, what: string) => {
    setCopied((await copyText(text)) ? `Copied ${what}` : 'Copy failed');
  };
  const container = isContainer(value);

  return (
    <figure
      className={`json-viewer${tone === 'error' ? ' json-viewer-error' : ''}`}
      data-testid={testId}
    >
      <figcaption className="json-viewer-bar">
        <span className="json-viewer-label">{label}</span>
        {container && !raw && (
          <input
            className="input json-viewer-search"
            type="search"
            placeholder="Search keys and values"
            aria-label={`Search ${label}`}
            data-testid="json-search"
            value={query}
            onChange={(event) => setQuery(event.target.value)}
          />
        )}
        {query && !raw && (
          <span className="muted small" data-testid="json-match-count">
            {search.count} match{search.count === 1 ? '' : 'es'}
          </span>
        )}
        <span className="json-viewer-status" role="status">
          {copied}
        </span>
        {container && (
          <button
            type="button"
            className="button button-small button-quiet"
            aria-pressed={raw}
            onClick={() => setRaw(!raw)}
          >
            {raw ? 'Tree' : 'Raw'}
          </button>
        )}
        <button
          type="button"
          className="button button-small button-quiet"
          data-testid="json-copy-all"
          onClick={() => copy(formatJson(value), label.toLowerCase())}
        >
          Copy
        </button>
      </figcaption>
      {raw || !container ? (
        <pre className="json-viewer-raw" data-testid="json-raw">
          {formatJson(value)}
        </pre>
      ) : (
        <ul className="json-tree" aria-label={label}>
          {entriesOf(value).map(([segment, child]) => (
            <JsonLine
              key={String(segment)}
              segment={segment}
              value={child}
              path={[segment]}
              search={search}
              expressionBase={expressionBase}
              onCopy={copy}
            />
          ))}
          {entriesOf(value).length === 0 && (
            <li className="muted json-empty">{Array.isArray(value) ? '[]' : '{}'}</li>
          )}
        </ul>
      )}
    </figure>
  );
}

function JsonLine({
  segment,
  value,
  path,
  search,
  expressionBase,
  onCopy,
}: {
  segment: PathSegment;
  value: unknown;
  path: PathSegment[];
  search: SearchResult;
  expressionBase: string | undefined;
  onCopy: (text: string, what: string) => void;
}) {
  const key = pathKey(path);
  const container = isContainer(value);
  const searchOpens = search.open.has(key);
  const [open, setOpen] = useState(path.length < OPEN_DEPTH);
  const [shown, setShown] = useState(CHILD_PAGE);
  const isOpen = container && (open || searchOpens);
  const matched = search.matches.has(key);
  const children = isOpen ? entriesOf(value) : [];
  const expression = expressionBase === undefined ? null : expressionPath(expressionBase, path);

  return (
    <li className="json-line" data-path={key} data-match={matched || undefined}>
      <div className="json-row">
        {container ? (
          <button
            type="button"
            className="json-toggle"
            aria-label={isOpen ? 'Collapse' : 'Expand'}
            aria-expanded={isOpen}
            onClick={() => setOpen(!isOpen)}
          >
            {isOpen ? '▾' : '▸'}
          </button>
        ) : (
          <span className="json-toggle-space" />
        )}
        <span className={typeof segment === 'number' ? 'json-index' : 'json-key'}>
          {highlight(String(segment), search, matched)}
        </span>
        <span className="json-colon">:</span>
        <span className={`json-value json-${kindOf(value)}`} data-testid="json-value">
          {container ? (
            <span className="json-preview">{previewOf(value)}</span>
          ) : (
            highlight(previewOf(value), search, matched)
          )}
        </span>
        <span className="json-actions">
          <button
            type="button"
            className="json-action"
            title="Copy the value"
            data-testid="json-copy-value"
            onClick={() =>
              onCopy(typeof value === 'string' ? value : formatJson(value), 'the value')
            }
          >
            Copy value
          </button>
          {expression && (
            <button
              type="button"
              className="json-action"
              title={`Copy ${expression}`}
              data-testid="json-copy-path"
              data-expression={expression}
              onClick={() => onCopy(expression, expression)}
            >
              Copy path
            </button>
          )}
        </span>
      </div>
      {isOpen && (
        <ul className="json-children">
          {children.slice(0, shown).map(([child, childValue]) => (
            <JsonLine
              key={String(child)}
              segment={child}
              value={childValue}
              path={[...path, child]}
              search={search}
              expressionBase={expressionBase}
              onCopy={onCopy}
            />
          ))}
          {children.length > shown && (
            <li>
              <button
                type="button"
                className="button button-small button-quiet"
                onClick={() => setShown(shown + CHILD_PAGE * 10)}
              >
                Show {Math.min(children.length - shown, CHILD_PAGE * 10)} more of {children.length}
              </button>
            </li>
          )}
          {children.length === 0 && (
            <li className="muted json-empty">
              {Array.isArray(value) ? 'empty list' : 'empty object'}
            </li>
          )}
        </ul>
      )}
    </li>
  );
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** The text with the search's hits marked, when this line is one. */
function highlight(text: string, search: SearchResult, matched: boolean): ReactNode {
  const query = search.needle;
  if (!matched || !query) return text;
  const parts: ReactNode[] = [];
  const lower = text.toLowerCase();
  let from = 0;
  for (let at = lower.indexOf(query); at !== -1; at = lower.indexOf(query, from)) {
    parts.push(text.slice(from, at), <mark key={at}>{text.slice(at, at + query.length)}</mark>);
    from = at + query.length;
  }
  parts.push(text.slice(from));
  return parts;
}
