/**
 * Paths into JSON values, as users write them in node configs: `customer.name`,
 * `items[0].sku`, `tags[2]`, `headers['x-api-key']`. Parsing is strict and reports the
 * character that is wrong; editing never mutates the value it starts from.
 */

/** One step of a path: an object key or a list index. */
export type PathSegment = string | number;

/** Segments that would reach an object's prototype instead of its data. */
const forbiddenKeys: ReadonlySet<string> = new Set(['__proto__', 'prototype', 'constructor']);

/** The largest list index a path may hold: a write past the end fills the gap with nulls. */
export const MAX_PATH_INDEX = 100_000;
/** The most segments a path may have. */
export const MAX_PATH_SEGMENTS = 100;

/** A path that cannot be read or written, with the reason in the message. */
export class PathError extends Error {
  override readonly name = 'PathError';
  readonly code = 'PATH';
}

/**
 * Reads a path. Names are separated by dots; `[n]` is a list index; `['name']` or `["name"]`
 * quotes a name holding dots, brackets, quotes or surrounding spaces (`\` escapes the quote
 * and itself). Throws PathError naming the character at fault.
 *
 * @example
 * parsePath("items[0].meta['x.y']"); // ['items', 0, 'meta', 'x.y']
 */
export function parsePath(text: string): PathSegment[] {
  // Paths come from configs and repeat on every run: parse each once. Callers never mutate.
  const known = parsedPaths.get(text);
  if (known) return known;
  const segments = parsePathUncached(text);
  if (parsedPaths.size >= 5000) parsedPaths.clear();
  parsedPaths.set(text, segments);
  return segments;
}

const parsedPaths = new Map<string, PathSegment[]>();

function parsePathUncached(text: string): PathSegment[] {
  const source = text.trim();
  if (source === '') throw new PathError('the path is empty');
  const segments: PathSegment[] = [];
  const fail = (message: string, at: number): never => {
    throw new PathError(`"${source}": ${message} at character ${at + 1}`);
  };
  let i = 0;
  let expectName = true;
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === '[') {
      const { segment, end } = readBracket(source, i, fail);
      segments.push(segment);
      i = end;
      expectName = false;
    } else if (ch === '.' && !expectName) {
      if (i + 1 >= source.length) fail('the path ends with "."', i);
      if (source[i + 1] === '.' || source[i + 1] === '[') {
        fail('a name is expected after "."', i + 1);
      }
      i++;
      expectName = true;
      continue;
    } else if (!expectName) {
      fail(ch === ']' ? 'unexpected "]"' : `"." or "[" is expected before "${ch}"`, i);
    } else {
      let end = i;
      while (end < source.length && !'.[]\'"'.includes(source[end]!)) end++;
      if (end === i) fail(`unexpected "${ch}"`, i);
      const name = source.slice(i, end);
      if (name.trim() !== name) {
        fail(`a name cannot start or end with a space (quote it: ['${name}'])`, i);
      }
      segments.push(name);
      i = end;
      expectName = false;
    }
    const last = segments.at(-1);
    if (typeof last === 'string' && forbiddenKeys.has(last)) {
      throw new PathError(
        `"${last}" cannot be used in a path: it would reach an object's prototype`,
      );
    }
    if (segments.length > MAX_PATH_SEGMENTS) {
      throw new PathError(`a path has at most ${MAX_PATH_SEGMENTS} parts`);
    }
  }
  return segments;
}

function readBracket(
  source: string,
  open: number,
  fail: (message: string, at: number) => never,
): { segment: PathSegment; end: number } {
  let i = open + 1;
  const quote = source[i];
  if (quote === '"' || quote === "'") {
    let name = '';
    i++;
    for (;;) {
      if (i >= source.length) return fail(`the quote is never closed`, open + 1);
      const ch = source[i]!;
      if (ch === '\\') {
        const next = source[i + 1];
        if (next !== '\\' && next !== quote) {
          return fail(`"\\" may only escape ${quote} or \\`, i);
        }
        name += next;
        i += 2;
      } else if (ch === quote) {
        i++;
        break;
      } else {
        name += ch;
        i++;
      }
    }
    if (source[i] !== ']') return fail('"]" is expected', i);
    return { segment: name, end: i + 1 };
  }
  const digits = /^\d+/.exec(source.slice(i))?.[0];
  if (digits === undefined) return fail('a list index or a quoted name is expected', i);
  if (digits.length > 1 && digits.startsWith('0')) fail('an index has no leading zeros', i);
  const index = Number(digits);
  if (index > MAX_PATH_INDEX) fail(`an index is at most ${MAX_PATH_INDEX}`, i);
  i += digits.length;
  if (source[i] !== ']') return fail('"]" is expected', i);
  return { segment: index, end: i + 1 };
}

const plainName = /^[^.[\]'"\s](?:[^.[\]'"]*[^.[\]'"\s])?$/;

/** Writes segments back as a path that parsePath reads to the same segments. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (plainName.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `['${segment.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}']`;
  }
  return out;
}

type Container = Record<string, unknown> | unknown[];

/** An object made by `{}` or JSON, not a Date, a Map or a class instance. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** How a value is named in messages. */
export function describeKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (isPlainObject(value)) return 'an object';
  if (typeof value === 'string') return 'text';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return `a ${typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value}`;
}

function assertSafe(segment: PathSegment): void {
  if (typeof segment === 'string' && forbiddenKeys.has(segment)) {
    throw new PathError(
      `"${segment}" cannot be used in a path: it would reach an object's prototype`,
    );
  }
}

/** The child at one segment, only when it is the value's own data. */
function child(value: unknown, segment: PathSegment): { found: boolean; value: unknown } {
  if (typeof segment === 'number') {
    if (Array.isArray(value) && segment < value.length) {
      return { found: true, value: value[segment] };
    }
  } else if (isPlainObject(value) && Object.hasOwn(value, segment)) {
    return { found: true, value: value[segment] };
  }
  return { found: false, value: undefined };
}

function where(segments: readonly PathSegment[]): string {
  return segments.length === 0 ? 'the top level' : `"${formatPath(segments)}"`;
}

/**
 * Edits a value by paths without mutating it: every object or list on the way to a change
 * is copied once (copy on write), so the value passed in, and anything the new values
 * share with it, stays as it was.
 */
export interface Draft {
  /** The edited value; the original when nothing changed. */
  readonly value: unknown;
  get(path: readonly PathSegment[]): unknown;
  has(path: readonly PathSegment[]): boolean;
  /** Creates missing objects and lists on the way; a gap in a list is filled with nulls. */
  set(path: readonly PathSegment[], value: unknown): void;
  /** Deletes a key, or takes an item out of a list (later items move up). False when absent. */
  remove(path: readonly PathSegment[]): boolean;
}

export function createDraft(initial: unknown): Draft {
  let root = initial;
  // Containers this draft created or copied: the only ones it ever writes to.
  const owned = new WeakSet<object>();

  const own = (value: Container): Container => {
    if (owned.has(value)) return value;
    const copy: Container = Array.isArray(value) ? value.slice() : { ...value };
    owned.add(copy);
    return copy;
  };

  const fresh = (segment: PathSegment): Container => {
    const created: Container = typeof segment === 'number' ? [] : {};
    owned.add(created);
    return created;
  };

  /** The container to write `segment` into, copied if needed; throws when it cannot hold it. */
  const writable = (
    value: unknown,
    segment: PathSegment,
    prefix: readonly PathSegment[],
  ): Container => {
    if (value === undefined || value === null) return fresh(segment);
    if (typeof segment === 'number') {
      if (Array.isArray(value)) return own(value);
      throw new PathError(
        `${where(prefix)} is ${describeKind(value)}, not a list, so [${segment}] cannot be set in it`,
      );
    }
    if (isPlainObject(value)) return own(value);
    const hint = Array.isArray(value) ? ' (use [0] for a list item)' : '';
    throw new PathError(
      `${where(prefix)} is ${describeKind(value)}, not an object, so "${segment}" cannot be set in it${hint}`,
    );
  };

  // writable() pairs lists with indexes and objects with names.
  const write = (container: Container, segment: PathSegment, value: unknown): void => {
    if (Array.isArray(container) && typeof segment === 'number') {
      while (container.length < segment) container.push(null);
      container[segment] = value;
    } else if (!Array.isArray(container) && typeof segment === 'string') {
      container[segment] = value;
    }
  };

  const setIn = (
    node: unknown,
    path: readonly PathSegment[],
    depth: number,
    value: unknown,
  ): Container => {
    const segment = path[depth]!;
    const container = writable(node, segment, path.slice(0, depth));
    const next =
      depth === path.length - 1
        ? value
        : setIn(child(container, segment).value, path, depth + 1, value);
    write(container, segment, next);
    return container;
  };

  const walk = (path: readonly PathSegment[]): { found: boolean; value: unknown } => {
    let current: { found: boolean; value: unknown } = { found: true, value: root };
    for (const segment of path) {
      assertSafe(segment);
      current = child(current.value, segment);
      if (!current.found) return current;
    }
    return current;
  };

  return {
    get value() {
      return root;
    },
    get: (path) => walk(path).value,
    has: (path) => path.length > 0 && walk(path).found,
    set(path, value) {
      if (path.length === 0) throw new PathError('the path is empty');
      for (const segment of path) assertSafe(segment);
      root = setIn(root, path, 0, value);
    },
    remove(path) {
      if (path.length === 0 || !walk(path).found) return false;
      const last = path.at(-1)!;
      const parentPath = path.slice(0, -1);
      const parent = walk(parentPath).value;
      // walk() found the path, so the parent is a list (last is an index) or a plain object.
      if (!Array.isArray(parent) && !isPlainObject(parent)) return false;
      const copy = own(parent);
      if (Array.isArray(copy) && typeof last === 'number') copy.splice(last, 1);
      else if (!Array.isArray(copy) && typeof last === 'string') delete copy[last];
      // Writing the copy back copies every container above it that this draft does not own.
      root = parentPath.length === 0 ? copy : setIn(root, parentPath, 0, copy);
      return true;
    },
  };
}

/** The value at a path, or undefined. Reads only the value's own data. */
export function getPath(value: unknown, path: readonly PathSegment[]): unknown {
  return createDraft(value).get(path);
}

/** A copy of `value` with `path` set; `value` is not changed. */
export function setPath(value: unknown, path: readonly PathSegment[], next: unknown): unknown {
  const draft = createDraft(value);
  draft.set(path, next);
  return draft.value;
}

/** A copy of `value` without `path`; `value` itself when the path is absent. */
export function removePath(value: unknown, path: readonly PathSegment[]): unknown {
  const draft = createDraft(value);
  draft.remove(path);
  return draft.value;
}
