import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeInputProblems } from './api-error.ts';

/** What the API sends for input its zod schema refuses: the error's message. */
function refusalOf(schema: z.ZodType, input: unknown): string {
  const result = schema.safeParse(input);
  if (result.success) throw new Error('the input was accepted');
  return result.error.message;
}

const user = z.object({
  email: z.email('enter an email address, like ada@example.com'),
  password: z.string().min(10, 'use at least 10 characters for the password'),
});

describe('describeInputProblems', () => {
  it('reads one refused field as its message', () => {
    const message = refusalOf(user, { email: 'ada@example.com', password: 'short' });
    expect(describeInputProblems(message)).toEqual({
      message: 'use at least 10 characters for the password',
      issues: [],
    });
  });

  it('lists several refused fields with where each is', () => {
    const message = refusalOf(user, { email: 'ada', password: 'short' });
    expect(describeInputProblems(message)).toEqual({
      message: 'some of what was sent is not valid',
      issues: [
        { where: 'email', message: 'enter an email address, like ada@example.com' },
        { where: 'password', message: 'use at least 10 characters for the password' },
      ],
    });
  });

  it('leaves other messages alone', () => {
    expect(describeInputProblems('this needs the editor role; you are a viewer')).toBeNull();
    expect(describeInputProblems('[not json')).toBeNull();
    expect(describeInputProblems('[1, 2]')).toBeNull();
    expect(describeInputProblems('[]')).toBeNull();
  });
});
