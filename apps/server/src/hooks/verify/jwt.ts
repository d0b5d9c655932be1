import { createPublicKey, type KeyObject, verify as verifySignature } from 'node:crypto';
import type { JwtAlgorithm } from '@hookflow/nodes';
import { anyHmacMatches } from './compare.ts';
import { accepted, quote, refuse, type VerifyResult } from './result.ts';

/**
 * JSON Web Tokens (RFC 7519) signed with HS256, RS256 or ES256. The algorithm is the
 * trigger's setting, never the token's: a token that names another one (`none`, or HS256
 * signed with an RSA public key as the secret) is refused before its claims are read.
 */

export interface JwtSettings {
  algorithm: JwtAlgorithm;
  /** HS256: the shared secrets. RS256/ES256: the sender's PEM public keys. */
  secrets: readonly string[];
  issuer?: string | undefined;
  audience?: string | undefined;
  requireExpiration: boolean;
  toleranceSeconds: number;
}

type PublicKeys = { keys: KeyObject[] } | { problem: string };

/** Reading a PEM costs more than checking an RS256 signature: read each key list once. */
const readKeys = new Map<string, PublicKeys>();

function publicKeys(algorithm: 'RS256' | 'ES256', pems: readonly string[]): PublicKeys {
  const cacheKey = `${algorithm}\n${pems.join('\n')}`;
  let found = readKeys.get(cacheKey);
  if (!found) {
    found = readPublicKeys(algorithm, pems);
    if (readKeys.size >= 1000) readKeys.clear();
    readKeys.set(cacheKey, found);
  }
  return found;
}

/**
 * Reads the configured public keys, or says why one cannot verify tokens for `algorithm`.
 * The settings' schema checks only that each is a PEM public key (it runs in the browser
 * too); its type, size and curve need a crypto library, so they are checked here.
 */
function readPublicKeys(algorithm: 'RS256' | 'ES256', pems: readonly string[]): PublicKeys {
  const keys: KeyObject[] = [];
  for (const [index, pem] of pems.entries()) {
    let key: KeyObject;
    try {
      key = createPublicKey(pem);
    } catch {
      return keyProblem(index, pems.length, 'it is not a readable PEM public key');
    }
    if (algorithm === 'RS256') {
      if (key.asymmetricKeyType !== 'rsa') {
        return keyProblem(index, pems.length, 'RS256 needs an RSA public key');
      }
      const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
      if (bits < 2048) {
        return keyProblem(
          index,
          pems.length,
          `the RSA key has ${bits} bits; at least 2048 are needed`,
        );
      }
    } else if (
      key.asymmetricKeyType !== 'ec' ||
      key.asymmetricKeyDetails?.namedCurve !== 'prime256v1'
    ) {
      return keyProblem(index, pems.length, 'ES256 needs an EC public key on the P-256 curve');
    }
    keys.push(key);
  }
  return { keys };
}

function keyProblem(index: number, count: number, problem: string): { problem: string } {
  const which = count > 1 ? ` (key ${index + 1} of ${count})` : '';
  return {
    problem: `this trigger's JWT key setting is wrong${which}: ${problem}; no token can be checked until it is fixed`,
  };
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Checks the signature first, then the claims, so no claim of a forged token is trusted. A
 * configured public key that cannot verify tokens refuses every request as `misconfigured`.
 */
export function verifyJwt(settings: JwtSettings, token: string, now: number): VerifyResult {
  const publicKeySettings =
    settings.algorithm === 'HS256' ? undefined : publicKeys(settings.algorithm, settings.secrets);
  if (publicKeySettings && 'problem' in publicKeySettings) {
    return refuse('misconfigured', publicKeySettings.problem);
  }
  const parts = token.split('.');
  const wellFormed = parts.length === 3 && parts.every((part) => BASE64URL.test(part));
  const [encodedHeader = '', encodedPayload = '', encodedSignature = ''] = wellFormed ? parts : [];
  const header = wellFormed ? decodeJsonObject(encodedHeader) : undefined;
  const payload = wellFormed ? decodeJsonObject(encodedPayload) : undefined;
  // Computed before anything is reported, so a malformed token costs what a valid one does.
  const signed = signatureMatches(
    settings,
    publicKeySettings?.keys ?? [],
    Buffer.from(`${encodedHeader}.${encodedPayload}`),
    Buffer.from(encodedSignature, 'base64url'),
  );

  if (!wellFormed) {
    return refuse('malformed', 'the token is not a JWT (three base64url parts joined by dots)');
  }
  if (!header) return refuse('malformed', 'the token header is not a JSON object');
  if (header.alg === undefined) return refuse('malformed', 'the token header names no alg');
  if (header.alg !== settings.algorithm) {
    return refuse(
      'malformed',
      `the token is signed with ${quote(header.alg)}; this trigger accepts ${settings.algorithm} only`,
    );
  }
  if (!payload) return refuse('malformed', 'the token payload is not a JSON object');
  if (!signed) return refuse('mismatch', 'the token signature does not match');
  return checkClaims(settings, payload, now);
}

function checkClaims(
  settings: JwtSettings,
  claims: Record<string, unknown>,
  now: number,
): VerifyResult {
  const nowSeconds = Math.floor(now / 1000);
  const tolerance = settings.toleranceSeconds;
  const { exp, nbf } = claims;
  if (exp !== undefined && !isFiniteNumber(exp)) {
    return refuse('malformed', 'the token exp claim is not a number of seconds');
  }
  if (nbf !== undefined && !isFiniteNumber(nbf)) {
    return refuse('malformed', 'the token nbf claim is not a number of seconds');
  }
  if (exp === undefined && settings.requireExpiration) {
    return refuse(
      'malformed',
      'the token has no exp (expiry) claim, and this trigger requires one',
    );
  }
  if (isFiniteNumber(exp) && nowSeconds >= exp + tolerance) {
    return refuse(
      'stale',
      `the token expired ${Math.round(nowSeconds - exp)} s ago; the tolerance is ${tolerance} s`,
    );
  }
  if (isFiniteNumber(nbf) && nowSeconds < nbf - tolerance) {
    return refuse(
      'stale',
      `the token is not valid for another ${Math.round(nbf - nowSeconds)} s; the tolerance is ${tolerance} s`,
    );
  }
  if (settings.issuer !== undefined && claims.iss !== settings.issuer) {
    return refuse(
      'forbidden',
      `the token was issued by ${quote(claims.iss)}; this trigger accepts tokens issued by ${quote(settings.issuer)}`,
    );
  }
  if (settings.audience !== undefined) {
    const audiences = typeof claims.aud === 'string' ? [claims.aud] : claims.aud;
    if (!Array.isArray(audiences) || !audiences.includes(settings.audience)) {
      return refuse(
        'forbidden',
        `the token is meant for the audience ${quote(claims.aud)}; this trigger expects ${quote(settings.audience)}`,
      );
    }
  }
  return accepted;
}

function signatureMatches(
  settings: JwtSettings,
  keys: readonly KeyObject[],
  content: Buffer,
  signature: Buffer,
): boolean {
  if (settings.algorithm === 'HS256') {
    return anyHmacMatches('sha256', settings.secrets, [[content]], [signature]);
  }
  // Public-key checks hold no secret to leak through timing; every key is still tried.
  let matched = false;
  for (const key of keys) {
    matched = verifyWithPublicKey(settings.algorithm, key, content, signature) || matched;
  }
  return matched;
}

/** `key` was checked by `publicKeys`: RSA for RS256, P-256 for ES256. */
function verifyWithPublicKey(
  algorithm: 'RS256' | 'ES256',
  key: KeyObject,
  content: Buffer,
  signature: Buffer,
): boolean {
  try {
    if (algorithm === 'RS256') return verifySignature('sha256', content, key, signature);
    // JWS carries ES256 signatures as raw r || s (64 bytes), not DER.
    return (
      signature.length === 64 &&
      verifySignature('sha256', content, { key, dsaEncoding: 'ieee-p1363' }, signature)
    );
  } catch {
    return false;
  }
}

function decodeJsonObject(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
