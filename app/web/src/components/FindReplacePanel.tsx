import { useEffect, useMemo, useRef, useState, useSyncExternalStore, type KeyboardEvent } from 'react';
import { findInCells, replaceAllIn, replacementFor, searchPattern, type CellMatch } from '../state/find-replace';
import type { NotebookController } from '../state/notebook-controller';
import { applyReplaceAll, canUndoReplaceAll, undoReplaceAll } from './find-replace-undo';

/** The cells' current text as shown, editor mounted or not (unsaved typing and others' edits included). */
function cellTexts(controller: NotebookController): { id: string; code: string }[] {
  return controller.model.cellList().map((c) => ({ id: c.id, code: controller.codeOf(c.id) ?? c.code }));
}

/**
 * Find and replace across every cell of the notebook: plain text or regex, case sensitivity, the
 * match count, next / previous (Enter / Shift+Enter), replace one, and replace all as one undoable
 * edit (./find-replace-undo). The match is selected in its cell's editor and scrolled to, while
 * the focus stays here so typing refines the search.
 */
export function FindReplacePanel({ controller, onClose }: { controller: NotebookController; onClose(): void }) {
  const [query, setQuery] = useState('');
  const [replacement, setReplacement] = useState('');
  const [regex, setRegex] = useState(false);
  const [caseSensitive, setCaseSensitive] = useState(false);
  /** The match shown by next/previous; -1 before the first step. */
  const [current, setCurrent] = useState(-1);
  const [version, setVersion] = useState(0);
  const findInput = useRef<HTMLInputElement>(null);
  // Edits anywhere (and cells added, moved, deleted) re-run the search.
  const graphVersion = useSyncExternalStore(controller.model.subscribeGraph, controller.model.getGraphVersion);
  const order = useSyncExternalStore(controller.model.subscribeOrder, controller.model.getOrder);

  useEffect(() => findInput.current?.focus(), []);
  const options = { regex, caseSensitive };
  const pattern = searchPattern(query, options);
  const error = pattern && !(pattern instanceof RegExp) ? pattern.error : null;
  const matches: CellMatch[] = useMemo(() => (pattern instanceof RegExp ? findInCells(cellTexts(controller), pattern) : []), [query, regex, caseSensitive, version, order, graphVersion, controller]);
  const index = matches.length === 0 || current < 0 ? -1 : Math.min(current, matches.length - 1);

  const show = (i: number): void => {
    const match = matches[i];
    if (!match) return;
    setCurrent(i);
    const select = (): void => {
      const view = controller.editorOf(match.cellId);
      view?.dispatch({ selection: { anchor: match.from, head: match.to }, scrollIntoView: true });
      view?.dom.closest('[data-cell-id]')?.scrollIntoView?.({ block: 'nearest' });
    };
    if (controller.editorOf(match.cellId)) return select();
    // A far cell's editor has not mounted yet (editors mount near the screen): mount it, then select.
    controller.mountEditor(match.cellId);
    setTimeout(select, 0);
  };
  const step = (delta: 1 | -1): void => {
    if (matches.length === 0) return;
    show(index < 0 ? (delta > 0 ? 0 : matches.length - 1) : (index + delta + matches.length) % matches.length);
  };
  const replaceCurrent = (): void => {
    const match = matches[index];
    if (!match || !(pattern instanceof RegExp)) return;
    const text = cellTexts(controller).find((c) => c.id === match.cellId)?.code ?? '';
    const insert = replacementFor(text.slice(match.from, match.to), pattern, replacement, options);
    const view = controller.editorOf(match.cellId);
    if (view) view.dispatch({ changes: { from: match.from, to: match.to, insert }, userEvent: 'input.replace' });
    else controller.setCodeWithoutEditor(match.cellId, text.slice(0, match.from) + insert + text.slice(match.to));
    setVersion((v) => v + 1);
  };
  const replaceAll = (): void => {
    if (!(pattern instanceof RegExp)) return;
    const changes = cellTexts(controller).flatMap((cell) => {
      const after = replaceAllIn(cell.code, pattern, replacement, options);
      return after === null ? [] : [{ cellId: cell.id, after }];
    });
    applyReplaceAll(controller, changes);
    setCurrent(-1);
    // The button is disabled once nothing matches: keep the focus in the panel (Escape closes it).
    findInput.current?.focus();
    setVersion((v) => v + 1);
  };
  const onKeyDown = (event: KeyboardEvent): void => {
    if (event.key === 'Escape') {
      event.preventDefault();
      onClose();
    } else if (event.key === 'Enter' && event.target === findInput.current) {
      event.preventDefault();
      step(event.shiftKey ? -1 : 1);
    }
  };

  const count = error ?? (query === '' ? '' : matches.length === 0 ? 'No matches' : index >= 0 ? `${index + 1} of ${matches.length}` : `${matches.length} matches`);
  return (
    <section className="find" role="search" aria-label="Find and replace in the notebook" onKeyDown={onKeyDown}>
      <div className="find__row">
        <input ref={findInput} className="find__input" type="text" aria-label="Find in the notebook" placeholder="Find" value={query} onChange={(e) => { setQuery(e.target.value); setCurrent(-1); }} aria-invalid={error !== null} />
        <label className="find__toggle" title="Regular expression"><input type="checkbox" aria-label="Regular expression" checked={regex} onChange={(e) => { setRegex(e.target.checked); setCurrent(-1); }} /> .*</label>
        <label className="find__toggle" title="Match case"><input type="checkbox" aria-label="Match case" checked={caseSensitive} onChange={(e) => { setCaseSensitive(e.target.checked); setCurrent(-1); }} /> Aa</label>
        <span className="find__count" role="status" aria-live="polite" data-testid="find-count">{count}</span>
        <button type="button" className="btn btn--small" onClick={() => step(-1)} disabled={matches.length === 0} aria-label="Previous match">↑</button>
        <button type="button" className="btn btn--small" onClick={() => step(1)} disabled={matches.length === 0} aria-label="Next match">↓</button>
        <button type="button" className="icon-btn" onClick={onClose} aria-label="Close find">✕</button>
      </div>
      <div className="find__row">
        <input className="find__input" type="text" aria-label="Replace with" placeholder="Replace" value={replacement} onChange={(e) => setReplacement(e.target.value)} />
        <button type="button" className="btn btn--small" onClick={replaceCurrent} disabled={index < 0}>Replace</button>
        <button type="button" className="btn btn--small" onClick={replaceAll} disabled={matches.length === 0}>Replace all</button>
        {canUndoReplaceAll(controller) && (
          <button type="button" className="btn btn--small btn--ghost" onClick={() => { undoReplaceAll(controller); setVersion((v) => v + 1); }}>Undo replace all</button>
        )}
      </div>
    </section>
  );
}
