import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { standardWebhooksKey, type TriggerAuthInput, triggerAuthSchema } from './auth.ts';

// The verification itself is tested with the server (apps/server/src/hooks/verify); these
// are the checks the settings form runs in the browser.

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const spki = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const pkcs1 = rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const privateKey = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

const firstProblem = (auth: TriggerAuthInput) =>
  triggerAuthSchema.safeParse(auth).error?.issues[0]?.message;

describe('triggerAuthSchema', () => {
  it('accepts a PEM public key block for RS256 and ES256', () => {
    for (const algorithm of ['RS256', 'ES256'] as const) {
      expect(firstProblem({ type: 'jwt', algorithm, secrets: [spki] })).toBeUndefined();
    }
    expect(firstProblem({ type: 'jwt', algorithm: 'RS256', secrets: [pkcs1] })).toBeUndefined();
  });

  it.each<[string, TriggerAuthInput, string]>([
    [
      'a private key',
      { type: 'jwt', algorithm: 'RS256', secrets: [privateKey] },
      'this is a private key; paste the public key of the sender instead',
    ],
    [
      'a key without its PEM armour',
      { type: 'jwt', algorithm: 'RS256', secrets: [spki.split('\n').slice(1, -2).join('\n')] },
      'not a PEM public key (-----BEGIN PUBLIC KEY----- …)',
    ],
    [
      'mismatched BEGIN and END lines',
      { type: 'jwt', algorithm: 'RS256', secrets: [spki.replace('END PUBLIC', 'END RSA PUBLIC')] },
      'not a PEM public key (-----BEGIN PUBLIC KEY----- …)',
    ],
    [
      'an RSA PUBLIC KEY block for ES256',
      { type: 'jwt', algorithm: 'ES256', secrets: [pkcs1] },
      'ES256 needs an EC public key on the P-256 curve',
    ],
    [
      'an address range that is not one',
      { type: 'ip-allowlist', cidrs: ['10.0.0.0/8', '10.0.0.256'] },
      'not an IP address or range, like 10.0.0.0/8 or 2001:db8::/32',
    ],
    [
      'a Standard Webhooks secret that is not base64',
      { type: 'standard-webhooks', secrets: ['whsec_***'] },
      'a Standard Webhooks secret is whsec_ followed by base64',
    ],
  ])('refuses %s', (_case, auth, message) => {
    expect(firstProblem(auth)).toBe(message);
  });

  it('leaves HS256 secrets as they are', () => {
    expect(firstProblem({ type: 'jwt', secrets: ['not a PEM, and need not be'] })).toBeUndefined();
  });
});

describe('standardWebhooksKey', () => {
  it('decodes the base64 after whsec_, as Node does', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.boolean(), (key, padded) => {
        let encoded = Buffer.from(key).toString('base64');
        if (!padded) encoded = encoded.replace(/=+$/, '');
        expect(standardWebhooksKey(`whsec_${encoded}`)).toEqual(new Uint8Array(key));
        expect(standardWebhooksKey(encoded)).toEqual(new Uint8Array(key));
      }),
    );
    // Senders' dashboards show keys like this one (from the Standard Webhooks spec).
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    expect(standardWebhooksKey(secret)).toEqual(
      new Uint8Array(Buffer.from(secret.slice(6), 'base64')),
    );
  });

  it.each(['whsec_', 'whsec_A', 'whsec_a-b', 'whsec_abc=d', 'whsec_abcd==='])(
    'refuses %j',
    (secret) => {
      expect(standardWebhooksKey(secret)).toBeUndefined();
    },
  );
});
