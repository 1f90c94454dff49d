/** @jest-environment jsdom */
import { EditorView } from '@codemirror/view';
import { EditorRegistry } from './editor-registry';

/**
 * Editors mount lazily: focusing a cell whose editor is not there yet asks for it (its cell mounts
 * it off-screen) and focuses it, cursor placed, as soon as it registers.
 */
describe('EditorRegistry', () => {
  it('asks for an unmounted editor on focus and focuses it once it registers', async () => {
    const registry = new EditorRegistry();
    const woken: string[] = [];
    registry.subscribeWanted('far', () => woken.push('far'));
    expect(registry.isWanted('far')).toBe(false);
    registry.focus('far', 'end');
    expect(registry.isWanted('far')).toBe(true);
    expect(woken).toEqual(['far']);

    const section = document.createElement('section');
    section.dataset.cellId = 'far';
    document.body.append(section);
    const view = new EditorView({ doc: 'x = 1\ny = 2', parent: section });
    registry.register('far', view);
    await Promise.resolve();
    expect(view.hasFocus).toBe(true);
    expect(view.state.selection.main.head).toBe(view.state.doc.length);
    expect(registry.frameOf('far')).toBe(section);
    view.destroy();
  });

  it('drops a pending focus once another editor takes the focus, so a late mount does not pull the focus away', async () => {
    const registry = new EditorRegistry();
    const near = new EditorView({ doc: 'a = 1', parent: document.body });
    registry.register('near', near);
    registry.focus('far', 'end');
    // The user clicks into another cell before the far one mounts.
    near.focus();
    registry.noteFocused('near');
    const far = new EditorView({ doc: 'b = 2', parent: document.body });
    registry.register('far', far);
    await Promise.resolve();
    expect(far.hasFocus).toBe(false);
    expect(near.hasFocus).toBe(true);

    // The page focusing a mounted editor drops it too; a focus of the pending cell itself keeps it.
    registry.focus('later', 'start');
    registry.noteFocused('later');
    registry.focus('near');
    const later = new EditorView({ doc: '', parent: document.body });
    registry.register('later', later);
    await Promise.resolve();
    expect(later.hasFocus).toBe(false);
    for (const view of [near, far, later]) view.destroy();
  });

  it('finds the frame of a cell without an editor in the page; mounting without focus only asks for it', () => {
    const registry = new EditorRegistry();
    const section = document.createElement('section');
    section.dataset.cellId = 'c9';
    document.body.append(section);
    expect(registry.frameOf('c9')).toBe(section);
    registry.want('c9');
    expect(registry.isWanted('c9')).toBe(true);
    expect(registry.viewOf('c9')).toBeUndefined();
  });
});
