/**
 * Why a request was refused:
 * - `missing`: a header the scheme needs is absent;
 * - `malformed`: it is present but not in the documented format;
 * - `stale`: its timestamp (or the token's exp/nbf) is outside the tolerance;
 * - `mismatch`: the signature, token or password is wrong;
 * - `forbidden`: authentic but not allowed here (address not on the allowlist, JWT issuer or
 *   audience not the expected one);
 * - `misconfigured`: the trigger's own settings cannot check anything (a JWT public key that
 *   is not RSA, too short, or not on P-256): the sender is not at fault.
 */
export type VerifyFailureReason =
  | 'missing'
  | 'malformed'
  | 'stale'
  | 'mismatch'
  | 'forbidden'
  | 'misconfigured';

/**
 * `message` says which check failed in words the trigger's owner understands. It never holds a
 * secret or the signature that was expected.
 */
export type VerifyResult =
  | { ok: true }
  | { ok: false; reason: VerifyFailureReason; message: string };

export const accepted: VerifyResult = { ok: true };

export function refuse(reason: VerifyFailureReason, message: string): VerifyResult {
  return { ok: false, reason, message };
}

/** A value the sender chose, quoted and cut short, for a message. */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (text === undefined) return 'nothing';
  const short = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  return JSON.stringify(short);
}
