import { CellNavigator } from './cell-navigation';
import type { Collapsed } from './cell-ui';
import { EditorRegistry } from './editor-registry';

/** A real registry with no editor mounted: a move shows up as the target's editor being asked for. */
function setup(order: string[], definers: Record<string, string[]> = {}, collapsed: Record<string, Collapsed> = {}) {
  const editors = new EditorRegistry();
  const notices: string[] = [];
  const toggled: string[] = [];
  const navigator = new CellNavigator({
    editors,
    model: { getOrder: () => order, definersOf: (name) => definers[name] ?? [] },
    ui: () => ({
      collapsedOf: (cellId) => collapsed[cellId] ?? { code: false, output: false },
      toggle: (cellId, part) => void toggled.push(`${cellId}:${part}`),
    }),
    notify: (_kind, message) => void notices.push(message),
  });
  return { navigator, editors, notices, toggled };
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('CellNavigator', () => {
  it('moves to the neighbour above or below, and says no at either end', () => {
    const { navigator, editors } = setup(['a', 'b', 'c']);
    expect(navigator.focusNeighbour('a', -1)).toBe(false);
    expect(navigator.focusNeighbour('c', 1)).toBe(false);
    expect(editors.isWanted('a') || editors.isWanted('c')).toBe(false);
    expect(navigator.focusNeighbour('a', 1)).toBe(true);
    expect(editors.isWanted('b')).toBe(true);
    expect(editors.isWanted('c')).toBe(false);
  });

  it('jumps to the cell defining a name, and tells the user when none does', () => {
    const { navigator, editors, notices } = setup(['a', 'b'], { x: ['b'] });
    expect(navigator.jumpToDefinition('y')).toBe(false);
    expect(notices).toEqual(['No cell defines `y`']);
    expect(navigator.jumpToDefinition('x')).toBe(true);
    expect(editors.isWanted('b')).toBe(true);
  });

  it('shows a collapsed cell\'s code before putting the cursor in it', () => {
    const { navigator, editors, toggled } = setup(['a'], {}, { a: { code: true, output: false } });
    navigator.revealCell('a');
    expect(toggled).toEqual(['a:code']);
    expect(editors.isWanted('a')).toBe(false);
    jest.runOnlyPendingTimers();
    expect(editors.isWanted('a')).toBe(true);
  });
});
