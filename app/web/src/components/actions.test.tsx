/** @jest-environment jsdom */
import { cleanup, render, screen, within } from '@testing-library/react';
import { ACTIONS, EDITOR_KEYS, filterActions, PAGE_KEYS, PAGE_RESERVED, shortcutRows, shortcutText } from './actions';
import { CELL_KEYS } from './keys';
import { ShortcutsDialog } from './ShortcutsDialog';

afterEach(cleanup);

/** A CodeMirror key name as the keys it stands for, Mod as both Ctrl and Cmd, modifiers in one order. */
function normalised(key: string): string[] {
  const parts = key.split('-');
  const name = parts.pop()!.toLowerCase();
  const mods = new Set(parts);
  const variants = mods.has('Mod') ? [['Ctrl', ...[...mods].filter((m) => m !== 'Mod')], ['Meta', ...[...mods].filter((m) => m !== 'Mod')]] : [[...mods]];
  return variants.map((v) => [...v.sort(), name].join('-'));
}

describe('the action table: palette, shortcuts sheet and keys from one place', () => {
  it('holds every cell key as bound, and every editor and page key', () => {
    for (const [id, key] of Object.entries(CELL_KEYS)) expect(ACTIONS.find((a) => a.id === id)?.keys).toEqual([key]);
    for (const [id, key] of Object.entries(EDITOR_KEYS)) expect(ACTIONS.find((a) => a.id === id)?.keys).toEqual([key]);
    expect(ACTIONS.find((a) => a.id === 'palette')?.keys).toEqual(PAGE_KEYS.palette);
    expect(ACTIONS.find((a) => a.id === 'findInNotebook')?.keys).toEqual([PAGE_KEYS.findInNotebook]);
    expect(new Set(ACTIONS.map((a) => a.id)).size).toBe(ACTIONS.length);
  });

  it('binds no key a browser or an OS keeps, and no key twice', () => {
    const reserved = new Set(PAGE_RESERVED.flatMap(normalised));
    const bound = ACTIONS.flatMap((a) => a.keys.flatMap(normalised));
    expect(bound.filter((k) => reserved.has(k))).toEqual([]);
    expect(bound.length).toBe(new Set(bound).size);
    expect(PAGE_KEYS.palette).toEqual(['Mod-k', 'Mod-Shift-p']);
  });

  it('the shortcuts sheet shows exactly the shortcuts of the table, as the palette shows them', () => {
    render(<ShortcutsDialog onClose={() => undefined} />);
    const rows = within(screen.getByRole('dialog', { name: 'Keyboard shortcuts' })).getAllByRole('row');
    const sheet = rows.map((row) => [row.getAttribute('data-action'), row.querySelector('kbd')?.textContent]);
    const table = ACTIONS.filter((a) => shortcutText(a) !== '').map((a) => [a.id, shortcutText(a)]);
    expect(sheet).toEqual(table);
    expect(shortcutRows().map((r) => r.id)).toContain('runAll');
    // Every cell key is on the sheet.
    for (const id of Object.keys(CELL_KEYS)) expect(sheet.map(([a]) => a)).toContain(id);
  });

  it('filters the palette by every word typed, in the title, the group or the shortcut', () => {
    expect(filterActions('add cell below').map((a) => a.id)).toEqual(['addBelow']);
    expect(filterActions('RUN ALL').map((a) => a.id)).toEqual(['runAll']);
    expect(filterActions('ctrl+k').map((a) => a.id)).toEqual(['palette']);
    expect(filterActions('')).toHaveLength(ACTIONS.length);
  });
});
