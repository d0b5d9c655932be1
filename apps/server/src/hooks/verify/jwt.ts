import { createPublicKey, type KeyObject, verify as verifySignature } from 'node:crypto';
import { anyHmacMatches } from './compare.ts';
import { accepted, quote, refuse, type VerifyResult } from './result.ts';

/**
 * JSON Web Tokens (RFC 7519) signed with HS256, RS256 or ES256. The algorithm is the
 * trigger's setting, never the token's: a token that names another one (`none`, or HS256
 * signed with an RSA public key as the secret) is refused before its claims are read.
 */

export const jwtAlgorithms = ['HS256', 'RS256', 'ES256'] as const;
export type JwtAlgorithm = (typeof jwtAlgorithms)[number];

export interface JwtSettings {
  algorithm: JwtAlgorithm;
  /** HS256: the shared secrets. RS256/ES256: the sender's PEM public keys. */
  secrets: readonly string[];
  issuer?: string | undefined;
  audience?: string | undefined;
  requireExpiration: boolean;
  toleranceSeconds: number;
}

/** Why a configured key cannot verify tokens for `algorithm`, or undefined when it can. */
export function jwtKeyProblem(algorithm: JwtAlgorithm, key: string): string | undefined {
  if (algorithm === 'HS256') return undefined;
  if (/PRIVATE KEY/.test(key)) {
    return 'this is a private key; paste the public key of the sender instead';
  }
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey(key);
  } catch {
    return 'not a PEM public key (-----BEGIN PUBLIC KEY----- …)';
  }
  if (algorithm === 'RS256') {
    if (publicKey.asymmetricKeyType !== 'rsa') return 'RS256 needs an RSA public key';
    const bits = publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < 2048) return `the RSA key has ${bits} bits; at least 2048 are needed`;
    return undefined;
  }
  if (
    publicKey.asymmetricKeyType !== 'ec' ||
    publicKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1'
  ) {
    return 'ES256 needs an EC public key on the P-256 curve';
  }
  return undefined;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Checks the signature first, then the claims, so no claim of a forged token is trusted. */
export function verifyJwt(settings: JwtSettings, token: string, now: number): VerifyResult {
  const parts = token.split('.');
  const wellFormed = parts.length === 3 && parts.every((part) => BASE64URL.test(part));
  const [encodedHeader = '', encodedPayload = '', encodedSignature = ''] = wellFormed ? parts : [];
  const header = wellFormed ? decodeJsonObject(encodedHeader) : undefined;
  const payload = wellFormed ? decodeJsonObject(encodedPayload) : undefined;
  // Computed before anything is reported, so a malformed token costs what a valid one does.
  const signed = signatureMatches(
    settings,
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

function signatureMatches(settings: JwtSettings, content: Buffer, signature: Buffer): boolean {
  if (settings.algorithm === 'HS256') {
    return anyHmacMatches('sha256', settings.secrets, [[content]], [signature]);
  }
  // Public-key checks hold no secret to leak through timing; every key is still tried.
  let matched = false;
  for (const pem of settings.secrets) {
    matched = verifyWithPublicKey(settings.algorithm, pem, content, signature) || matched;
  }
  return matched;
}

function verifyWithPublicKey(
  algorithm: 'RS256' | 'ES256',
  pem: string,
  content: Buffer,
  signature: Buffer,
): boolean {
  try {
    const key = createPublicKey(pem);
    if (algorithm === 'RS256') {
      return key.asymmetricKeyType === 'rsa' && verifySignature('sha256', content, key, signature);
    }
    // JWS carries ES256 signatures as raw r || s (64 bytes), not DER.
    return (
      key.asymmetricKeyType === 'ec' &&
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
