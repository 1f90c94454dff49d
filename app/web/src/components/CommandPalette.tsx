import { useEffect, useMemo, useState, type KeyboardEvent } from 'react';
import { ACTIONS, filterActions, shortcutText, type ActionContext, type ActionSpec } from './actions';
import { Modal } from './Modal';

/**
 * Ctrl+K (or Ctrl+Shift+P): every action of the action table with its shortcut, filtered as one
 * types; ↑/↓ choose, Enter runs the chosen one on the cell that had the focus. The palette closes
 * first, so the focus is back in that cell's editor when the action runs.
 */
export function CommandPalette({ context, onClose }: { context: ActionContext; onClose(): void }) {
  const [query, setQuery] = useState('');
  const [chosen, setChosen] = useState(0);
  const available = (a: ActionSpec): boolean => a.run !== undefined && (!a.needsCell || context.cellId !== null) && (!a.needsEditor || context.editor !== null);
  const shown = useMemo(() => filterActions(query, ACTIONS), [query]);
  const index = Math.min(chosen, Math.max(shown.length - 1, 0));
  const chosenId = shown[index]?.id;
  useEffect(() => {
    if (chosenId) document.getElementById(`palette-${chosenId}`)?.scrollIntoView?.({ block: 'nearest' });
  }, [chosenId]);

  const runAction = (action: ActionSpec | undefined): void => {
    if (!action || !available(action)) return;
    onClose();
    setTimeout(() => action.run?.(context), 0);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>): void => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setChosen((index + step + shown.length) % Math.max(shown.length, 1));
    } else if (event.key === 'Enter') {
      event.preventDefault();
      runAction(shown[index]);
    }
  };

  return (
    <Modal title="Command palette" onClose={onClose} className="modal--wide palette">
      <input
        className="palette__input"
        type="text"
        role="combobox"
        aria-expanded="true"
        aria-controls="palette-list"
        aria-activedescendant={shown[index] ? `palette-${shown[index]!.id}` : undefined}
        aria-label="Type to filter the actions"
        placeholder="Type an action…"
        value={query}
        onChange={(e) => { setQuery(e.target.value); setChosen(0); }}
        onKeyDown={onKeyDown}
        data-autofocus
      />
      <ul className="palette__list" id="palette-list" role="listbox" aria-label="Actions">
        {shown.map((action, i) => (
          <li
            key={action.id}
            id={`palette-${action.id}`}
            role="option"
            aria-selected={i === index}
            aria-disabled={!available(action)}
            data-action={action.id}
            className={i === index ? 'palette__item palette__item--chosen' : 'palette__item'}
            onMouseEnter={() => setChosen(i)}
            onMouseDown={(e) => { e.preventDefault(); runAction(action); }}
          >
            <span className="palette__title">{action.title}</span>
            <span className="palette__group">{action.group}</span>
            {shortcutText(action) !== '' && <kbd className="palette__keys">{shortcutText(action)}</kbd>}
          </li>
        ))}
        {shown.length === 0 && <li className="palette__empty" role="option" aria-selected="false" aria-disabled="true">No action matches</li>}
      </ul>
    </Modal>
  );
}
