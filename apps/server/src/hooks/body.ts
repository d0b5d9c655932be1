/**
 * Turns the raw bytes of a webhook into the `trigger.body` a workflow sees. The raw bytes are
 * always kept as received; this is only the parsed view.
 */

export class BodyParseError extends Error {
  override readonly name = 'BodyParseError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ParsedBody {
  /** The value workflows see as `trigger.body`. */
  value: unknown;
  /** How it was read: json, form, text or base64. */
  kind: 'json' | 'form' | 'text' | 'base64' | 'empty';
}

const decoder = new TextDecoder('utf-8', { fatal: true });

export function parseBody(raw: Buffer, contentType: string | undefined): ParsedBody {
  if (raw.length === 0) return { value: null, kind: 'empty' };
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType === 'application/json' || mediaType.endsWith('+json')) {
    const text = decodeUtf8(raw);
    try {
      return { value: JSON.parse(text), kind: 'json' };
    } catch (error) {
      throw new BodyParseError(
        'invalid_json',
        `the body is not valid JSON: ${(error as Error).message}`,
      );
    }
  }
  if (mediaType === 'application/x-www-form-urlencoded') {
    return { value: parseForm(decodeUtf8(raw)), kind: 'form' };
  }
  if (
    mediaType.startsWith('text/') ||
    mediaType === 'application/xml' ||
    mediaType.endsWith('+xml')
  ) {
    return { value: decodeUtf8(raw), kind: 'text' };
  }
  return { value: raw.toString('base64'), kind: 'base64' };
}

function decodeUtf8(raw: Buffer): string {
  try {
    return decoder.decode(raw);
  } catch {
    throw new BodyParseError('invalid_utf8', 'the body is not valid UTF-8 text');
  }
}

/** Form fields; a key sent more than once becomes an array. Prototype keys stay data. */
export function parseForm(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  for (const [key, value] of new URLSearchParams(text)) {
    const existing = out[key];
    if (existing === undefined) out[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else out[key] = [existing, value];
  }
  return { ...out };
}
