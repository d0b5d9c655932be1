import { describe, expect, it } from 'vitest';
import { loginPath, safeNextPath } from './next-path.ts';

describe('safeNextPath', () => {
  it.each([
    ['/workflows/wf_1/edit', '/workflows/wf_1/edit'],
    ['/runs?status=failed&workflow=wf_1', '/runs?status=failed&workflow=wf_1'],
    ['/account/tokens#new', '/account/tokens#new'],
    ['/', '/'],
  ])('keeps the app path %s', (next, expected) => {
    expect(safeNextPath(next)).toBe(expected);
  });

  it.each([
    [null],
    [undefined],
    [''],
    ['https://evil.example/'],
    ['//evil.example/path'],
    ['/\\evil.example'],
    ['javascript:alert(1)'],
    ['workflows'],
    ['/login'],
    ['/login?next=/runs'],
    ['/setup'],
  ])('sends %s home', (next) => {
    expect(safeNextPath(next)).toBe('/');
  });
});

describe('loginPath', () => {
  it('carries the page to come back to', () => {
    expect(loginPath('/runs?status=failed')).toBe('/login?next=%2Fruns%3Fstatus%3Dfailed');
  });

  it('needs no next for home or a sign-in page', () => {
    expect(loginPath()).toBe('/login');
    expect(loginPath('/')).toBe('/login');
    expect(loginPath('/login')).toBe('/login');
  });
});
