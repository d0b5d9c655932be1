import { describe, expect, it } from 'vitest';
import {
  changePasswordProblems,
  emailProblem,
  hasProblems,
  loginProblems,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  newPasswordProblems,
  newTokenProblems,
  newUserProblems,
  sentence,
  setupProblems,
} from './form-rules.ts';

const good = 'correct horse battery';

describe('emailProblem', () => {
  it.each(['ada@example.com', ' ada@example.com ', 'a.b+tag@sub.example.org'])(
    'accepts %s',
    (email) => {
      expect(emailProblem(email)).toBeUndefined();
    },
  );

  it.each([
    ['', 'Enter an email address.'],
    ['   ', 'Enter an email address.'],
    ['ada', 'Enter an email address like name@example.com.'],
    ['ada@example', 'Enter an email address like name@example.com.'],
    ['ada @example.com', 'Enter an email address like name@example.com.'],
  ])('refuses %j', (email, message) => {
    expect(emailProblem(email)).toBe(message);
  });
});

describe('newPasswordProblems', () => {
  it('accepts a long enough password typed twice', () => {
    expect(newPasswordProblems(good, good)).toEqual({});
  });

  it('asks for both fields', () => {
    expect(newPasswordProblems('', '')).toEqual({
      password: 'Choose a password.',
      confirm: 'Type the password again.',
    });
  });

  it('says how short a short password is', () => {
    expect(newPasswordProblems('short', 'short').password).toBe(
      `Use at least ${MIN_PASSWORD_LENGTH} characters (this one has 5).`,
    );
    expect(
      newPasswordProblems('x'.repeat(MIN_PASSWORD_LENGTH), 'x'.repeat(MIN_PASSWORD_LENGTH)),
    ).toEqual({});
  });

  it('refuses a password longer than the server hashes', () => {
    const long = 'x'.repeat(MAX_PASSWORD_LENGTH + 1);
    expect(newPasswordProblems(long, long).password).toBe(
      `Use at most ${MAX_PASSWORD_LENGTH} characters.`,
    );
  });

  it('notices a confirmation that differs', () => {
    expect(newPasswordProblems(good, `${good}!`)).toEqual({
      confirm: 'The two passwords are not the same.',
    });
  });
});

describe('setupProblems', () => {
  it('reports every field at once', () => {
    const problems = setupProblems({ email: 'owner', password: 'x', confirm: 'y' });
    expect(Object.keys(problems).sort()).toEqual(['confirm', 'email', 'password']);
    expect(hasProblems(problems)).toBe(true);
  });

  it('is empty for a good form', () => {
    const problems = setupProblems({ email: 'owner@example.com', password: good, confirm: good });
    expect(problems).toEqual({});
    expect(hasProblems(problems)).toBe(false);
  });
});

describe('newUserProblems', () => {
  it('needs an email and an initial password, not a confirmation', () => {
    expect(newUserProblems({ email: 'ed@example.com', password: good })).toEqual({});
    expect(newUserProblems({ email: '', password: '' })).toEqual({
      email: 'Enter an email address.',
      password: 'Choose a password.',
    });
  });
});

describe('changePasswordProblems', () => {
  it('needs the current password and a different new one', () => {
    expect(changePasswordProblems({ current: '', next: good, confirm: good })).toEqual({
      current: 'Enter your current password.',
    });
    expect(changePasswordProblems({ current: good, next: good, confirm: good })).toEqual({
      next: 'The new password is the same as the current one.',
    });
    expect(changePasswordProblems({ current: 'old password', next: good, confirm: good })).toEqual(
      {},
    );
  });
});

describe('sentence', () => {
  it.each([
    ['the email or password is wrong', 'The email or password is wrong.'],
    ['too many attempts; try again in 5 minutes.', 'Too many attempts; try again in 5 minutes.'],
    ['  done!  ', 'Done!'],
    ['', ''],
  ])('%j reads %j', (message, text) => {
    expect(sentence(message)).toBe(text);
  });
});

describe('loginProblems', () => {
  it('asks for an email that looks like one and any password', () => {
    expect(loginProblems({ email: '', password: '' })).toEqual({
      email: 'Enter your email address.',
      password: 'Enter your password.',
    });
    expect(loginProblems({ email: 'ada', password: 'x' })).toEqual({
      email: 'Enter an email address like name@example.com.',
    });
    // Any password: a short one may be an old account's; the server judges it.
    expect(loginProblems({ email: ' ada@example.com ', password: 'x' })).toEqual({});
  });
});

describe('newTokenProblems', () => {
  it('asks for a name', () => {
    expect(newTokenProblems({ name: '  ' }).name).toMatch(/^Name the token after what uses it/);
    expect(newTokenProblems({ name: 'CI' })).toEqual({});
  });
});
