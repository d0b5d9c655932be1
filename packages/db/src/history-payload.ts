/**
 * What the history keeps in place of a payload (a step's input, resolved config, output or
 * error, a run's output or error) whose JSON is larger than the cap: its size and the start of
 * its JSON text.
 */
export interface TruncatedPayload {
  $truncated: true;
  /** Size of the whole payload's JSON, in bytes (UTF-8). */
  bytes: number;
  /** The first bytes of that JSON text (at most 4 KiB, and at most half the cap). */
  preview: string;
}

/** The cap when none is configured: 256 KiB per payload. */
export const DEFAULT_PAYLOAD_MAX_BYTES = 256 * 1024;
const PREVIEW_MAX_BYTES = 4096;

/** True for a value the history truncated. */
export function isTruncatedPayload(value: unknown): value is TruncatedPayload {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { $truncated?: unknown }).$truncated === true
  );
}

/**
 * The JSON text to store for `text` (a payload's JSON): itself when it fits in `maxBytes`,
 * else the truncation marker's JSON.
 *
 * @example
 * capJson(JSON.stringify({ big: 'x'.repeat(300_000) }), 262_144);
 * // '{"$truncated":true,"bytes":300012,"preview":"{\"big\":\"xxxx…"}'
 */
export function capJson(text: string | null, maxBytes: number): string | null {
  if (text === null || text.length <= maxBytes / 3) return text; // cheap: 3 bytes per char at most
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes <= maxBytes) return text;
  const previewBytes = Math.min(PREVIEW_MAX_BYTES, Math.floor(maxBytes / 2));
  // A cut through a multi-byte character decodes to U+FFFD: drop it.
  const preview = Buffer.from(text, 'utf8')
    .subarray(0, previewBytes)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
  const marker: TruncatedPayload = { $truncated: true, bytes, preview };
  return JSON.stringify(marker);
}

/** `capJson` for a value: what the history shows for it. */
export function capPayload(value: unknown, maxBytes: number): unknown {
  if (value === undefined) return undefined;
  const text = JSON.stringify(value);
  const capped = capJson(text, maxBytes);
  return capped === text ? value : JSON.parse(capped as string);
}
