import { describe, expect, it } from 'vitest';
import { describedBy } from './form.tsx';

describe('describedBy', () => {
  it('names the help and the problem that are shown, help first', () => {
    expect(describedBy('email', { help: true, problem: true })).toBe('email-help email-problem');
    expect(describedBy('email', { help: true })).toBe('email-help');
    expect(describedBy('email', { problem: true })).toBe('email-problem');
  });

  it('is undefined when nothing describes the control, so no empty attribute is rendered', () => {
    expect(describedBy('email', {})).toBeUndefined();
    expect(describedBy('email', { help: false, problem: false })).toBeUndefined();
  });
});
