/**
 * Every keyboard shortcut of the editor, in one table: the help dialog lists it, and the key
 * handlers match against it (`shortcutFor`) or take their keys from it (the canvas's delete and
 * multi-select keys), so the list cannot say something the editor does not do.
 */

/** `Mod` is Ctrl, or ⌘ on a Mac. `Click` and `Drag` are mouse gestures. */
export type Key = string;

export type ShortcutId =
  | 'undo'
  | 'redo'
  | 'save'
  | 'copy'
  | 'cut'
  | 'paste'
  | 'delete'
  | 'multi-select'
  | 'box-select'
  | 'add-node'
  | 'close'
  | 'help';

export interface Shortcut {
  id: ShortcutId;
  group: 'Editing' | 'Selecting' | 'Canvas' | 'Help';
  description: string;
  /** Alternatives, each a combination of keys pressed together. */
  keys: readonly (readonly Key[])[];
  /** Where the shortcut does not apply (it stays the text box's own). */
  note?: string;
  /**
   * Matched by the editor's window key handler (`shortcutFor`); the others are handled where
   * they happen (clipboard events, React Flow, the palette, dialogs) with the keys given here.
   */
  global?: { inTextBoxes: boolean };
}

/** The canvas deletes the selection with these (React Flow's `deleteKeyCode`). */
export const DELETE_KEYS = ['Delete', 'Backspace'] as const;
/** Held while clicking a node adds it to the selection (React Flow's `multiSelectionKeyCode`). */
export const MULTI_SELECT_KEYS = ['Shift', 'Meta', 'Control'] as const;
/** Held while dragging on empty canvas draws a selection box (React Flow's default). */
export const BOX_SELECT_KEY = 'Shift';

const flowKey = (key: string): Key => (key === 'Meta' || key === 'Control' ? 'Mod' : key);

export const shortcuts: readonly Shortcut[] = [
  {
    id: 'undo',
    group: 'Editing',
    description: 'Undo the last edit',
    keys: [['Mod', 'Z']],
    note: 'in a text box: undo typing',
    global: { inTextBoxes: false },
  },
  {
    id: 'redo',
    group: 'Editing',
    description: 'Redo',
    keys: [
      ['Mod', 'Shift', 'Z'],
      ['Ctrl', 'Y'],
    ],
    note: 'in a text box: redo typing',
    global: { inTextBoxes: false },
  },
  {
    id: 'save',
    group: 'Editing',
    description: 'Save the draft now (it also saves by itself)',
    keys: [['Mod', 'S']],
    global: { inTextBoxes: true },
  },
  {
    id: 'copy',
    group: 'Editing',
    description: 'Copy the selected nodes with the edges between them',
    keys: [['Mod', 'C']],
    note: 'pastes in any workflow',
  },
  { id: 'cut', group: 'Editing', description: 'Cut the selected nodes', keys: [['Mod', 'X']] },
  {
    id: 'paste',
    group: 'Editing',
    description: 'Paste nodes beside the originals',
    keys: [['Mod', 'V']],
  },
  {
    id: 'delete',
    group: 'Editing',
    description: 'Delete the selected nodes and edges',
    keys: DELETE_KEYS.map((key) => [key]),
  },
  {
    id: 'multi-select',
    group: 'Selecting',
    description: 'Add a node to the selection, or take it out',
    keys: [...new Set(MULTI_SELECT_KEYS.map(flowKey))].map((key) => [key, 'Click']),
  },
  {
    id: 'box-select',
    group: 'Selecting',
    description: 'Select the nodes inside a box',
    keys: [[BOX_SELECT_KEY, 'Drag']],
    note: 'on empty canvas',
  },
  {
    id: 'add-node',
    group: 'Canvas',
    description: 'Add the focused node type of the palette in the middle of the canvas',
    keys: [['Enter'], ['Space']],
    note: 'in the palette; Tab moves between node types',
  },
  {
    id: 'close',
    group: 'Canvas',
    description: 'Close a dialog or the list of node types',
    keys: [['Escape']],
  },
  {
    id: 'help',
    group: 'Help',
    description: 'Show these shortcuts',
    keys: [['?']],
    global: { inTextBoxes: false },
  },
];

/** Whether the pressed keys are this combination (no other modifier held). */
export function matchesCombo(
  event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>,
  combo: readonly Key[],
): boolean {
  if (event.altKey) return false;
  const key = combo.at(-1)!;
  const mod = combo.includes('Mod');
  const ctrl = combo.includes('Ctrl');
  if (key === '?') return event.key === '?' && !event.ctrlKey && !event.metaKey;
  const wantsCommand = mod || ctrl;
  if (wantsCommand !== (event.ctrlKey || event.metaKey)) return false;
  if (ctrl && !event.ctrlKey) return false;
  if (combo.includes('Shift') !== event.shiftKey) return false;
  return event.key.toLowerCase() === key.toLowerCase();
}

/** The window-level shortcut these keys are, if any; null inside a text box for most. */
export function shortcutFor(
  event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>,
  inTextBox: boolean,
): ShortcutId | null {
  for (const shortcut of shortcuts) {
    if (!shortcut.global || (inTextBox && !shortcut.global.inTextBoxes)) continue;
    if (shortcut.keys.some((combo) => matchesCombo(event, combo))) return shortcut.id;
  }
  return null;
}

/** How a key reads on this platform: `Mod` is ⌘ on a Mac, Ctrl elsewhere. */
export function keyLabel(key: Key, mac: boolean): string {
  if (key === 'Mod') return mac ? '⌘' : 'Ctrl';
  if (key === 'Shift') return mac ? '⇧ Shift' : 'Shift';
  if (key === 'Backspace') return mac ? '⌫ Backspace' : 'Backspace';
  return key;
}

export function isMac(platform = typeof navigator === 'undefined' ? '' : navigator.platform) {
  return /mac|iphone|ipad/i.test(platform);
}
