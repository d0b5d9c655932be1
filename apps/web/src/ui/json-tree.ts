/**
 * The pure half of the JSON viewer: how a path reads as an expression, and which paths a
 * search matches. Unit-tested; json-viewer.tsx draws the tree.
 */

export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * The expression that reads `segments` below `base`, as the editor's `{{ }}` fields take it:
 * `{{ steps.crm.body.items[0].`content-type` }}`. Names that are not identifiers are quoted with
 * backticks, as JSONata wants.
 */
export function expressionPath(base: string, segments: readonly PathSegment[]): string {
  let path = base;
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) path += path ? `.${segment}` : segment;
    else path += `${path ? '.' : ''}\`${segment.replaceAll('`', '\\`')}\``;
  }
  return `{{ ${path || '$'} }}`;
}

/** A stable string key for a path, for sets of expanded or matching nodes. */
export function pathKey(segments: readonly PathSegment[]): string {
  return JSON.stringify(segments);
}

export function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return typeof value === 'object' && value !== null;
}

/** The children of an object or array, as [segment, value] pairs. */
export function entriesOf(value: Record<string, unknown> | unknown[]): [PathSegment, unknown][] {
  return Array.isArray(value) ? value.map((item, index) => [index, item]) : Object.entries(value);
}

export interface SearchResult {
  /** The lower-cased text searched for ('' for none). */
  needle: string;
  /** Paths whose name or (primitive) value contains the text. */
  matches: Set<string>;
  /** Paths to open so that every match shows: the ancestors of the matches. */
  open: Set<string>;
  count: number;
}

/** Every node whose key or primitive value contains `query` (case-insensitive), up to `limit`. */
export function searchJson(value: unknown, query: string, limit = 500): SearchResult {
  const needle = query.trim().toLowerCase();
  const result: SearchResult = { needle, matches: new Set(), open: new Set(), count: 0 };
  if (!needle) return result;
  const visit = (node: unknown, path: PathSegment[]): void => {
    if (result.count >= limit) return;
    const name = path.at(-1);
    const own =
      (typeof name === 'string' && name.toLowerCase().includes(needle)) ||
      (!isContainer(node) && String(node).toLowerCase().includes(needle));
    if (own) {
      result.matches.add(pathKey(path));
      result.count++;
      for (let depth = 0; depth < path.length; depth++) {
        result.open.add(pathKey(path.slice(0, depth)));
      }
    }
    if (isContainer(node)) {
      for (const [segment, child] of entriesOf(node)) visit(child, [...path, segment]);
    }
  };
  visit(value, []);
  return result;
}

/** One line's preview of a value: `{3 keys}`, `[12 items]`, `"text"`, `42`. */
export function previewOf(value: unknown): string {
  if (Array.isArray(value)) return `[${value.length} item${value.length === 1 ? '' : 's'}]`;
  if (isContainer(value)) {
    const size = Object.keys(value).length;
    return `{${size} key${size === 1 ? '' : 's'}}`;
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'undefined';
  return String(value);
}
