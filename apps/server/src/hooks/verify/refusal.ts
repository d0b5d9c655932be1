import type { TriggerAuth } from '@hookflow/nodes';
import type { VerifyFailureReason } from './result.ts';

/** How the ingress answers a request that failed verification. */
export interface AuthRefusal {
  status: 401 | 403 | 500;
  /** The error code of the answer and of the request log entry. */
  code: string;
  headers: Record<string, string>;
}

const codes: Record<Exclude<VerifyFailureReason, 'forbidden'>, string> = {
  missing: 'missing_signature',
  malformed: 'bad_signature_format',
  stale: 'stale_signature',
  mismatch: 'bad_signature',
  misconfigured: 'trigger_misconfigured',
};

/**
 * 401 when the sender did not prove who it is (with `WWW-Authenticate` for the HTTP schemes,
 * Basic and Bearer), 403 when it did but is not allowed here, 500 when the trigger's own
 * settings cannot check anything: that is for its owner to fix, and senders retry a 5xx.
 */
export function authRefusal(auth: TriggerAuth, reason: VerifyFailureReason): AuthRefusal {
  if (reason === 'forbidden') {
    return {
      status: 403,
      code: auth.type === 'ip-allowlist' ? 'forbidden_address' : 'forbidden_token',
      headers: {},
    };
  }
  if (reason === 'misconfigured') return { status: 500, code: codes[reason], headers: {} };
  const challenge = authChallenge(auth);
  return {
    status: 401,
    code: codes[reason],
    headers: challenge ? { 'www-authenticate': challenge } : {},
  };
}

function authChallenge(auth: TriggerAuth): string | undefined {
  if (auth.type === 'basic') return 'Basic realm="hookflow"';
  if (
    (auth.type === 'header-token' || auth.type === 'jwt') &&
    auth.header.toLowerCase() === 'authorization' &&
    auth.prefix.trim().toLowerCase() === 'bearer'
  ) {
    return 'Bearer realm="hookflow"';
  }
  return undefined;
}
