import { describe, expect, it } from 'vitest';
import {
  createPasswordChecker,
  hashPassword,
  needsRehash,
  passwordSchema,
  type ScryptParams,
  verifyPassword,
} from './passwords.ts';

/** Cheap parameters: the format and the checks are what is tested here, not the cost. */
const cheap: ScryptParams = { N: 1024, r: 8, p: 1 };

describe('password hashing', () => {
  it('writes scrypt$N$r$p$salt$hash with a fresh salt each time, and verifies', async () => {
    const one = await hashPassword('correct horse battery', cheap);
    const two = await hashPassword('correct horse battery', cheap);
    expect(one).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(two).not.toBe(one);
    expect(one).not.toContain('correct horse');
    expect(await verifyPassword('correct horse battery', one)).toBe(true);
    expect(await verifyPassword('correct horse battery', two)).toBe(true);
    expect(await verifyPassword('correct horse batterY', one)).toBe(false);
    expect(await verifyPassword('', one)).toBe(false);
  });

  it('uses the default parameters (2^15, 8, 1) and verifies hashes made with others', async () => {
    const current = await hashPassword('a long enough password');
    expect(current.startsWith('scrypt$32768$8$1$')).toBe(true);
    expect(needsRehash(current)).toBe(false);
    const older = await hashPassword('a long enough password', cheap);
    expect(needsRehash(older)).toBe(true);
    expect(await verifyPassword('a long enough password', older)).toBe(true);
  });

  it('treats unusual Unicode forms of one password as the same password', async () => {
    const hash = await hashPassword('caf\u00e9 au lait!', cheap);
    expect(await verifyPassword('cafe\u0301 au lait!', hash)).toBe(true);
  });

  it('refuses malformed or absurd stored hashes without computing them', async () => {
    for (const stored of [
      '',
      'plain',
      'bcrypt$1$2$3$4$5',
      'scrypt$1000$8$1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5',
      `scrypt$${2 ** 24}$8$1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5`,
      'scrypt$1024$8$1$$',
    ]) {
      expect(await verifyPassword('whatever password', stored)).toBe(false);
    }
  });

  it('says clearly when a new password is too short', () => {
    const result = passwordSchema.safeParse('short');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('use at least 10 characters for the password');
    expect(passwordSchema.safeParse('ten chars!').success).toBe(true);
  });

  it('spends about as long on an unknown account as on a known one', async () => {
    // Costly enough (~10 ms a check) that scheduling noise does not decide the comparison.
    const params: ScryptParams = { N: 2 ** 13, r: 8, p: 1 };
    const checker = createPasswordChecker(params);
    const hash = await hashPassword('the real password', params);
    await checker.check('warm up', null);
    const time = async (work: () => Promise<unknown>) => {
      const start = performance.now();
      for (let i = 0; i < 5; i++) await work();
      return performance.now() - start;
    };
    const known = await time(() => checker.check('a wrong password', hash));
    const unknown = await time(() => checker.check('a wrong password', null));
    expect(await checker.check('the real password', hash)).toBe(true);
    expect(await checker.check('the real password', null)).toBe(false);
    // Both derive one key with the same parameters; the unknown one is not measurably faster.
    expect(unknown).toBeGreaterThan(known * 0.4);
  });
});
