/**
 * Turns the raw bytes of a webhook into the `trigger.body` a workflow sees. The raw bytes are
 * always kept as received (the caller stores them); this is only the parsed view.
 *
 * What a workflow sees, by Content-Type (after Content-Encoding is undone):
 *
 * | content type                               | kind        | `trigger.body`                                  |
 * | ------------------------------------------ | ----------- | ----------------------------------------------- |
 * | (empty body, any type)                     | `empty`     | `null`                                          |
 * | application/json, any +json                | `json`      | the parsed value                                |
 * | application/x-www-form-urlencoded          | `form`      | `{ "a": "1", "tag": ["x", "y"] }`               |
 * | multipart/form-data                        | `multipart` | `{ "fields": {...}, "files": [UploadedFile] }`  |
 * | application/xml, text/xml, any +xml        | `xml`       | `{ "text": "<a>..</a>", "xml": { "a": ... } }`  |
 * | text/*                                     | `text`      | the text                                        |
 * | none                                       | sniffed     | JSON if it parses as an object or array, else   |
 * |                                            |             | text if it is valid UTF-8, else base64          |
 * | anything else                              | `base64`    | the bytes in base64                             |
 *
 * A body that claims a type and is not of it (invalid JSON, invalid UTF-8, malformed XML or
 * multipart) is refused with a {@link BodyParseError}: the sender learns at once, instead of a
 * workflow failing later. A body without a Content-Type is never refused for its content: the
 * sender made no claim, so it gets the most useful view that fits.
 */

import { TextDecoder } from 'node:util';
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import Busboy, { type BusboyInstance } from '@fastify/busboy';
import { XMLParser } from 'fast-xml-parser';

export type BodyErrorCode =
  | 'invalid_json'
  | 'json_too_deep'
  | 'invalid_utf8'
  | 'invalid_text'
  | 'unsupported_charset'
  | 'invalid_xml'
  | 'xml_too_deep'
  | 'invalid_multipart'
  | 'too_many_parts'
  | 'too_many_fields'
  | 'file_too_large'
  | 'unsupported_encoding'
  | 'invalid_encoding'
  | 'decoded_body_too_large';

/** A body that cannot be accepted; the ingress answers `status` with `{ error: { code, message } }`. */
export class BodyParseError extends Error {
  override readonly name = 'BodyParseError';
  constructor(
    readonly status: 400 | 413 | 415,
    readonly code: BodyErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface BodyHeaders {
  contentType?: string | undefined;
  contentEncoding?: string | undefined;
}

export interface BodyLimits {
  /** Largest body after Content-Encoding is undone (also applies when there is none). */
  maxDecodedBytes: number;
  /** Deepest nesting of JSON arrays and objects, and of XML elements. */
  maxJsonDepth: number;
  /** Most parts of a multipart body, and most fields of a urlencoded form. */
  maxParts: number;
  /** Largest single file of a multipart body; by default only `maxDecodedBytes` bounds it. */
  maxFileBytes?: number;
}

export const defaultBodyLimits: BodyLimits = {
  maxDecodedBytes: 10 * 1024 * 1024,
  maxJsonDepth: 100,
  maxParts: 1000,
};

export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

/** Form fields; a key sent more than once becomes an array in the order received. */
export type FormFields = Record<string, string | string[]>;

export interface UploadedFile {
  /** The form field the file was sent under. */
  name: string;
  /** The file name the sender gave, without any directory part. */
  filename: string;
  /** The part's Content-Type (`text/plain` when the part had none, as RFC 7578 says). */
  type: string;
  size: number;
  /** The file's bytes in base64. */
  content: string;
}

export type ParsedBody =
  | { kind: 'empty'; value: null }
  | { kind: 'json'; value: JsonValue }
  | { kind: 'form'; value: FormFields }
  | { kind: 'multipart'; value: { fields: FormFields; files: UploadedFile[] } }
  | { kind: 'xml'; value: { text: string; xml: Record<string, unknown> } }
  | { kind: 'text'; value: string }
  | { kind: 'base64'; value: string };

/**
 * Parses a webhook body. Asynchronous because multipart bodies go through busboy, a stream
 * parser; everything else finishes in the same turn. Rejects only with {@link BodyParseError}.
 *
 * @example
 * const body = Buffer.from('{"order":7}');
 * const parsed = await parseBody(body, { contentType: 'application/json' });
 * // parsed: { kind: 'json', value: { order: 7 } }
 */
export async function parseBody(
  raw: Buffer,
  headers: BodyHeaders,
  limits: Partial<BodyLimits> = {},
): Promise<ParsedBody> {
  // Field by field, so a limit passed as undefined still gets its default.
  const limit: BodyLimits = {
    maxDecodedBytes: limits.maxDecodedBytes ?? defaultBodyLimits.maxDecodedBytes,
    maxJsonDepth: limits.maxJsonDepth ?? defaultBodyLimits.maxJsonDepth,
    maxParts: limits.maxParts ?? defaultBodyLimits.maxParts,
    maxFileBytes: limits.maxFileBytes,
  };
  if (raw.length === 0) return { kind: 'empty', value: null };
  const body = decodeContent(raw, headers.contentEncoding, limit.maxDecodedBytes);
  if (body.length === 0) return { kind: 'empty', value: null };

  const contentType = headers.contentType ?? '';
  const { mediaType, charset } = parseContentType(contentType);
  if (mediaType === '') return sniff(body, limit);
  if (mediaType === 'application/json' || mediaType.endsWith('+json')) {
    return { kind: 'json', value: parseJson(decodeText(body, charset), limit.maxJsonDepth) };
  }
  if (mediaType === 'application/x-www-form-urlencoded') {
    return { kind: 'form', value: parseForm(decodeText(body, charset), limit.maxParts) };
  }
  if (mediaType === 'multipart/form-data') {
    // busboy reads the boundary (and only it) from the whole header.
    return { kind: 'multipart', value: await parseMultipart(body, contentType, limit) };
  }
  if (mediaType === 'application/xml' || mediaType === 'text/xml' || mediaType.endsWith('+xml')) {
    const text = decodeText(body, charset);
    return { kind: 'xml', value: { text, xml: parseXml(text, limit.maxJsonDepth) } };
  }
  if (mediaType.startsWith('text/')) return { kind: 'text', value: decodeText(body, charset) };
  return { kind: 'base64', value: body.toString('base64') };
}

/**
 * Form fields (a urlencoded body or a query string). Prototype keys such as `__proto__` stay
 * plain own properties.
 */
export function parseForm(text: string, maxFields = Number.POSITIVE_INFINITY): FormFields {
  const params = new URLSearchParams(text);
  let count = 0;
  for (const _ of params.keys()) {
    if (++count > maxFields) {
      throw new BodyParseError(
        413,
        'too_many_fields',
        `the form has more than ${maxFields} fields`,
      );
    }
  }
  return collectFields(params);
}

function collectFields(pairs: Iterable<[string, string]>): FormFields {
  // A null-prototype object so `__proto__` is stored, not interpreted; the spread then copies
  // every key as an own property of a plain object (spread defines, it does not assign).
  const fields: FormFields = Object.create(null);
  for (const [key, value] of pairs) {
    const existing = fields[key];
    if (existing === undefined) fields[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else fields[key] = [existing, value];
  }
  return { ...fields };
}

/** No Content-Type: JSON when it clearly is JSON, else text when it is UTF-8, else base64. */
function sniff(body: Buffer, limit: BodyLimits): ParsedBody {
  let text: string;
  try {
    text = decodeText(body, undefined);
  } catch {
    return { kind: 'base64', value: body.toString('base64') };
  }
  const first = text.trimStart()[0];
  if (first === '{' || first === '[') {
    try {
      return { kind: 'json', value: parseJson(text, limit.maxJsonDepth) };
    } catch {
      // Looked like JSON but is not (or too deep): the text is still useful.
    }
  }
  return { kind: 'text', value: text };
}

// ---------------------------------------------------------------------------------------------
// Content-Encoding

type Decompress = (input: Buffer, maxOutputLength: number) => Buffer;

// A Map, not an object: a header such as `constructor` must not find Object's methods.
const decompressors = new Map<string, Decompress>([
  ['gzip', (input, maxOutputLength) => gunzipSync(input, { maxOutputLength })],
  ['x-gzip', (input, maxOutputLength) => gunzipSync(input, { maxOutputLength })],
  // HTTP "deflate" means zlib-wrapped, but some senders send raw deflate: the zlib header tells.
  [
    'deflate',
    (input, maxOutputLength) =>
      hasZlibHeader(input)
        ? inflateSync(input, { maxOutputLength })
        : inflateRawSync(input, { maxOutputLength }),
  ],
  ['br', (input, maxOutputLength) => brotliDecompressSync(input, { maxOutputLength })],
]);

function hasZlibHeader(input: Buffer): boolean {
  const cmf = input[0];
  const flg = input[1];
  return (
    cmf !== undefined && flg !== undefined && (cmf & 0x0f) === 8 && (cmf * 256 + flg) % 31 === 0
  );
}

/**
 * Undoes each coding of `Content-Encoding` (listed in the order applied, so undone last first).
 * zlib stops at `maxOutputLength`, so a compression bomb costs at most that much memory.
 */
function decodeContent(raw: Buffer, header: string | undefined, maxBytes: number): Buffer {
  const codings = (header ?? '')
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
  const steps = codings.map((coding) => {
    const decompress = decompressors.get(coding);
    if (!decompress) {
      throw new BodyParseError(
        415,
        'unsupported_encoding',
        `the Content-Encoding "${coding}" is not supported; send gzip, deflate, br or none`,
      );
    }
    return { coding, decompress };
  });
  let body = raw;
  for (const { coding, decompress } of steps.reverse()) {
    try {
      body = decompress(body, maxBytes);
    } catch (error) {
      if (errorCode(error) === 'ERR_BUFFER_TOO_LARGE') throw decodedTooLarge(maxBytes);
      throw new BodyParseError(
        400,
        'invalid_encoding',
        `the body is not valid ${coding} data: ${errorMessage(error)}`,
      );
    }
  }
  if (body.length > maxBytes) throw decodedTooLarge(maxBytes);
  return body;
}

function decodedTooLarge(maxBytes: number): BodyParseError {
  return new BodyParseError(
    413,
    'decoded_body_too_large',
    `the body is larger than ${maxBytes} bytes once decoded`,
  );
}

// ---------------------------------------------------------------------------------------------
// Text

function parseContentType(header: string): {
  mediaType: string;
  charset: string | undefined;
} {
  const [mediaType = '', ...params] = header.split(';');
  let charset: string | undefined;
  for (const param of params) {
    const equals = param.indexOf('=');
    if (equals !== -1 && param.slice(0, equals).trim().toLowerCase() === 'charset') {
      charset = param
        .slice(equals + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1');
    }
  }
  return { mediaType: mediaType.trim().toLowerCase(), charset };
}

/** Strict decoding in the declared charset (any WHATWG Encoding label), UTF-8 by default. */
function decodeText(body: Buffer, charset: string | undefined): string {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset ?? 'utf-8', { fatal: true });
  } catch {
    throw new BodyParseError(
      415,
      'unsupported_charset',
      `the charset "${charset}" is not supported`,
    );
  }
  try {
    return decoder.decode(body);
  } catch {
    if (decoder.encoding === 'utf-8') {
      throw new BodyParseError(400, 'invalid_utf8', 'the body is not valid UTF-8 text');
    }
    throw new BodyParseError(400, 'invalid_text', `the body is not valid ${decoder.encoding} text`);
  }
}

// ---------------------------------------------------------------------------------------------
// JSON

function parseJson(text: string, maxDepth: number): JsonValue {
  // Checked before parsing: JSON.parse copes with any depth, but serialising the value later
  // (storage, expressions, the run history) recurses and would overflow the stack.
  const depth = jsonDepthExceeds(text, maxDepth);
  if (depth) {
    throw new BodyParseError(
      400,
      'json_too_deep',
      `the JSON is nested deeper than ${maxDepth} levels (at position ${depth.position})`,
    );
  }
  try {
    // JSON.parse defines keys such as "__proto__" as own properties; nothing here merges them.
    return JSON.parse(text);
  } catch (error) {
    throw new BodyParseError(
      400,
      'invalid_json',
      `the body is not valid JSON: ${errorMessage(error)}`,
    );
  }
}

/**
 * One linear pass over the text counting open arrays and objects outside strings. It may
 * misjudge invalid JSON, which JSON.parse refuses anyway.
 */
function jsonDepthExceeds(text: string, maxDepth: number): { position: number } | null {
  if (openingsAtMost(text, maxDepth)) return null;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c /* \ */) i++;
      else if (char === 0x22 /* " */) inString = false;
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x7b /* { */ || char === 0x5b /* [ */) {
      if (++depth > maxDepth) return { position: i };
    } else if (char === 0x7d /* } */ || char === 0x5d /* ] */) {
      depth--;
    }
  }
  return null;
}

/**
 * True when the whole text holds at most `limit` of `{` and `[` (strings included), so no
 * nesting can be deeper: most bodies, told by a few native searches instead of a pass in JS.
 */
function openingsAtMost(text: string, limit: number): boolean {
  let count = 0;
  for (const char of ['{', '[']) {
    for (let at = text.indexOf(char); at !== -1; at = text.indexOf(char, at + 1)) {
      if (++count > limit) return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// XML

const reservedNames = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * XML as fast-xml-parser reads it: elements become keys (repeated ones arrays), attributes
 * `@_name`, mixed text `#text`, CDATA joins the text, namespace prefixes stay (`x:item`), and
 * every value stays a string (no guessing numbers: ids like "007" keep their zeros). The
 * declaration and processing instructions are dropped (the text keeps them).
 *
 * Safety: the XML (and HTML) named entities, character references and small DOCTYPE entities
 * are expanded, with their total growth bounded; an entity that refers to another is left as
 * written (no billion laughs); external entities are refused; tags named like prototype keys get
 * a `__` prefix, as the library already does for `toString` and friends.
 */
function parseXml(text: string, maxDepth: number): Record<string, unknown> {
  const parser = new XMLParser({
    ignoreAttributes: false,
    parseTagValue: false,
    parseAttributeValue: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    // The library allows one level more than this number.
    maxNestedTags: maxDepth - 1,
    // Character references (&#233;) are decoded only with this on; it also knows HTML names.
    htmlEntities: true,
    // Only DOCTYPE entities can make the text grow (the built-in ones shrink it), and an entity
    // that refers to another is left as written, so bounding their size and growth suffices.
    processEntities: {
      enabled: true,
      maxEntityCount: 100,
      maxEntitySize: 1000,
      maxExpandedLength: 100_000,
    },
    transformTagName: (name) => (reservedNames.has(name) ? `__${name}` : name),
  });
  try {
    return parser.parse(text, true);
  } catch (error) {
    const message = errorMessage(error);
    if (/nested tags/i.test(message)) {
      throw new BodyParseError(
        400,
        'xml_too_deep',
        `the XML is nested deeper than ${maxDepth} elements`,
      );
    }
    throw new BodyParseError(400, 'invalid_xml', `the body could not be read as XML: ${message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// multipart/form-data

function parseMultipart(
  body: Buffer,
  contentType: string,
  limit: BodyLimits,
): Promise<{ fields: FormFields; files: UploadedFile[] }> {
  return new Promise((resolve, reject) => {
    const malformed = (error: unknown) =>
      new BodyParseError(
        400,
        'invalid_multipart',
        `the multipart body is malformed: ${errorMessage(error)}`,
      );
    const maxFileBytes = limit.maxFileBytes ?? limit.maxDecodedBytes;
    let parser: BusboyInstance;
    try {
      parser = Busboy({
        headers: { 'content-type': contentType },
        limits: {
          parts: limit.maxParts,
          fileSize: maxFileBytes,
          // The whole body is within maxDecodedBytes, so no field is ever cut short.
          fieldSize: limit.maxDecodedBytes,
        },
      });
    } catch (error) {
      reject(malformed(error));
      return;
    }

    const fields: [string, string][] = [];
    const files: UploadedFile[] = [];
    // A limit does not stop busboy; the first one reached is the answer once it finishes.
    let refusal: BodyParseError | undefined;
    // Values are decoded by busboy in the part's charset (UTF-8 by default); invalid bytes
    // become U+FFFD rather than refusing the whole form.
    parser.on('field', (name, value) => fields.push([name ?? '', value]));
    parser.on('file', (name, stream, filename, _transferEncoding, type) => {
      // busboy passes undefined for a missing name or filename despite its types.
      const file: UploadedFile = {
        name: name ?? '',
        filename: filename ?? '',
        type,
        size: 0,
        content: '',
      };
      files.push(file);
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => {
        refusal ??= new BodyParseError(
          413,
          'file_too_large',
          `the file in field "${name}" is larger than ${maxFileBytes} bytes`,
        );
      });
      // A parse error is also reported on the parser itself, which rejects.
      stream.on('error', () => {});
      stream.on('end', () => {
        const content = Buffer.concat(chunks);
        file.size = content.length;
        file.content = content.toString('base64');
      });
    });
    parser.on('partsLimit', () => {
      refusal ??= new BodyParseError(
        413,
        'too_many_parts',
        `the multipart body has more than ${limit.maxParts} parts`,
      );
    });
    parser.on('error', (error) => reject(malformed(error)));
    parser.on('finish', () => {
      if (refusal) reject(refusal);
      else resolve({ fields: collectFields(fields), files });
    });
    parser.end(body);
  });
}

// ---------------------------------------------------------------------------------------------

/** A library's message, cut short: some quote the input, which can be megabytes long. */
function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > 200 ? `${message.slice(0, 200)}…` : message;
}

function errorCode(error: unknown): unknown {
  return error instanceof Error && 'code' in error ? error.code : undefined;
}
