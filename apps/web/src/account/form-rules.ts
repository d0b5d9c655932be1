/**
 * What the sign-in, setup, user and password forms check before asking the server, so a person
 * sees every problem at once, beside its field. The server checks again and has the last word.
 */

/** The shortest and longest password the server accepts (in UTF-16 units, as it counts). */
export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 1024;

export type FieldProblems<Field extends string> = Partial<Record<Field, string>>;

export function emailProblem(email: string): string | undefined {
  const text = email.trim();
  if (text === '') return 'Enter an email address.';
  // Enough to catch a name or a typo; the server decides what it accepts.
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text)) {
    return 'Enter an email address like name@example.com.';
  }
  return undefined;
}

export function newPasswordProblems(
  password: string,
  confirm: string,
): FieldProblems<'password' | 'confirm'> {
  const problems: FieldProblems<'password' | 'confirm'> = {};
  if (password === '') problems.password = 'Choose a password.';
  else if (password.length < MIN_PASSWORD_LENGTH) {
    problems.password = `Use at least ${MIN_PASSWORD_LENGTH} characters (this one has ${password.length}).`;
  } else if (password.length > MAX_PASSWORD_LENGTH) {
    problems.password = `Use at most ${MAX_PASSWORD_LENGTH} characters.`;
  }
  if (confirm === '') problems.confirm = 'Type the password again.';
  else if (password !== '' && confirm !== password) {
    problems.confirm = 'The two passwords are not the same.';
  }
  return problems;
}

/** Signing in: an email that looks like one, and a password (any: it is the server's to judge). */
export function loginProblems(form: {
  email: string;
  password: string;
}): FieldProblems<'email' | 'password'> {
  const email = form.email.trim() === '' ? 'Enter your email address.' : emailProblem(form.email);
  return {
    ...(email ? { email } : {}),
    ...(form.password === '' ? { password: 'Enter your password.' } : {}),
  };
}

/** A new password chosen for someone else (an admin's reset), typed twice. */
export function resetPasswordProblems(form: {
  password: string;
  confirm: string;
}): FieldProblems<'password' | 'confirm'> {
  return newPasswordProblems(form.password, form.confirm);
}

/** A new API token: a name that says what uses it. */
export function newTokenProblems(form: { name: string }): FieldProblems<'name'> {
  return form.name.trim() === ''
    ? { name: 'Name the token after what uses it, such as "GitHub Actions deploy".' }
    : {};
}

/** The owner's account at setup: an email, and a password typed twice. */
export function setupProblems(form: {
  email: string;
  password: string;
  confirm: string;
}): FieldProblems<'email' | 'password' | 'confirm'> {
  const email = emailProblem(form.email);
  return { ...(email ? { email } : {}), ...newPasswordProblems(form.password, form.confirm) };
}

/** A new user: an email, and an initial password that the admin passes on. */
export function newUserProblems(form: {
  email: string;
  password: string;
}): FieldProblems<'email' | 'password'> {
  const email = emailProblem(form.email);
  const { password } = newPasswordProblems(form.password, form.password);
  return { ...(email ? { email } : {}), ...(password ? { password } : {}) };
}

/** Changing one's password: the current one, and the new one typed twice. */
export function changePasswordProblems(form: {
  current: string;
  next: string;
  confirm: string;
}): FieldProblems<'current' | 'next' | 'confirm'> {
  const { password, confirm } = newPasswordProblems(form.next, form.confirm);
  return {
    ...(form.current === '' ? { current: 'Enter your current password.' } : {}),
    ...(password ? { next: password } : {}),
    ...(!password && form.next === form.current && form.current !== ''
      ? { next: 'The new password is the same as the current one.' }
      : {}),
    ...(confirm ? { confirm } : {}),
  };
}

export function hasProblems(problems: FieldProblems<string>): boolean {
  return Object.values(problems).some((problem) => problem !== undefined);
}

/** A server message as a sentence: `the email or password is wrong` -> `The email or password is wrong.` */
export function sentence(message: string): string {
  const text = message.trim();
  if (text === '') return text;
  const capitalised = text[0]!.toUpperCase() + text.slice(1);
  return /[.!?]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}
