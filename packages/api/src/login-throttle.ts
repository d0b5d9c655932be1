/**
 * Failed sign-ins, counted per account (the email as typed, whether or not it exists, so the
 * answer does not tell which do) and per client address, in this process's memory. After `max`
 * failures within `windowMs`, sign-in is refused (even with the right password) until the
 * oldest of them is `windowMs` old. A successful sign-in clears its account's count.
 *
 * Memory is bounded: each table keeps at most `maxEntries` keys and forgets the least recently
 * failed one first. Counts start over when the process restarts; several processes each count
 * their own.
 */
import { normalizeEmail } from '@hookflow/db';

export interface ThrottleLimit {
  max: number;
  windowMs: number;
}

export interface LoginThrottleOptions {
  perAccount?: ThrottleLimit;
  perAddress?: ThrottleLimit;
  /** Keys kept per table (accounts, addresses). */
  maxEntries?: number;
}

export const defaultLoginThrottle = {
  perAccount: { max: 5, windowMs: 15 * 60_000 },
  perAddress: { max: 20, windowMs: 15 * 60_000 },
  maxEntries: 10_000,
} satisfies Required<LoginThrottleOptions>;

export interface ThrottleRefusal {
  scope: 'account' | 'address';
  retryAfterMs: number;
  message: string;
}

/** Recent failure times per key, least recently failed first (a Map keeps insertion order). */
function createFailureTable(limit: ThrottleLimit, maxEntries: number) {
  const failures = new Map<string, number[]>();
  const recent = (key: string, now: number) =>
    (failures.get(key) ?? []).filter((at) => now - at < limit.windowMs);
  return {
    /** How long until the key may try again; 0 when it may now. */
    waitMs(key: string, now: number): number {
      const times = recent(key, now);
      if (times.length < limit.max) return 0;
      return times[times.length - limit.max]! + limit.windowMs - now;
    },
    fail(key: string, now: number): void {
      const times = [...recent(key, now), now].slice(-limit.max);
      failures.delete(key);
      failures.set(key, times);
      while (failures.size > maxEntries) {
        const oldest = failures.keys().next().value as string;
        failures.delete(oldest);
      }
    },
    clear(key: string): void {
      failures.delete(key);
    },
    get size() {
      return failures.size;
    },
  };
}

const minutes = (ms: number) => {
  const count = Math.max(1, Math.ceil(ms / 60_000));
  return `${count} minute${count === 1 ? '' : 's'}`;
};

/**
 * @example
 * const throttle = createLoginThrottle();
 * const refusal = throttle.check('ada@example.com', '203.0.113.9');
 * if (!refusal && !passwordIsRight) throttle.fail('ada@example.com', '203.0.113.9');
 */
export function createLoginThrottle(options: LoginThrottleOptions = {}) {
  const perAccount = options.perAccount ?? defaultLoginThrottle.perAccount;
  const perAddress = options.perAddress ?? defaultLoginThrottle.perAddress;
  const maxEntries = options.maxEntries ?? defaultLoginThrottle.maxEntries;
  const accounts = createFailureTable(perAccount, maxEntries);
  const addresses = createFailureTable(perAddress, maxEntries);
  return {
    /** Null when this sign-in may be tried; else why not, and for how long. */
    check(email: string, address: string | null, now = Date.now()): ThrottleRefusal | null {
      const accountWait = accounts.waitMs(normalizeEmail(email), now);
      if (accountWait > 0) {
        return {
          scope: 'account',
          retryAfterMs: accountWait,
          message: `too many failed sign-ins for this account; try again in ${minutes(accountWait)}`,
        };
      }
      const addressWait = address ? addresses.waitMs(address, now) : 0;
      if (addressWait > 0) {
        return {
          scope: 'address',
          retryAfterMs: addressWait,
          message: `too many failed sign-ins from your address; try again in ${minutes(addressWait)}`,
        };
      }
      return null;
    },
    fail(email: string, address: string | null, now = Date.now()): void {
      accounts.fail(normalizeEmail(email), now);
      if (address) addresses.fail(address, now);
    },
    /** The account signed in: its failures are forgotten (its address's are kept). */
    succeed(email: string): void {
      accounts.clear(normalizeEmail(email));
    },
    /** Keys held, for tests and metrics. */
    get size() {
      return { accounts: accounts.size, addresses: addresses.size };
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
