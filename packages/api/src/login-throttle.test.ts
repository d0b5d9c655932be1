import { describe, expect, it } from 'vitest';
import { createLoginThrottle } from './login-throttle.ts';

const minute = 60_000;

describe('the login throttle', () => {
  it('refuses an account after 5 failures in 15 minutes, until the oldest is 15 minutes old', () => {
    const throttle = createLoginThrottle();
    for (let i = 0; i < 5; i++) {
      expect(throttle.check('ada@example.com', `10.0.0.${i}`, i * minute)).toBeNull();
      throttle.fail('ada@example.com', `10.0.0.${i}`, i * minute);
    }
    // The account is refused from any address, and whatever the email's case.
    expect(throttle.check('ADA@example.com', '10.9.9.9', 5 * minute)).toEqual({
      scope: 'account',
      retryAfterMs: 10 * minute,
      message: 'too many failed sign-ins for this account; try again in 10 minutes',
    });
    expect(throttle.check('bob@example.com', '10.9.9.9', 5 * minute)).toBeNull();
    expect(throttle.check('ada@example.com', null, 15 * minute - 1)?.message).toContain(
      'try again in 1 minute',
    );
    expect(throttle.check('ada@example.com', null, 15 * minute)).toBeNull();
  });

  it('refuses an address after 20 failures across accounts, and a success clears only its account', () => {
    const throttle = createLoginThrottle();
    for (let i = 0; i < 20; i++) throttle.fail(`user${i}@example.com`, '203.0.113.5', 1000);
    expect(throttle.check('new@example.com', '203.0.113.5', 2000)).toMatchObject({
      scope: 'address',
      message: 'too many failed sign-ins from your address; try again in 15 minutes',
    });
    expect(throttle.check('new@example.com', '203.0.113.6', 2000)).toBeNull();

    for (let i = 0; i < 4; i++) throttle.fail('carol@example.com', '198.51.100.1', 1000);
    throttle.succeed('carol@example.com');
    throttle.fail('carol@example.com', '198.51.100.1', 1000);
    expect(throttle.check('carol@example.com', '198.51.100.1', 2000)).toBeNull();
  });

  it('keeps at most maxEntries keys per table, forgetting the least recently failed', () => {
    const throttle = createLoginThrottle({ maxEntries: 100 });
    for (let i = 0; i < 10_000; i++) throttle.fail(`u${i}@example.com`, `ip${i}`, 0);
    expect(throttle.size).toEqual({ accounts: 100, addresses: 100 });
    for (let i = 0; i < 5; i++) throttle.fail('kept@example.com', 'ip-kept', 0);
    for (let i = 0; i < 50; i++) throttle.fail(`v${i}@example.com`, `ipv${i}`, 0);
    expect(throttle.check('kept@example.com', null, 1)?.scope).toBe('account');
  });
});
