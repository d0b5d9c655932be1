import { describe, expect, it } from 'vitest';
import { describeBody, type PasteForm, readPasteForm } from './paste-sample.ts';

const form = (changes: Partial<PasteForm> = {}): PasteForm => ({
  name: 'Order',
  method: 'POST',
  contentType: 'application/json',
  headers: '',
  query: '',
  body: '{"order":{"id":7}}',
  ...changes,
});

describe('readPasteForm', () => {
  it('turns the texts into the request the API keeps', () => {
    expect(
      readPasteForm(
        form({ headers: 'X-Shop-Topic: orders/create', query: '?source=shop', method: 'put' }),
      ),
    ).toEqual({
      ok: true,
      name: 'Order',
      request: {
        method: 'put',
        headers: { 'content-type': 'application/json', 'x-shop-topic': 'orders/create' },
        query: { source: 'shop' },
        body: '{"order":{"id":7}}',
      },
      bodyKind: 'an object with 1 field',
    });
  });

  it('lets the headers name the content type', () => {
    const result = readPasteForm(
      form({ headers: 'Content-Type: application/x-www-form-urlencoded', body: 'a=1&b=2' }),
    );
    expect(result).toMatchObject({
      ok: true,
      request: { headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      bodyKind: 'an object with 2 fields',
    });
  });

  it('says what is wrong with each field at once', () => {
    expect(
      readPasteForm(
        form({ name: ' ', headers: 'no colon here', query: '{"a": 1}', body: '{"a": }' }),
      ),
    ).toEqual({
      ok: false,
      errors: {
        name: 'Give the sample a name.',
        headers: 'Line 1 of the headers is not "Name: value": no colon here.',
        query: 'The query is a JSON object of texts (or lists of texts).',
        body: 'The body is not valid JSON: unexpected "}" at line 1, column 7.',
      },
    });
    expect(readPasteForm(form({ method: 'GO T' }))).toMatchObject({
      ok: false,
      errors: { method: 'The method is a word such as POST or GET.' },
    });
  });

  it('accepts an empty body without a content type', () => {
    expect(readPasteForm(form({ method: 'GET', body: '' }))).toMatchObject({
      ok: true,
      request: { headers: {}, body: '' },
      bodyKind: 'no body',
    });
  });
});

describe('describeBody', () => {
  it('names the shape', () => {
    expect(describeBody([1])).toBe('a list of 1 item');
    expect(describeBody('hi')).toBe('text (2 characters)');
    expect(describeBody(3)).toBe('the value 3');
  });
});
