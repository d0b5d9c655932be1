import { describe, expect, it } from 'vitest';
import { hasRole, roleRefusal, rolesOfferedBy } from './roles.ts';

describe('hasRole', () => {
  it.each([
    ['owner', 'admin', true],
    ['admin', 'admin', true],
    ['admin', 'editor', true],
    ['editor', 'editor', true],
    ['editor', 'admin', false],
    ['viewer', 'editor', false],
    ['viewer', 'viewer', true],
    ['owner', 'owner', true],
    ['admin', 'owner', false],
    ['superuser', 'viewer', false],
  ] as const)('%s may do what needs %s: %s', (role, needed, allowed) => {
    expect(hasRole(role, needed)).toBe(allowed);
  });
});

describe('roleRefusal', () => {
  it('says which role is needed and which one the person has', () => {
    expect(roleRefusal('viewer', 'editor')).toBe('This needs the editor role; you are a viewer.');
    expect(roleRefusal('editor', 'admin')).toBe('This needs the admin role; you are an editor.');
  });

  it('is null when the role suffices', () => {
    expect(roleRefusal('owner', 'admin')).toBeNull();
  });
});

describe('rolesOfferedBy', () => {
  it('lets the owner give any role but owner, an admin editor and viewer, and others none', () => {
    expect(rolesOfferedBy('owner')).toEqual(['admin', 'editor', 'viewer']);
    expect(rolesOfferedBy('admin')).toEqual(['editor', 'viewer']);
    expect(rolesOfferedBy('editor')).toEqual([]);
    expect(rolesOfferedBy('viewer')).toEqual([]);
  });
});
