import { describe, expect, it } from 'vitest';
import { keyLabel, matchesCombo, shortcutFor, shortcuts } from './shortcuts.ts';

const press = (
  key: string,
  mods: { ctrl?: boolean; meta?: boolean; shift?: boolean; alt?: boolean } = {},
) => ({
  key,
  ctrlKey: mods.ctrl ?? false,
  metaKey: mods.meta ?? false,
  shiftKey: mods.shift ?? false,
  altKey: mods.alt ?? false,
});

describe('the shortcut table', () => {
  it('has unique ids and at least one key combination each', () => {
    expect(new Set(shortcuts.map((s) => s.id)).size).toBe(shortcuts.length);
    for (const shortcut of shortcuts) expect(shortcut.keys.length).toBeGreaterThan(0);
  });

  it('lists the canvas keys React Flow is given', () => {
    const keys = (id: string) => shortcuts.find((s) => s.id === id)!.keys;
    expect(keys('delete')).toEqual([['Delete'], ['Backspace']]);
    expect(keys('multi-select')).toEqual([
      ['Shift', 'Click'],
      ['Mod', 'Click'],
    ]);
  });
});

describe('shortcutFor', () => {
  it('finds undo, redo, save and help with Ctrl or ⌘', () => {
    expect(shortcutFor(press('z', { ctrl: true }), false)).toBe('undo');
    expect(shortcutFor(press('z', { meta: true }), false)).toBe('undo');
    expect(shortcutFor(press('Z', { ctrl: true, shift: true }), false)).toBe('redo');
    expect(shortcutFor(press('y', { ctrl: true }), false)).toBe('redo');
    expect(shortcutFor(press('s', { meta: true }), false)).toBe('save');
    expect(shortcutFor(press('?', { shift: true }), false)).toBe('help');
  });

  it('leaves text boxes their own undo and ? but still saves from them', () => {
    expect(shortcutFor(press('z', { ctrl: true }), true)).toBeNull();
    expect(shortcutFor(press('?', { shift: true }), true)).toBeNull();
    expect(shortcutFor(press('s', { ctrl: true }), true)).toBe('save');
  });

  it('ignores other combinations', () => {
    expect(shortcutFor(press('z'), false)).toBeNull();
    expect(shortcutFor(press('z', { ctrl: true, alt: true }), false)).toBeNull();
    expect(shortcutFor(press('y', { meta: true }), false)).toBeNull();
    expect(matchesCombo(press('c', { ctrl: true }), ['Mod', 'C'])).toBe(true);
  });
});

describe('keyLabel', () => {
  it('reads Mod as ⌘ on a Mac and Ctrl elsewhere', () => {
    expect(keyLabel('Mod', true)).toBe('⌘');
    expect(keyLabel('Mod', false)).toBe('Ctrl');
  });
});
