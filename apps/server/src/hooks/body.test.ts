import { brotliCompressSync, constants, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type BodyHeaders,
  type BodyLimits,
  BodyParseError,
  type ParsedBody,
  parseBody,
  parseForm,
} from './body.ts';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const brotli = (input: Buffer) =>
  brotliCompressSync(input, { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } });

/** The error parseBody rejected with, or a failure if it resolved. */
async function refusal(
  raw: Buffer,
  headers: BodyHeaders,
  limits?: Partial<BodyLimits>,
): Promise<BodyParseError> {
  const error = await parseBody(raw, headers, limits).then(
    (parsed) => new Error(`expected a refusal, got ${JSON.stringify(parsed).slice(0, 200)}`),
    (error: unknown) => error,
  );
  if (!(error instanceof BodyParseError)) throw error;
  return error;
}

/** A multipart/form-data body written out by hand, the way a client sends it. */
function multipart(boundary: string, parts: { headers: string[]; body: string | Buffer }[]) {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n${part.headers.join('\r\n')}\r\n\r\n`));
    chunks.push(Buffer.from(part.body));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

const field = (name: string, value: string) => ({
  headers: [`Content-Disposition: form-data; name="${name}"`],
  body: value,
});

/** Every byte value, and a near-boundary the parser must not cut the file at. */
const binary = Buffer.concat([
  Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
  Buffer.from('\r\n--formdat\r\n--'),
]);

describe('parseBody: content types', () => {
  const cases: {
    name: string;
    raw: Buffer;
    contentType?: string;
    expected: ParsedBody;
  }[] = [
    {
      name: 'empty body',
      raw: Buffer.alloc(0),
      contentType: 'application/json',
      expected: { kind: 'empty', value: null },
    },
    {
      name: 'JSON',
      raw: json({ order: 7, items: [{ sku: 'a' }], paid: true, note: null }),
      contentType: 'application/json',
      expected: {
        kind: 'json',
        value: { order: 7, items: [{ sku: 'a' }], paid: true, note: null },
      },
    },
    {
      name: 'JSON with parameters, in capitals',
      raw: json([1, 'two']),
      contentType: 'Application/JSON; charset=UTF-8',
      expected: { kind: 'json', value: [1, 'two'] },
    },
    {
      name: 'a +json type',
      raw: json({ type: 'about:blank' }),
      contentType: 'application/problem+json',
      expected: { kind: 'json', value: { type: 'about:blank' } },
    },
    {
      name: 'JSON with a byte order mark',
      raw: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json({ a: 1 })]),
      contentType: 'application/json',
      expected: { kind: 'json', value: { a: 1 } },
    },
    {
      name: 'a JSON scalar',
      raw: Buffer.from('"just a string"'),
      contentType: 'application/json',
      expected: { kind: 'json', value: 'just a string' },
    },
    {
      name: 'form fields, a repeated key becomes an array',
      raw: Buffer.from('a=1&tag=x&tag=y&tag=z&name=J%C3%BCrgen+M'),
      contentType: 'application/x-www-form-urlencoded',
      expected: { kind: 'form', value: { a: '1', tag: ['x', 'y', 'z'], name: 'Jürgen M' } },
    },
    {
      name: 'plain text',
      raw: Buffer.from('hello wörld\n'),
      contentType: 'text/plain',
      expected: { kind: 'text', value: 'hello wörld\n' },
    },
    {
      name: 'text in a declared charset',
      raw: Buffer.from([0x63, 0x61, 0x66, 0xe9]),
      contentType: 'text/plain; charset="iso-8859-1"',
      expected: { kind: 'text', value: 'café' },
    },
    {
      name: 'CSV is text',
      raw: Buffer.from('id,name\n1,a\n'),
      contentType: 'text/csv',
      expected: { kind: 'text', value: 'id,name\n1,a\n' },
    },
    {
      name: 'JSON sent as text/plain stays text',
      raw: json({ a: 1 }),
      contentType: 'text/plain; charset=utf-8',
      expected: { kind: 'text', value: '{"a":1}' },
    },
    {
      name: 'XML: the text and its parsed form, values kept as strings',
      raw: Buffer.from(
        '<?xml version="1.0"?><order id="007"><item>a &amp; b</item><item>c</item><total>10.50</total></order>',
      ),
      contentType: 'application/xml',
      expected: {
        kind: 'xml',
        value: {
          text: '<?xml version="1.0"?><order id="007"><item>a &amp; b</item><item>c</item><total>10.50</total></order>',
          xml: { order: { '@_id': '007', item: ['a & b', 'c'], total: '10.50' } },
        },
      },
    },
    {
      name: 'text/xml with CDATA and mixed content',
      raw: Buffer.from('<a x:y="1">text<b><![CDATA[<not a tag>]]></b></a>'),
      contentType: 'text/xml',
      expected: {
        kind: 'xml',
        value: {
          text: '<a x:y="1">text<b><![CDATA[<not a tag>]]></b></a>',
          xml: { a: { '#text': 'text', b: '<not a tag>', '@_x:y': '1' } },
        },
      },
    },
    {
      name: 'XML: character references and any number of entities are decoded',
      raw: Buffer.from(`<r a="&#x41;">${'&#233;&amp;'.repeat(5000)}</r>`),
      contentType: 'application/xml',
      expected: {
        kind: 'xml',
        value: {
          text: `<r a="&#x41;">${'&#233;&amp;'.repeat(5000)}</r>`,
          xml: { r: { '#text': 'é&'.repeat(5000), '@_a': 'A' } },
        },
      },
    },
    {
      name: 'a +xml type',
      raw: Buffer.from('<feed><title>t</title></feed>'),
      contentType: 'application/atom+xml',
      expected: {
        kind: 'xml',
        value: { text: '<feed><title>t</title></feed>', xml: { feed: { title: 't' } } },
      },
    },
    {
      name: 'binary: base64',
      raw: binary,
      contentType: 'application/octet-stream',
      expected: { kind: 'base64', value: binary.toString('base64') },
    },
    {
      name: 'an unknown type: base64, even when it is text',
      raw: Buffer.from('%PDF-1.7'),
      contentType: 'application/pdf',
      expected: { kind: 'base64', value: Buffer.from('%PDF-1.7').toString('base64') },
    },
    {
      name: 'no content type, JSON object: parsed',
      raw: json({ a: [1] }),
      expected: { kind: 'json', value: { a: [1] } },
    },
    {
      name: 'no content type, JSON-looking but invalid: text',
      raw: Buffer.from('{not json'),
      expected: { kind: 'text', value: '{not json' },
    },
    {
      name: 'no content type, too deep to be JSON: text',
      raw: Buffer.from(`${'['.repeat(101)}${']'.repeat(101)}`),
      expected: { kind: 'text', value: `${'['.repeat(101)}${']'.repeat(101)}` },
    },
    {
      name: 'no content type, a bare number stays text',
      raw: Buffer.from('42'),
      expected: { kind: 'text', value: '42' },
    },
    {
      name: 'no content type, not UTF-8: base64',
      raw: binary,
      expected: { kind: 'base64', value: binary.toString('base64') },
    },
    {
      name: 'an empty content type is no content type',
      raw: Buffer.from('plain words'),
      contentType: '',
      expected: { kind: 'text', value: 'plain words' },
    },
  ];

  it.each(cases)('$name', async ({ raw, contentType, expected }) => {
    expect(await parseBody(raw, { contentType })).toEqual(expected);
  });
});

describe('parseBody: multipart/form-data', () => {
  it('keeps fields (repeated ones as arrays) and files in base64', async () => {
    const raw = multipart('formdata', [
      field('tag', 'red'),
      field('note', 'hello wörld'),
      field('tag', 'blue'),
      {
        headers: [
          'Content-Disposition: form-data; name="attachments"; filename="a.txt"',
          'Content-Type: text/plain',
        ],
        body: 'first file',
      },
      {
        headers: [
          'Content-Disposition: form-data; name="attachments"; filename="../../etc/b.bin"',
          'Content-Type: application/octet-stream',
        ],
        body: binary,
      },
      field('empty', ''),
    ]);
    const parsed = await parseBody(raw, {
      contentType: 'multipart/form-data; boundary=formdata',
    });
    expect(parsed).toEqual({
      kind: 'multipart',
      value: {
        fields: { tag: ['red', 'blue'], note: 'hello wörld', empty: '' },
        files: [
          {
            name: 'attachments',
            filename: 'a.txt',
            type: 'text/plain',
            size: 10,
            content: Buffer.from('first file').toString('base64'),
          },
          {
            name: 'attachments',
            filename: 'b.bin',
            type: 'application/octet-stream',
            size: binary.length,
            content: binary.toString('base64'),
          },
        ],
      },
    });
  });

  it('keeps parts without a name or file name', async () => {
    const raw = multipart('x', [
      { headers: ['Content-Disposition: form-data'], body: 'v' },
      {
        headers: ['Content-Disposition: form-data', 'Content-Type: application/octet-stream'],
        body: 'abc',
      },
    ]);
    const parsed = await parseBody(raw, { contentType: 'multipart/form-data; boundary=x' });
    expect(parsed).toEqual({
      kind: 'multipart',
      value: {
        fields: { '': 'v' },
        files: [
          { name: '', filename: '', type: 'application/octet-stream', size: 3, content: 'YWJj' },
        ],
      },
    });
  });

  it('accepts a quoted boundary and a gzipped body', async () => {
    const raw = gzipSync(multipart('a b', [field('x', '1')]));
    const parsed = await parseBody(raw, {
      contentType: 'multipart/form-data; boundary="a b"',
      contentEncoding: 'gzip',
    });
    expect(parsed).toEqual({ kind: 'multipart', value: { fields: { x: '1' }, files: [] } });
  });
});

describe('parseBody: content encodings', () => {
  const payload = json({ event: 'order.paid', lines: [{ sku: 'ä', qty: 2 }] });
  const cases: { name: string; encoding: string; raw: Buffer }[] = [
    { name: 'identity', encoding: 'identity', raw: payload },
    { name: 'gzip', encoding: 'gzip', raw: gzipSync(payload) },
    { name: 'x-gzip', encoding: 'x-gzip', raw: gzipSync(payload) },
    { name: 'gzip in capitals', encoding: 'GZIP', raw: gzipSync(payload) },
    { name: 'deflate (zlib)', encoding: 'deflate', raw: deflateSync(payload) },
    {
      name: 'deflate (raw, as some senders do)',
      encoding: 'deflate',
      raw: deflateRawSync(payload),
    },
    { name: 'br', encoding: 'br', raw: brotli(payload) },
    { name: 'gzip then br', encoding: 'gzip, br', raw: brotli(gzipSync(payload)) },
    { name: 'identity listed with gzip', encoding: 'identity, gzip', raw: gzipSync(payload) },
  ];

  it.each(cases)('$name', async ({ encoding, raw }) => {
    const parsed = await parseBody(raw, {
      contentType: 'application/json',
      contentEncoding: encoding,
    });
    expect(parsed).toEqual({ kind: 'json', value: JSON.parse(payload.toString()) });
  });
});

describe('parseBody: refusals', () => {
  const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
  const deepXml = (depth: number) => `${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}`;
  const cases: {
    name: string;
    raw: Buffer;
    headers: BodyHeaders;
    limits?: Partial<BodyLimits>;
    status: number;
    code: string;
  }[] = [
    {
      name: 'invalid JSON',
      raw: Buffer.from('{"a":'),
      headers: { contentType: 'application/json' },
      status: 400,
      code: 'invalid_json',
    },
    {
      name: 'whitespace is not JSON',
      raw: Buffer.from('  \n'),
      headers: { contentType: 'application/json' },
      status: 400,
      code: 'invalid_json',
    },
    {
      name: 'JSON deeper than the limit',
      raw: Buffer.from(deep(101)),
      headers: { contentType: 'application/json' },
      status: 400,
      code: 'json_too_deep',
    },
    {
      name: 'JSON deeper than a configured limit',
      raw: json({ a: { b: { c: {} } } }),
      headers: { contentType: 'application/json' },
      limits: { maxJsonDepth: 3 },
      status: 400,
      code: 'json_too_deep',
    },
    {
      name: 'invalid UTF-8 in JSON',
      raw: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]),
      headers: { contentType: 'application/json' },
      status: 400,
      code: 'invalid_utf8',
    },
    {
      name: 'invalid UTF-8 in text',
      raw: Buffer.from([0x68, 0x69, 0xff]),
      headers: { contentType: 'text/plain' },
      status: 400,
      code: 'invalid_utf8',
    },
    {
      name: 'a lone surrogate encoded in UTF-8',
      raw: Buffer.from([0xed, 0xa0, 0x80]),
      headers: { contentType: 'text/plain; charset=utf-8' },
      status: 400,
      code: 'invalid_utf8',
    },
    {
      name: 'invalid UTF-8 in a form',
      raw: Buffer.from([0x61, 0x3d, 0xfe]),
      headers: { contentType: 'application/x-www-form-urlencoded' },
      status: 400,
      code: 'invalid_utf8',
    },
    {
      name: 'invalid UTF-8 in XML',
      raw: Buffer.from([0x3c, 0x61, 0x3e, 0xc0, 0x3c, 0x2f, 0x61, 0x3e]),
      headers: { contentType: 'application/xml' },
      status: 400,
      code: 'invalid_utf8',
    },
    {
      name: 'invalid text in another charset',
      raw: Buffer.from([0x82]),
      headers: { contentType: 'text/plain; charset=shift_jis' },
      status: 400,
      code: 'invalid_text',
    },
    {
      name: 'an unknown charset',
      raw: Buffer.from('hi'),
      headers: { contentType: 'text/plain; charset=klingon' },
      status: 415,
      code: 'unsupported_charset',
    },
    {
      name: 'malformed XML',
      raw: Buffer.from('<a><b></a>'),
      headers: { contentType: 'application/xml' },
      status: 400,
      code: 'invalid_xml',
    },
    {
      name: 'XML with an external entity',
      raw: Buffer.from(
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
      ),
      headers: { contentType: 'application/xml' },
      status: 400,
      code: 'invalid_xml',
    },
    {
      name: 'XML deeper than the limit',
      raw: Buffer.from(deepXml(101)),
      headers: { contentType: 'application/xml' },
      status: 400,
      code: 'xml_too_deep',
    },
    {
      name: 'too many form fields',
      raw: Buffer.from('a=1&b=2&c=3'),
      headers: { contentType: 'application/x-www-form-urlencoded' },
      limits: { maxParts: 2 },
      status: 413,
      code: 'too_many_fields',
    },
    {
      name: 'multipart without a boundary',
      raw: multipart('x', [field('a', '1')]),
      headers: { contentType: 'multipart/form-data' },
      status: 400,
      code: 'invalid_multipart',
    },
    {
      name: 'multipart cut short',
      raw: multipart('x', [field('a', '1')]).subarray(0, 50),
      headers: { contentType: 'multipart/form-data; boundary=x' },
      status: 400,
      code: 'invalid_multipart',
    },
    {
      name: 'multipart with another boundary',
      raw: multipart('x', [field('a', '1')]),
      headers: { contentType: 'multipart/form-data; boundary=y' },
      status: 400,
      code: 'invalid_multipart',
    },
    {
      name: 'multipart with too many parts',
      raw: multipart('x', [field('a', '1'), field('b', '2'), field('c', '3')]),
      headers: { contentType: 'multipart/form-data; boundary=x' },
      limits: { maxParts: 2 },
      status: 413,
      code: 'too_many_parts',
    },
    {
      name: 'multipart with a file over the file limit',
      raw: multipart('x', [
        {
          headers: ['Content-Disposition: form-data; name="f"; filename="big.bin"'],
          body: binary,
        },
      ]),
      headers: { contentType: 'multipart/form-data; boundary=x' },
      limits: { maxFileBytes: 100 },
      status: 413,
      code: 'file_too_large',
    },
    {
      name: 'an unknown content encoding',
      raw: Buffer.from('data'),
      headers: { contentType: 'text/plain', contentEncoding: 'compress' },
      status: 415,
      code: 'unsupported_encoding',
    },
    {
      name: 'an unknown encoding among known ones',
      raw: gzipSync(Buffer.from('data')),
      headers: { contentType: 'text/plain', contentEncoding: 'zstd, gzip' },
      status: 415,
      code: 'unsupported_encoding',
    },
    ...['constructor', '__proto__', 'toString'].map((encoding) => ({
      name: `an encoding named like an object key (${encoding})`,
      raw: Buffer.from('data'),
      headers: { contentType: 'text/plain', contentEncoding: encoding },
      status: 415,
      code: 'unsupported_encoding',
    })),
    {
      name: 'gzip that is not gzip',
      raw: Buffer.from('plain text'),
      headers: { contentType: 'text/plain', contentEncoding: 'gzip' },
      status: 400,
      code: 'invalid_encoding',
    },
    {
      name: 'gzip cut short',
      raw: gzipSync(Buffer.from('some text that compresses')).subarray(0, 12),
      headers: { contentType: 'text/plain', contentEncoding: 'gzip' },
      status: 400,
      code: 'invalid_encoding',
    },
    {
      name: 'br that is not br',
      raw: Buffer.from('plain text'),
      headers: { contentType: 'text/plain', contentEncoding: 'br' },
      status: 400,
      code: 'invalid_encoding',
    },
    {
      name: 'a body over the decoded limit without any encoding',
      raw: Buffer.alloc(1001, 0x61),
      headers: { contentType: 'text/plain' },
      limits: { maxDecodedBytes: 1000 },
      status: 413,
      code: 'decoded_body_too_large',
    },
    {
      name: 'a gzip body one byte over the decoded limit',
      raw: gzipSync(Buffer.alloc(1001, 0x61)),
      headers: { contentType: 'text/plain', contentEncoding: 'gzip' },
      limits: { maxDecodedBytes: 1000 },
      status: 413,
      code: 'decoded_body_too_large',
    },
  ];

  it.each(cases)('$name: $status $code', async ({ raw, headers, limits, status, code }) => {
    const error = await refusal(raw, headers, limits);
    expect({ status: error.status, code: error.code }).toEqual({ status, code });
    expect(error.message.length).toBeGreaterThan(10);
  });

  it('accepts a body exactly at the decoded limit', async () => {
    const parsed = await parseBody(
      gzipSync(Buffer.alloc(1000, 0x61)),
      { contentType: 'text/plain', contentEncoding: 'gzip' },
      { maxDecodedBytes: 1000 },
    );
    expect(parsed).toEqual({ kind: 'text', value: 'a'.repeat(1000) });
  });
});

describe('parseBody: depth limit', () => {
  const nested = (depth: number) => `${'{"a":'.repeat(depth - 1)}[]${'}'.repeat(depth - 1)}`;

  it('accepts JSON nested 100 deep and refuses 101', async () => {
    const ok = await parseBody(Buffer.from(nested(100)), { contentType: 'application/json' });
    expect(ok.kind).toBe('json');
    expect(JSON.stringify(ok.value)).toBe(nested(100));
    const error = await refusal(Buffer.from(nested(101)), { contentType: 'application/json' });
    expect(error.code).toBe('json_too_deep');
  });

  it('accepts XML nested 100 deep and refuses 101', async () => {
    const xml = (depth: number) => Buffer.from(`${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}`);
    expect((await parseBody(xml(100), { contentType: 'text/xml' })).kind).toBe('xml');
    expect((await refusal(xml(101), { contentType: 'text/xml' })).code).toBe('xml_too_deep');
  });

  it('refuses a million levels in one pass, without overflowing the stack', async () => {
    const started = performance.now();
    const error = await refusal(Buffer.from('['.repeat(1_000_000)), {
      contentType: 'application/json',
    });
    expect(error.code).toBe('json_too_deep');
    expect(performance.now() - started).toBeLessThan(2000);
    const xml = await refusal(Buffer.from('<a>'.repeat(300_000)), { contentType: 'text/xml' });
    expect(xml).toBeInstanceOf(BodyParseError);
  });

  it('does not count brackets inside strings', async () => {
    const value = { text: '[[[{{{'.repeat(100), quote: 'a \\" [[[ \\\\', list: [[['ok']]] };
    const parsed = await parseBody(json(value), { contentType: 'application/json' });
    expect(parsed).toEqual({ kind: 'json', value });
  });
});

describe('parseBody: compression bombs', () => {
  const fiftyMegabytes = Buffer.alloc(50 * 1024 * 1024);
  const bombs: { encoding: string; raw: Buffer }[] = [];
  beforeAll(() => {
    bombs.push(
      { encoding: 'gzip', raw: gzipSync(fiftyMegabytes) },
      { encoding: 'deflate', raw: deflateSync(fiftyMegabytes) },
      { encoding: 'br', raw: brotli(fiftyMegabytes) },
    );
  });

  it('refuses 50 MB of zeros (gzip, deflate, br) with 413, quickly', async () => {
    for (const { encoding, raw } of bombs) {
      expect(raw.length).toBeLessThan(100_000);
      const started = performance.now();
      const error = await refusal(
        raw,
        { contentType: 'application/json', contentEncoding: encoding },
        { maxDecodedBytes: 1024 * 1024 },
      );
      expect({ encoding, status: error.status, code: error.code }).toEqual({
        encoding,
        status: 413,
        code: 'decoded_body_too_large',
      });
      expect(performance.now() - started).toBeLessThan(500);
    }
  });

  it('stops a 4 GiB bomb at the limit: bounded time and memory', async () => {
    // gzip members may be concatenated: 4096 copies of 1 MiB of zeros, 4 MB on the wire.
    const member = gzipSync(Buffer.alloc(1024 * 1024));
    const raw = Buffer.concat(Array.from({ length: 4096 }, () => member));
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    const error = await refusal(raw, { contentType: 'text/plain', contentEncoding: 'gzip' });
    expect(error.status).toBe(413);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(256 * 1024 * 1024);
  });
});

describe('parseBody: prototype keys stay data', () => {
  it('keeps __proto__ and constructor as own keys and leaves Object.prototype alone', async () => {
    const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
    const payload =
      '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"a":{"__proto__":[1]}}';

    const fromJson = await parseBody(Buffer.from(payload), { contentType: 'application/json' });
    const fromForm = await parseBody(Buffer.from('__proto__=x&__proto__=y&constructor=z'), {
      contentType: 'application/x-www-form-urlencoded',
    });
    const fromMultipart = await parseBody(
      multipart('x', [field('__proto__', 'p'), field('constructor', 'c')]),
      { contentType: 'multipart/form-data; boundary=x' },
    );
    const fromSniff = await parseBody(Buffer.from(payload), {});

    for (const parsed of [fromJson, fromSniff]) {
      const value = parsed.value as Record<string, unknown>;
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
      expect(Object.hasOwn(value, '__proto__')).toBe(true);
      expect(Object.getOwnPropertyDescriptor(value, '__proto__')?.value).toEqual({
        polluted: true,
      });
      expect(JSON.stringify(value)).toBe(payload);
    }
    const form = fromForm.value as Record<string, unknown>;
    expect(Object.getPrototypeOf(form)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(form, '__proto__')?.value).toEqual(['x', 'y']);
    expect(form.constructor).toBe('z');
    const { fields } = fromMultipart.value as { fields: Record<string, unknown> };
    expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(fields, '__proto__')?.value).toBe('p');
    expect(JSON.stringify(fields)).toBe('{"__proto__":"p","constructor":"c"}');

    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('renames XML tags named like prototype keys', async () => {
    const parsed = await parseBody(
      Buffer.from(
        '<r><__proto__><polluted>1</polluted></__proto__><constructor>c</constructor></r>',
      ),
      { contentType: 'application/xml' },
    );
    expect(parsed.value).toMatchObject({
      xml: { r: { ____proto__: { polluted: '1' }, __constructor: 'c' } },
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('parseForm (also used for query strings) keeps the same rules', () => {
    const fields = parseForm('__proto__=1&a=2');
    expect(Object.getOwnPropertyDescriptor(fields, '__proto__')?.value).toBe('1');
    expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
  });
});

describe('parseBody: XML entity expansion', () => {
  it('does not expand a billion laughs', async () => {
    const entities = ['<!ENTITY lol0 "lol">'];
    for (let i = 1; i <= 9; i++) {
      entities.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
    }
    const raw = Buffer.from(
      `<?xml version="1.0"?><!DOCTYPE lolz [${entities.join('')}]><lolz>&lol9;</lolz>`,
    );
    const started = performance.now();
    const result = await parseBody(raw, { contentType: 'application/xml' }).catch(
      (error: unknown) => error,
    );
    expect(performance.now() - started).toBeLessThan(500);
    if (result instanceof BodyParseError) expect(result.code).toBe('invalid_xml');
    else expect(JSON.stringify(result).length).toBeLessThan(raw.length * 3);
  });

  it('does not blow up one large entity referenced many times', async () => {
    const raw = Buffer.from(
      `<!DOCTYPE r [<!ENTITY big "${'x'.repeat(900)}">]><r>${'&big;'.repeat(100_000)}</r>`,
    );
    const result = await parseBody(raw, { contentType: 'text/xml' }).catch(
      (error: unknown) => error,
    );
    if (result instanceof BodyParseError) expect(result.code).toBe('invalid_xml');
    else expect(JSON.stringify(result).length).toBeLessThan(raw.length * 3);
  });
});

describe('parseBody: properties', () => {
  const encode: Record<string, (input: Buffer) => Buffer> = {
    identity: (input) => input,
    gzip: (input) => gzipSync(input),
    deflate: (input) => deflateSync(input),
    br: brotli,
  };
  const encodings = Object.keys(encode);

  it('round-trips any JSON value within the depth limit, under any encoding', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.jsonValue({ maxDepth: 20 }),
        fc.constantFrom(undefined, 2),
        fc.constantFrom(...encodings),
        async (value, indent, encoding) => {
          const text = JSON.stringify(value, null, indent);
          const parsed = await parseBody(encode[encoding]!(Buffer.from(text)), {
            contentType: 'application/json',
            contentEncoding: encoding,
          });
          expect(parsed).toEqual({ kind: 'json', value: JSON.parse(text) });
        },
      ),
      { numRuns: 300 },
    );
  });

  const contentTypes = fc.oneof(
    fc.constantFrom(
      undefined,
      '',
      'application/json',
      'application/vnd.api+json',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=X',
      'multipart/form-data',
      'text/plain',
      'text/plain; charset=iso-8859-1',
      'text/plain; charset=utf-16le',
      'text/plain; charset=nonsense',
      'application/xml',
      'text/xml',
      'image/svg+xml',
      'application/octet-stream',
      ';;;',
    ),
    fc.string(),
  );
  const contentEncodings = fc.oneof(
    fc.constantFrom(undefined, '', 'identity', 'gzip', 'deflate', 'br', 'gzip, br', 'zstd'),
    fc.string(),
  );
  /** Bytes that are mostly fragments of the formats, to get past the first check. */
  const fragments = fc
    .array(
      fc.oneof(
        fc.constantFrom(
          '{',
          '}',
          '[',
          ']',
          '"',
          '\\',
          ':',
          ',',
          '1',
          'a',
          '=',
          '&',
          '%',
          '%ff',
          '<a>',
          '</a>',
          '<a b="1"/>',
          '<!DOCTYPE x [<!ENTITY e "&e;&e;">]>',
          '&e;',
          '&amp;',
          '<![CDATA[',
          ']]>',
          '--X',
          '--X--',
          '\r\n',
          '\r\n\r\n',
          'Content-Disposition: form-data; name="f"; filename="a"',
          'Content-Disposition: form-data; name="__proto__"',
          'Content-Type: application/octet-stream',
          '__proto__',
        ),
        fc.string({ maxLength: 4 }),
      ),
      { maxLength: 60 },
    )
    .map((parts) => Buffer.from(parts.join('')));
  const bytes = fc.oneof(
    fc.uint8Array({ maxLength: 2000 }).map((array) => Buffer.from(array)),
    fragments,
  );

  it('never fails with anything but BodyParseError, and always settles', async () => {
    await fc.assert(
      fc.asyncProperty(
        bytes,
        contentTypes,
        contentEncodings,
        fc.boolean(),
        async (body, contentType, contentEncoding, compress) => {
          const raw =
            compress && contentEncoding !== undefined && Object.hasOwn(encode, contentEncoding)
              ? encode[contentEncoding]!(body)
              : body;
          let timer: NodeJS.Timeout | undefined;
          const hung = new Promise<'hung'>((resolve) => {
            timer = setTimeout(() => resolve('hung'), 2000);
          });
          const outcome = await Promise.race([
            parseBody(raw, { contentType, contentEncoding }, { maxDecodedBytes: 64 * 1024 }).then(
              () => 'parsed',
              (error: unknown) => error,
            ),
            hung,
          ]);
          clearTimeout(timer);
          expect(outcome).not.toBe('hung');
          if (outcome !== 'parsed') expect(outcome).toBeInstanceOf(BodyParseError);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
