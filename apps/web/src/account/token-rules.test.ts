import { describe, expect, it } from 'vitest';
import { tokenState } from './token-rules.ts';

const now = Date.UTC(2025, 0, 15, 12);
const hour = 60 * 60 * 1000;
const day = 24 * hour;

describe('tokenState', () => {
  it('reads never for a token without expiry', () => {
    expect(tokenState({ expiresAt: null }, now)).toEqual({
      kind: 'valid',
      text: 'never',
      title: undefined,
      soon: false,
    });
  });

  it.each([
    [90 * day, 'in 90 days', false],
    [7 * day, 'in 7 days', false],
    [6 * day + hour, 'in 6 days', true],
    [day + 1, 'in 1 day', true],
    [5 * hour + 10, 'in 5 h', true],
    [10 * 60 * 1000, 'in 1 h', true],
  ])('%d ms left reads %s (soon: %s)', (left, text, soon) => {
    const state = tokenState({ expiresAt: now + left }, now);
    expect(state).toMatchObject({ kind: 'valid', text, soon });
  });

  it('is expired at and after its time', () => {
    expect(tokenState({ expiresAt: now }, now).kind).toBe('expired');
    expect(tokenState({ expiresAt: now - day }, now).kind).toBe('expired');
  });
});
