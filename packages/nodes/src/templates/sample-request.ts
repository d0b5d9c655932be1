/**
 * A sample request written by hand (pasted in the editor, or shipped with a template): its
 * method, headers, query and body text, and how its body reads for a workflow. The body is read
 * the way the webhook trigger reads a received one (JSON, form fields or text, by Content-Type),
 * so a pasted sample behaves like the real request would.
 */
import { z } from 'zod';

/** The largest pasted body; larger samples are captured with "Listen for a test event". */
export const MAX_SAMPLE_BODY_BYTES = 1024 * 1024;

const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export const sampleRequestSchema = z.object({
  method: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{1,16}$/, 'the method is a word such as POST or GET')
    .default('POST'),
  /** Names are stored lower-cased, as received requests' are. */
  headers: z
    .record(
      z.string().regex(headerName, 'a header name holds letters, digits and - only'),
      z
        .string()
        .max(8192)
        .refine((value) => !/[\r\n\0]/.test(value), 'a header value is one line'),
    )
    .default({})
    .transform((headers) =>
      Object.fromEntries(
        Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value.trim()]),
      ),
    ),
  query: z.record(z.string(), z.union([z.string(), z.array(z.string())])).default({}),
  /** The body as the sender sends it (text). */
  body: z
    .string()
    .default('')
    .refine(
      (body) => new TextEncoder().encode(body).length <= MAX_SAMPLE_BODY_BYTES,
      'the body is larger than 1 MB: capture a request this large with "Listen for a test event"',
    ),
});

export type SampleRequest = z.output<typeof sampleRequestSchema>;
export type SampleRequestInput = z.input<typeof sampleRequestSchema>;

export type SampleBodyResult =
  | { ok: true; value: unknown; contentType: string | null }
  | { ok: false; message: string };

/**
 * What a workflow sees as `trigger.body` for this body text and Content-Type: JSON parsed, form
 * fields as an object (a field given twice as a list), text as text, nothing as null. Without a
 * Content-Type, text that starts like JSON must be JSON.
 */
export function readSampleBody(text: string, contentType: string | undefined): SampleBodyResult {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (text.trim() === '') return { ok: true, value: null, contentType: contentType ?? null };
  const json = () => {
    try {
      return {
        ok: true as const,
        value: JSON.parse(text) as unknown,
        contentType: contentType ?? null,
      };
    } catch {
      return {
        ok: false as const,
        message: `the body is not valid JSON: ${describeJsonError(text)}`,
      };
    }
  };
  if (type === 'application/json' || type.endsWith('+json')) return json();
  if (type === 'application/x-www-form-urlencoded') {
    return { ok: true, value: formFields(text.trim()), contentType: contentType ?? null };
  }
  if (type.startsWith('text/')) return { ok: true, value: text, contentType: contentType ?? null };
  if (type === '') {
    const first = text.trimStart()[0];
    return first === '{' || first === '[' ? json() : { ok: true, value: text, contentType: null };
  }
  return {
    ok: false,
    message: `a pasted body may be JSON, form fields or text, not ${type}: capture such a request with "Listen for a test event"`,
  };
}

/** `a=1&tag=x&tag=y` -> `{ a: "1", tag: ["x", "y"] }`, as the webhook trigger reads a form. */
export function formFields(text: string): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = Object.create(null);
  for (const [key, value] of new URLSearchParams(text)) {
    const existing = fields[key];
    if (existing === undefined) fields[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else fields[key] = [existing, value];
  }
  return { ...fields };
}

/** The form body that `fields` reads back from (the inverse of {@link formFields}). */
export function formText(fields: Record<string, string | string[]>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) {
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, item);
  }
  return params.toString();
}

/** Where JSON text first goes wrong, as "unexpected … at line L, column C". */
export function describeJsonError(text: string): string {
  return jsonErrorAt(text)?.message ?? 'it is not valid JSON';
}

/**
 * The first place JSON text goes wrong: its offset (the text's length when it ends too early)
 * and what is wrong there, with line and column; null when the text is valid JSON.
 */
export function jsonErrorAt(text: string): { offset: number; message: string } | null {
  const offset = jsonErrorOffset(text);
  if (offset === -1) return null;
  const before = text.slice(0, offset).split('\n');
  const where = `line ${before.length}, column ${before.at(-1)!.length + 1}`;
  if (offset >= text.length) return { offset, message: `it ends too early (${where})` };
  return {
    offset,
    message: `unexpected ${JSON.stringify(text.slice(offset, offset + 1))} at ${where}`,
  };
}

/**
 * The offset of the first character that cannot continue valid JSON (text.length: it ends
 * early); -1 for valid JSON.
 */
function jsonErrorOffset(text: string): number {
  let at = 0;
  const fail = (): never => {
    throw at;
  };
  const space = () => {
    while (at < text.length && ' \t\n\r'.includes(text[at]!)) at++;
  };
  const literal = (word: string) => {
    for (const char of word) {
      if (text[at] !== char) fail();
      at++;
    }
  };
  const string = () => {
    at++;
    while (at < text.length && text[at] !== '"') {
      if (text[at]! < ' ') fail();
      if (text[at] === '\\') {
        at++;
        if (text[at] === 'u') {
          for (let digit = 0; digit < 4; digit++) {
            at++;
            if (!/[0-9a-fA-F]/.test(text[at] ?? '')) fail();
          }
        } else if (!'"\\/bfnrt'.includes(text[at] ?? 'x')) fail();
      }
      at++;
    }
    if (at >= text.length) fail();
    at++;
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(at));
    if (!match || match[0] === '' || match[0] === '-') fail();
    at += match![0].length;
  };
  /** The items of an object or array up to its closing bracket; `item` reads one. */
  const items = (close: string, item: () => void) => {
    at++;
    space();
    if (text[at] === close) {
      at++;
      return;
    }
    for (;;) {
      item();
      space();
      if (text[at] === close) break;
      if (text[at] !== ',') fail();
      at++;
    }
    at++;
  };
  const value = () => {
    space();
    const char = text[at];
    if (char === '{') {
      items('}', () => {
        space();
        if (text[at] !== '"') fail();
        string();
        space();
        if (text[at] !== ':') fail();
        at++;
        value();
      });
    } else if (char === '[') items(']', value);
    else if (char === '"') string();
    else if (char === 't') literal('true');
    else if (char === 'f') literal('false');
    else if (char === 'n') literal('null');
    else if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) number();
    else fail();
  };
  try {
    value();
    space();
    if (at < text.length) fail();
    return -1;
  } catch (offset) {
    return Math.min(offset as number, text.length);
  }
}

export type TextResult<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * Headers typed by hand: one `Name: value` per line (as browsers' network tools copy them), or
 * a JSON object of texts. Empty lines are skipped.
 */
export function parseHeaderText(text: string): TextResult<Record<string, string>> {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, value: {} };
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      return {
        ok: false,
        message: `the headers are not valid JSON: ${describeJsonError(trimmed)}`,
      };
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      return { ok: false, message: 'the headers are a JSON object of names and values' };
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(parsed)) {
      if (!headerName.test(name)) return { ok: false, message: `"${name}" is not a header name` };
      if (typeof value !== 'string' && typeof value !== 'number') {
        return { ok: false, message: `the value of header "${name}" is not text` };
      }
      headers[name.toLowerCase()] = String(value);
    }
    return { ok: true, value: headers };
  }
  const headers: Record<string, string> = {};
  const lines = trimmed.split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    const name = colon === -1 ? '' : line.slice(0, colon).trim();
    if (colon <= 0 || !headerName.test(name)) {
      return {
        ok: false,
        message: `line ${index + 1} of the headers is not "Name: value": ${line.trim().slice(0, 60)}`,
      };
    }
    headers[name.toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { ok: true, value: headers };
}

/** A query typed by hand: `a=1&b=2` (a leading `?` or a whole URL is fine) or a JSON object. */
export function parseQueryText(text: string): TextResult<Record<string, string | string[]>> {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, value: {} };
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      return { ok: false, message: `the query is not valid JSON: ${describeJsonError(trimmed)}` };
    }
    const valid =
      parsed !== null &&
      typeof parsed === 'object' &&
      !Array.isArray(parsed) &&
      Object.values(parsed).every(
        (value) =>
          typeof value === 'string' ||
          (Array.isArray(value) && value.every((item) => typeof item === 'string')),
      );
    return valid
      ? { ok: true, value: parsed as Record<string, string | string[]> }
      : { ok: false, message: 'the query is a JSON object of texts (or lists of texts)' };
  }
  const question = trimmed.indexOf('?');
  return { ok: true, value: formFields(question === -1 ? trimmed : trimmed.slice(question + 1)) };
}
