import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formFields,
  formText,
  parseHeaderText,
  parseQueryText,
  readSampleBody,
  sampleRequestSchema,
} from './sample-request.ts';

describe('readSampleBody', () => {
  it('reads JSON, form fields, text and nothing by content type', () => {
    expect(readSampleBody('{"a":1}', 'application/json; charset=utf-8')).toMatchObject({
      ok: true,
      value: { a: 1 },
    });
    expect(readSampleBody('[1]', 'application/vnd.api+json')).toMatchObject({ value: [1] });
    expect(readSampleBody('a=1&tag=x&tag=y', 'application/x-www-form-urlencoded')).toMatchObject({
      value: { a: '1', tag: ['x', 'y'] },
    });
    expect(readSampleBody('hello', 'text/plain')).toMatchObject({ value: 'hello' });
    expect(readSampleBody('  ', 'application/json')).toMatchObject({ ok: true, value: null });
    // No content type: JSON when it looks like JSON, else text.
    expect(readSampleBody('{"a":1}', undefined)).toMatchObject({ value: { a: 1 } });
    expect(readSampleBody('ping', undefined)).toMatchObject({ value: 'ping' });
  });

  it('says where JSON is broken', () => {
    const result = readSampleBody('{\n  "a": 1,\n  "b": }', 'application/json');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toBe(
      'the body is not valid JSON: unexpected "}" at line 3, column 8',
    );
    expect(readSampleBody('{"a":', undefined)).toEqual({
      ok: false,
      message: 'the body is not valid JSON: it ends too early (line 1, column 6)',
    });
    expect(readSampleBody('{"a":', undefined).ok).toBe(false);
  });

  it('finds a problem exactly when JSON.parse does (cut and spliced JSON)', () => {
    fc.assert(
      fc.property(fc.json(), fc.nat(), fc.string({ maxLength: 2 }), (json, cut, splice) => {
        const at = cut % (json.length + 1);
        const text = json.slice(0, at) + splice + json.slice(at);
        let parses = true;
        try {
          JSON.parse(text);
        } catch {
          parses = false;
        }
        expect(readSampleBody(text, 'application/json').ok).toBe(parses);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses kinds a paste cannot stand for', () => {
    const result = readSampleBody('<a/>', 'application/xml');
    expect(!result.ok && result.message).toContain('not application/xml');
  });
});

describe('form fields', () => {
  it('round-trip through formText', () => {
    const fields = { name: 'Ada Lovelace', tag: ['a', 'b & c'], empty: '' };
    expect(formFields(formText(fields))).toEqual(fields);
  });
});

describe('parseHeaderText', () => {
  it('reads Name: value lines and JSON objects, names lower-cased', () => {
    expect(parseHeaderText('Content-Type: application/json\n\nX-Token:  a:b ')).toEqual({
      ok: true,
      value: { 'content-type': 'application/json', 'x-token': 'a:b' },
    });
    expect(parseHeaderText('{"X-Count": 2}')).toEqual({ ok: true, value: { 'x-count': '2' } });
    expect(parseHeaderText('')).toEqual({ ok: true, value: {} });
  });

  it('names the line that is not a header', () => {
    expect(parseHeaderText('A: 1\nnot a header')).toEqual({
      ok: false,
      message: 'line 2 of the headers is not "Name: value": not a header',
    });
    expect(parseHeaderText('{"a": {}}')).toMatchObject({ ok: false });
  });
});

describe('parseQueryText', () => {
  it('reads a query string, a URL or a JSON object', () => {
    expect(parseQueryText('?a=1&b=2&b=3')).toEqual({ ok: true, value: { a: '1', b: ['2', '3'] } });
    expect(parseQueryText('https://x.test/p?form=contact')).toEqual({
      ok: true,
      value: { form: 'contact' },
    });
    expect(parseQueryText('{"a": ["1"]}')).toEqual({ ok: true, value: { a: ['1'] } });
    expect(parseQueryText('{"a": 1}')).toMatchObject({ ok: false });
  });
});

describe('sampleRequestSchema', () => {
  it('upper-cases the method, lower-cases header names and refuses multi-line values', () => {
    expect(
      sampleRequestSchema.parse({ method: 'post', headers: { 'X-A': ' 1 ' }, body: '{}' }),
    ).toEqual({ method: 'POST', headers: { 'x-a': '1' }, query: {}, body: '{}' });
    expect(sampleRequestSchema.safeParse({ headers: { a: 'x\ny' } }).success).toBe(false);
    expect(sampleRequestSchema.safeParse({ method: 'PO ST' }).success).toBe(false);
  });
});
