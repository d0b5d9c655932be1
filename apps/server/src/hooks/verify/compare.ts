import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Constant-time comparisons. Every candidate is compared against every expected value
 * without stopping at the first match, so the time a check takes says nothing about which
 * secret or which signature matched, or how close a guess came.
 */

export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha512';

export const digestLength: Record<HmacAlgorithm, number> = { sha1: 20, sha256: 32, sha512: 64 };

/** The pieces a sender signed, concatenated in order (strings as UTF-8). */
export type SignedContent = readonly (string | Uint8Array)[];

/**
 * True when one of `presented` is the HMAC of one of `contents` under one of `keys`.
 * With nothing presented (header missing or malformed) it still computes every HMAC and
 * compares it against zeros, so a refusal costs what an acceptance costs.
 */
export function anyHmacMatches(
  algorithm: HmacAlgorithm,
  keys: readonly (string | Uint8Array)[],
  contents: readonly SignedContent[],
  presented: readonly Uint8Array[],
): boolean {
  const size = digestLength[algorithm];
  const candidates = presented.filter((digest) => digest.length === size);
  const onlyDummy = candidates.length === 0;
  if (onlyDummy) candidates.push(Buffer.alloc(size));
  let matched = false;
  for (const key of keys) {
    for (const content of contents) {
      const hmac = createHmac(algorithm, key);
      for (const piece of content) hmac.update(piece);
      const expected = hmac.digest();
      for (const candidate of candidates) {
        matched = timingSafeEqual(expected, candidate) || matched;
      }
    }
  }
  return matched && !onlyDummy;
}

/**
 * Compares a presented string with a configured one in time that depends on neither: both
 * are hashed first, so the lengths differ no more than the contents do.
 */
export function sameSecret(presented: string, configured: string): boolean {
  return timingSafeEqual(sha256(presented), sha256(configured));
}

/** True when `presented` equals one of `configured`; every entry is compared. */
export function anySecretMatches(presented: string, configured: readonly string[]): boolean {
  let matched = false;
  for (const secret of configured) matched = sameSecret(presented, secret) || matched;
  return matched;
}

export function sha256(value: string | Uint8Array): Buffer {
  return createHash('sha256').update(value).digest();
}

const HEX = /^[0-9a-f]+$/i;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The bytes of a hex digest of exactly `length` bytes, or undefined. */
export function decodeHex(text: string, length: number): Buffer | undefined {
  return text.length === length * 2 && HEX.test(text) ? Buffer.from(text, 'hex') : undefined;
}

/** The bytes of a base64 digest of exactly `length` bytes (padding optional), or undefined. */
export function decodeBase64(text: string, length: number): Buffer | undefined {
  if (!BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.length === length ? bytes : undefined;
}
