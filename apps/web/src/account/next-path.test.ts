import { describe, expect, it } from 'vitest';
import { gateRedirect, loginPath, safeNextPath } from './next-path.ts';

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

describe('gateRedirect', () => {
  const state = {
    setupRequired: false,
    signedIn: true,
    signedOutOnPurpose: false,
    pathname: '/',
    search: '',
  };

  it('sends every page to setup while there is no owner, and stays there', () => {
    expect(
      gateRedirect({ ...state, setupRequired: true, signedIn: false, pathname: '/runs' }),
    ).toBe('/setup');
    expect(
      gateRedirect({ ...state, setupRequired: true, signedIn: false, pathname: '/login' }),
    ).toBe('/setup');
    expect(
      gateRedirect({ ...state, setupRequired: true, signedIn: false, pathname: '/setup' }),
    ).toBeNull();
  });

  it('sends a signed-out person to the login page, remembering the page and its query', () => {
    expect(
      gateRedirect({ ...state, signedIn: false, pathname: '/runs', search: 'status=failed' }),
    ).toBe('/login?next=%2Fruns%3Fstatus%3Dfailed');
    expect(gateRedirect({ ...state, signedIn: false, pathname: '/' })).toBe('/login');
    expect(gateRedirect({ ...state, signedIn: false, pathname: '/setup' })).toBe('/login');
    expect(
      gateRedirect({ ...state, signedIn: false, pathname: '/login', search: 'next=%2Fruns' }),
    ).toBeNull();
  });

  it('remembers no page after signing out on purpose', () => {
    expect(
      gateRedirect({ ...state, signedIn: false, signedOutOnPurpose: true, pathname: '/users' }),
    ).toBe('/login');
  });

  it('sends a signed-in person from the sign-in pages to their next page, and leaves others be', () => {
    expect(gateRedirect({ ...state, pathname: '/login', search: 'next=%2Fruns%2Fr_1' })).toBe(
      '/runs/r_1',
    );
    expect(gateRedirect({ ...state, pathname: '/login', search: 'next=https%3A%2F%2Fevil' })).toBe(
      '/',
    );
    expect(gateRedirect({ ...state, pathname: '/setup' })).toBe('/');
    expect(gateRedirect({ ...state, pathname: '/workflows/wf_1/edit' })).toBeNull();
  });
});
