import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createDraft,
  formatPath,
  getPath,
  MAX_PATH_INDEX,
  PathError,
  type PathSegment,
  parsePath,
  removePath,
  setPath,
} from './paths.ts';

const forbidden = ['__proto__', 'prototype', 'constructor'];

/** Names that are hard to write in a path, or that an object inherits. */
const name = fc.oneof(
  fc.constantFrom('a', 'b', 'items', 'x.y', ' padded ', "it's", 'say "hi"', '[0]', 'a\\b', ''),
  fc.constantFrom('toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'length', '0'),
  fc.string({ maxLength: 6 }),
);
const segment: fc.Arbitrary<PathSegment> = fc.oneof(
  name.filter((key) => !forbidden.includes(key)),
  fc.integer({ min: 0, max: 4 }),
);
const path = fc.array(segment, { minLength: 1, maxLength: 5 });

/** Throws on any write, so a mutation of the original fails the property outright. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

function prototypesAreClean(): boolean {
  const probe: Record<string, unknown> = {};
  return (
    Object.getOwnPropertyNames(Object.prototype).every((key) => baselineObjectKeys.includes(key)) &&
    Object.getOwnPropertyNames(Array.prototype).every((key) => baselineArrayKeys.includes(key)) &&
    probe.polluted === undefined &&
    Object.getPrototypeOf(probe) === Object.prototype
  );
}
const baselineObjectKeys = Object.getOwnPropertyNames(Object.prototype);
const baselineArrayKeys = Object.getOwnPropertyNames(Array.prototype);

describe('parsePath', () => {
  it.each([
    ['customer.name', ['customer', 'name']],
    ['items[0].sku', ['items', 0, 'sku']],
    ['tags[2]', ['tags', 2]],
    ['[1][0]', [1, 0]],
    ['  a.b  ', ['a', 'b']],
    ['headers["x-api-key"]', ['headers', 'x-api-key']],
    ["meta['a.b'].c", ['meta', 'a.b', 'c']],
    ["q['it\\'s']", ['q', "it's"]],
    ['e[""]', ['e', '']],
    ['first name', ['first name']],
    ['é.日本', ['é', '日本']],
  ])('reads %j', (text, expected) => {
    expect(parsePath(text)).toEqual(expected);
  });

  it.each([
    ['', 'the path is empty'],
    ['   ', 'the path is empty'],
    ['a..b', '"a..b": a name is expected after "." at character 3'],
    ['.a', '".a": unexpected "." at character 1'],
    ['a.', '"a.": the path ends with "." at character 2'],
    ['a.[0]', 'a name is expected after "."'],
    ['items[0.sku', '"items[0.sku": "]" is expected at character 8'],
    ['items[x]', 'a list index or a quoted name is expected at character 7'],
    ['items[-1]', 'a list index or a quoted name is expected'],
    ['items[01]', 'an index has no leading zeros'],
    [`items[${MAX_PATH_INDEX + 1}]`, `an index is at most ${MAX_PATH_INDEX}`],
    ['a[0]b', '"." or "[" is expected before "b"'],
    ['a]', 'unexpected "]"'],
    ["a['b]", 'the quote is never closed'],
    ["a['b'", '"]" is expected'],
    ["a['\\n']", 'may only escape'],
    ['a. b', 'a name cannot start or end with a space'],
    ['__proto__', '"__proto__" cannot be used in a path'],
    ['a.constructor.prototype', '"constructor" cannot be used in a path'],
    ['a["__proto__"]', '"__proto__" cannot be used in a path'],
    ['x.prototype', '"prototype" cannot be used in a path'],
    [Array.from({ length: 101 }, () => 'a').join('.'), 'a path has at most 100 parts'],
  ])('refuses %j', (text, message) => {
    expect(() => parsePath(text)).toThrow(PathError);
    expect(() => parsePath(text)).toThrow(message);
  });

  it('reads back what formatPath writes', () => {
    fc.assert(
      fc.property(path, (segments) => {
        expect(parsePath(formatPath(segments))).toEqual(segments);
      }),
    );
  });
});

describe('editing by path', () => {
  it('creates objects and lists on the way, filling list gaps with null', () => {
    expect(setPath(undefined, ['customer', 'name'], 'Ada')).toEqual({ customer: { name: 'Ada' } });
    expect(setPath({}, ['items', 0, 'sku'], 'A-1')).toEqual({ items: [{ sku: 'A-1' }] });
    expect(setPath({ tags: ['a'] }, ['tags', 2], 'c')).toEqual({ tags: ['a', null, 'c'] });
    expect(setPath({ a: null }, ['a', 'b'], 1)).toEqual({ a: { b: 1 } });
  });

  it('refuses to write through a value that is not an object or a list', () => {
    expect(() => setPath({ name: 'Ada' }, ['name', 'first'], 'x')).toThrow(
      '"name" is text, not an object, so "first" cannot be set in it',
    );
    expect(() => setPath({ items: [] }, ['items', 'sku'], 'x')).toThrow('use [0] for a list item');
    expect(() => setPath({ items: {} }, ['items', 0], 'x')).toThrow(
      '"items" is an object, not a list',
    );
    expect(() => setPath('text', ['a'], 1)).toThrow('the top level is text');
    expect(() => setPath({ when: new Date(0) }, ['when', 'x'], 1)).toThrow('a Date');
  });

  it('reads only own data, never what an object inherits', () => {
    expect(getPath({}, ['toString'])).toBeUndefined();
    expect(getPath({ items: [1] }, ['items', 'length'])).toBeUndefined();
    expect(getPath({ items: [1] }, ['items', 1])).toBeUndefined();
    expect(createDraft({ a: undefined }).has(['a'])).toBe(true);
    expect(createDraft({}).has(['a'])).toBe(false);
  });

  it('removes keys and list items, and leaves the value alone when the path is absent', () => {
    expect(removePath({ a: { b: 1, c: 2 } }, ['a', 'b'])).toEqual({ a: { c: 2 } });
    expect(removePath({ items: ['x', 'y', 'z'] }, ['items', 1])).toEqual({ items: ['x', 'z'] });
    const original = { a: 1 };
    expect(removePath(original, ['b', 'c'])).toBe(original);
    expect(removePath(original, ['a', 'b'])).toBe(original);
  });

  it('copies what it touches once and shares the rest', () => {
    const input = { touched: { n: 1 }, untouched: { n: 2 } };
    const draft = createDraft(input);
    draft.set(['touched', 'm'], 1);
    draft.set(['touched', 'k'], 2);
    const output = draft.value as typeof input;
    expect(output).not.toBe(input);
    expect(output.untouched).toBe(input.untouched);
    expect(input).toEqual({ touched: { n: 1 }, untouched: { n: 2 } });
  });

  it('copies a value it was given before writing inside it', () => {
    const input = { customer: { name: 'Ada' } };
    const draft = createDraft(input);
    draft.set(['copy'], input.customer);
    draft.set(['copy', 'name'], 'Grace');
    expect(draft.value).toEqual({ customer: { name: 'Ada' }, copy: { name: 'Grace' } });
    expect(input.customer.name).toBe('Ada');
  });

  it('set then get returns the value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), path, fc.jsonValue(), (root, segments, value) => {
        let next: unknown;
        try {
          next = setPath(root, segments, value);
        } catch (error) {
          expect(error).toBeInstanceOf(PathError);
          return;
        }
        expect(getPath(next, segments)).toBe(value);
      }),
    );
    // From nothing every path can be created.
    fc.assert(
      fc.property(path, fc.jsonValue(), (segments, value) => {
        expect(getPath(setPath(undefined, segments, value), segments)).toBe(value);
      }),
    );
  });

  it('remove then get is undefined (a list item removed shortens its list)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), path, fc.jsonValue(), (root, segments, value) => {
        let filled: unknown;
        try {
          filled = setPath(root, segments, value);
        } catch {
          return;
        }
        const last = segments.at(-1)!;
        const parent = segments.slice(0, -1);
        const next = removePath(filled, segments);
        if (typeof last === 'string') {
          expect(getPath(next, segments)).toBeUndefined();
          expect(createDraft(next).has(segments)).toBe(false);
        } else {
          const before = getPath(filled, parent) as unknown[];
          expect((getPath(next, parent) as unknown[]).length).toBe(before.length - 1);
        }
      }),
    );
  });

  it('never mutates the value it starts from, even through values it was given', () => {
    const operation = fc.oneof(
      fc.record({ op: fc.constant('set' as const), path, value: fc.jsonValue() }),
      // A value taken from the original: later writes into it must copy it first.
      fc.record({ op: fc.constant('alias' as const), path, from: path }),
      fc.record({ op: fc.constant('remove' as const), path }),
    );
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 3 }), fc.jsonValue()),
        fc.array(operation, { maxLength: 8 }),
        (root, operations) => {
          const snapshot = structuredClone(root);
          deepFreeze(root);
          const draft = createDraft(root);
          for (const operation of operations) {
            try {
              if (operation.op === 'set') draft.set(operation.path, operation.value);
              else if (operation.op === 'alias') {
                draft.set(operation.path, getPath(root, operation.from));
              } else draft.remove(operation.path);
            } catch (error) {
              // A frozen original that was written to throws a TypeError, not a PathError.
              expect(error).toBeInstanceOf(PathError);
            }
          }
          expect(root).toEqual(snapshot);
        },
      ),
    );
  });

  it('no path string can pollute a prototype', () => {
    const piece = fc.constantFrom(
      '__proto__',
      'constructor',
      'prototype',
      'polluted',
      'a',
      '.',
      '[',
      ']',
      '0',
      '"',
      "'",
      '\\',
      ' ',
    );
    const text = fc.oneof(
      fc.array(piece, { maxLength: 10 }).map((pieces) => pieces.join('')),
      fc.string({ maxLength: 20 }),
    );
    const root = fc.oneof(
      fc.constant(undefined),
      fc.constant({}),
      fc.constant([]),
      fc.jsonValue(),
      fc.constant(JSON.parse('{"__proto__": {"polluted": "no"}, "a": [{}]}') as unknown),
    );
    fc.assert(
      fc.property(text, root, (source, start) => {
        let segments: PathSegment[];
        try {
          segments = parsePath(source);
        } catch (error) {
          expect(error).toBeInstanceOf(PathError);
          return;
        }
        for (const part of segments) expect(forbidden).not.toContain(part);
        const draft = createDraft(start);
        for (const [target, value] of [
          [segments, { polluted: true }],
          [[...segments, 'polluted'], true],
        ] as const) {
          try {
            draft.set(target, value);
            draft.remove(segments);
          } catch (error) {
            expect(error).toBeInstanceOf(PathError);
          }
        }
        expect(prototypesAreClean()).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses prototype segments even when given as segments directly', () => {
    for (const key of forbidden) {
      expect(() => setPath({}, [key, 'polluted'], true)).toThrow(PathError);
      expect(() => getPath({}, [key])).toThrow(PathError);
    }
    expect(prototypesAreClean()).toBe(true);
  });
});
