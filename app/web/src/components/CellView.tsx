import { memo, useContext, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useCellInView } from './cell-in-view';
import { estimatedCellHeight } from './cell-height';
import { CellWindowContext } from './cell-window-context';
import { MARKDOWN_MIME, type LanguageInfo } from '../api/types';
import type { SaveState } from '../state/draft-saver';
import { useCellPosition, useSaveState } from '../state/hooks';
import type { NotebookController } from '../state/notebook-controller';
import type { CellState } from '../state/notebook-model';
import { countRender } from '../perf/render-count';
import { displayNameOf, useLanguages } from '../plugins/languages';
import { cellUiOf, useCollapsed } from '../state/cell-ui';
import { CellToolbarExtras } from './CellExtras';
import { LazyCodeEditor } from './LazyCodeEditor';
import { handleCommandKey } from './command-mode';
import { ConflictPanel } from './ConflictPanel';
import { CELL_KEYS, keyLabel } from './keys';
import { Icon } from './Icon';
import { ErrorOutput, nameCells } from './outputs/ErrorOutput';
import { OutputView } from './outputs/OutputView';
import { stderrOf, TextOutput } from './outputs/TextOutput';
import { PeopleInCell } from './Presence';
import { StatusBadge } from './StatusBadge';

export interface CellViewProps {
  cellId: string;
  controller: NotebookController;
}

/**
 * One cell. Its props never change while the notebook is open (an id and the controller), so
 * React.memo skips it unless its own state changes: this cell's object in the model, its save
 * state, or whether it is first or last. Far from the screen, its re-renders wait for spare time (./cell-in-view).
 */
export const CellView = memo(function CellView({ cellId, controller }: CellViewProps) {
  const frame = useRef<HTMLElement>(null);
  const cell = useCellInView(controller.model, cellId, frame);
  const position = useCellPosition(controller.model, cellId);
  const saveState = useSaveState(controller.saver, cellId, controller.coedit, controller.isOnline);
  const languages = useLanguages();
  const markdown = useMarkdownPreview(cell?.type === MARKDOWN_CELL_TYPE, (id) => void controller.run(id), cellId);
  const collapsed = useCollapsed(cellUiOf(controller), cellId);
  const cellWindow = useContext(CellWindowContext);
  useLayoutEffect(() => (cellWindow && frame.current ? cellWindow.register(cellId, frame.current) : undefined), [cellWindow, cellId, cell === undefined]);
  countRender(cellId);
  if (!cell) return null;

  const languageName = displayNameOf(languages, cell.type);
  const busy = cell.status === 'running' || cell.status === 'queued';
  const blockedReason = cell.status === 'blocked'
    ? (cell.error ?? controller.model.explainBlocked(cellId) ?? 'an upstream cell did not succeed')
    : null;
  const dim = cell.status === 'stale' || cell.status === 'queued' || cell.status === 'blocked';
  const onKeyDown = (event: KeyboardEvent<HTMLElement>): void => {
    // The cell itself is focused after Escape or a delete ("command mode", ./command-mode): Enter goes back into
    // the editor, the delete shortcut deletes it (Ctrl+Z and z, which undo a delete, are the page's).
    if (event.target !== event.currentTarget) return;
    if (handleCommandKey(event, cellId, controller)) {
      event.preventDefault();
    } else if (!controller.readOnly && event.key === 'Backspace' && event.shiftKey && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void controller.deleteCell(cellId);
    }
  };

  return (
    <section
      ref={frame}
      className={`cell cell--${cell.status}${markdown.previewing ? ' cell--markdown-preview' : ''}${collapsed.code ? ' cell--code-collapsed' : ''}${collapsed.output ? ' cell--output-collapsed' : ''}`}
      data-cell-id={cellId}
      data-status={cell.status}
      data-last-run={cell.last_run_at ?? ''}
      // Off-screen, the cell takes the size it had when last drawn, or this estimate before it ever was.
      style={{ containIntrinsicSize: `auto ${estimatedCellHeight(cell)}px` }}
      tabIndex={-1}
      aria-label={`${languageName} cell`}
      onKeyDown={onKeyDown}
    >
      <div className="cell__toolbar" role="toolbar" aria-label="Cell actions">
        <StatusBadge status={cell.status} since={cell.runningSince} />
        <LanguageSelect cellId={cellId} type={cell.type} controller={controller} languages={languages} />
        <SaveIndicator state={saveState} />
        <CellToolbarExtras cell={cell} controller={controller} />
        <PeopleInCell coedit={controller.coedit} cellId={cellId} />
        <span className="cell__spacer" />
        {controller.readOnly ? null : busy ? (
          <button type="button" className="btn btn--danger btn--small" onClick={() => controller.interrupt(cellId)} aria-label="Interrupt cell" title={`Interrupt (${keyLabel(CELL_KEYS.interrupt)})`}>
            <Icon name="stop" /> Stop
          </button>
        ) : (
          <button type="button" className="btn btn--primary btn--small" onClick={() => void controller.run(cellId)} aria-label="Run cell" title={`Run (${keyLabel(CELL_KEYS.run)})`}>
            <Icon name="play" /> Run
          </button>
        )}
        {!controller.readOnly && (<>
        <button type="button" className="icon-btn" onClick={() => void controller.moveCell(cellId, -1)} disabled={position === 'first' || position === 'only'} aria-label="Move cell up" title={`Move up (${keyLabel(CELL_KEYS.moveUp)})`}><Icon name="up" /></button>
        <button type="button" className="icon-btn" onClick={() => void controller.moveCell(cellId, 1)} disabled={position === 'last' || position === 'only'} aria-label="Move cell down" title={`Move down (${keyLabel(CELL_KEYS.moveDown)})`}><Icon name="down" /></button>
        <button type="button" className="icon-btn" onClick={() => void controller.addCell(cellId, 'above', cell.type)} aria-label="Add cell above" title={`Add cell above (${keyLabel(CELL_KEYS.addAbove)})`}><Icon name="addAbove" /></button>
        <button type="button" className="icon-btn" onClick={() => void controller.addCell(cellId, 'below', cell.type)} aria-label="Add cell below" title={`Add cell below (${keyLabel(CELL_KEYS.addBelow)})`}><Icon name="addBelow" /></button>
        <button type="button" className="icon-btn icon-btn--danger" onClick={() => void controller.deleteCell(cellId)} aria-label="Delete cell" title={`Delete cell (${keyLabel(CELL_KEYS.deleteCell)})`}><Icon name="trash" /></button>
        </>)}
      </div>
      {collapsed.code && <button type="button" className="cell__collapsed" onClick={() => cellUiOf(controller).toggle(cellId, 'code')}>{collapsedCodeText(cell.code)}</button>}
      <div ref={markdown.slot} className={markdown.previewing ? 'cell__editor-slot cell__editor-slot--hidden' : 'cell__editor-slot'} onFocus={markdown.onFocus} onKeyDownCapture={markdown.onKeyDown}>
        <LazyCodeEditor cellId={cellId} language={cell.type} code={cell.code} controller={controller} label={`${languageName} code`} />
      </div>
      <ConflictPanel cellId={cellId} controller={controller} />
      <CellNames cellId={cellId} reads={cell.reads} writes={cell.writes} controller={controller} />
      {blockedReason !== null && (
        <p className="cell__blocked" role="note">Blocked: {blockedReason}</p>
      )}
      {markdown.previewing && !cell.outputs.some((o) => o.mime_type === MARKDOWN_MIME) && (
        // Not rendered (an imported notebook, a new cell, a name it reads is missing): its text as it reads, braces
        // and all, above the error if there is one.
        <div className="cell__outputs cell__markdown-source" aria-label="Markdown text" onDoubleClick={() => controller.focusCell(cellId)}>
          {cell.code.trim() === '' ? <p className="cell__markdown-empty">Empty markdown cell: double-click or press Enter to write.</p> : <OutputView output={{ mime_type: MARKDOWN_MIME, data: cell.code }} />}
        </div>
      )}
      {(cell.stdout !== '' || stderrOf(cell) !== '' || cell.outputs.length > 0 || (cell.error !== null && cell.status !== 'blocked')) && (
        collapsed.output ? <button type="button" className="cell__collapsed" onClick={() => cellUiOf(controller).toggle(cellId, 'output')}>Output collapsed: show it</button> :
        <CellOutputs
          cellId={cellId}
          controller={controller}
          dim={dim}
          markdown={cell.type === MARKDOWN_CELL_TYPE}
          stdout={cell.stdout}
          stderr={stderrOf(cell)}
          outputs={cell.outputs}
          error={cell.status === 'blocked' ? null : cell.error}
        />
      )}
    </section>
  );
});

/** The cell's language. Its own component: a select re-rendered marks its option again, costly a thousand times over. */
const LanguageSelect = memo(function LanguageSelect({ cellId, type, controller, languages }: {
  cellId: string;
  type: string;
  controller: NotebookController;
  languages: readonly LanguageInfo[];
}) {
  return (
    <>
      <label className="visually-hidden" htmlFor={`type-${cellId}`}>Cell language</label>
      <select
        id={`type-${cellId}`}
        className="cell__type"
        disabled={controller.readOnly}
        value={type}
        onChange={(e) => void controller.changeType(cellId, e.target.value)}
      >
        {languages.map((l) => <option key={l.id} value={l.id}>{l.display_name}</option>)}
        {!languages.some((l) => l.id === type) && <option value={type}>{type}</option>}
      </select>
    </>
  );
});

/** The names the cell defines and reads; re-rendered only when they change (not at each status of a run). */
const CellNames = memo(function CellNames({ cellId, reads, writes, controller }: {
  cellId: string;
  reads: readonly string[];
  writes: readonly string[];
  controller: NotebookController;
}) {
  if (writes.length === 0 && reads.length === 0) return null;
  return (
    <div className="cell__deps">
      {writes.length > 0 && (
        <span className="deps" aria-label="Defines">
          <span className="deps__label">defines</span>
          {writes.map((name) => <span key={name} className="chip chip--def">{name}</span>)}
        </span>
      )}
      {reads.length > 0 && (
        <span className="deps" aria-label="Reads">
          <span className="deps__label">reads</span>
          {reads.map((name) => (
            <button key={name} type="button" className="chip chip--ref" onClick={() => controller.jumpToDefinition(name)} title={`Go to the cell that defines ${name}`}>
              {name}
            </button>
          ))}
        </span>
      )}
    </div>
  );
});

/**
 * What the cell's last run printed and returned. Its props are the parts of the cell it shows, so a status change
 * (queued, success: most of a cascade's events) re-renders it only to dim or undim it.
 */
const CellOutputs = memo(function CellOutputs({ cellId, controller, dim, markdown, stdout, stderr, outputs, error }: {
  cellId: string;
  controller: NotebookController;
  dim: boolean;
  markdown: boolean;
  stdout: string;
  stderr: string;
  outputs: CellState['outputs'];
  error: string | null;
}) {
  return (
    <div
      className={dim ? 'cell__outputs cell__outputs--dim' : 'cell__outputs'}
      aria-label="Cell output"
      onDoubleClick={markdown ? () => controller.focusCell(cellId) : undefined}
    >
      {stdout !== '' && <TextOutput text={nameCellsIn(stdout, cellId, controller)} stream="stdout" />}
      {stderr !== '' && <TextOutput text={nameCellsIn(stderr, cellId, controller)} stream="stderr" />}
      {outputs.map((output, i) => <OutputView key={i} output={output} />)}
      {error !== null && <ErrorOutput error={error} cellId={cellId} positionOf={controller.positionOf} />}
    </div>
  );
});

/** The cell type of markdown cells (core's MARKDOWN_CELL_TYPE, the notebook files' `[markdown]`). */
const MARKDOWN_CELL_TYPE = 'markdown';

/**
 * A markdown cell shows its rendered output instead of its editor until the editor takes the focus (double-click,
 * Enter on the focused cell, arrow keys from a neighbour, a new cell): the editor stays mounted and focusable, only
 * visually hidden, so every way the page focuses a cell's editor opens it. Escape renders it again and runs it;
 * Shift+Enter, Mod+Enter and Alt+Enter run it (their usual keys) and render it. Clicking elsewhere keeps it open,
 * as in Jupyter.
 */
function useMarkdownPreview(isMarkdown: boolean, run: (cellId: string) => void, cellId: string) {
  const [editing, setEditing] = useState(false);
  const slot = useRef<HTMLDivElement>(null);
  const previewing = isMarkdown && !editing;
  useLayoutEffect(() => {
    const element = slot.current;
    if (!element || !element.contains(document.activeElement)) return;
    // Turned into markdown while typing, or rendered by Mod+Enter: the focus must not stay in a hidden editor.
    if (isMarkdown && !editing) element.closest<HTMLElement>('[data-cell-id]')?.focus();
  }, [isMarkdown, editing]);
  return {
    slot,
    previewing,
    onFocus: isMarkdown ? () => setEditing(true) : undefined,
    onKeyDown: isMarkdown
      ? (event: KeyboardEvent<HTMLElement>) => {
        const modified = event.shiftKey || event.ctrlKey || event.metaKey || event.altKey;
        if (event.key === 'Escape' && !modified) {
          setEditing(false);
          run(cellId);
        } else if (event.key === 'Enter' && modified) {
          setEditing(false);
        }
      }
      : undefined,
  };
}

/** A collapsed cell's one line: its first line of code and how many more there are. */
function collapsedCodeText(code: string): string {
  const lines = code.split('\n');
  const first = lines.find((l) => l.trim() !== '') ?? '';
  return `${first.length > 80 ? `${first.slice(0, 79)}…` : first || '(empty)'}${lines.length > 1 ? `  · ${lines.length} lines` : ''}`;
}

/** Warnings and other code locations name cells as tracebacks do (`<cell 3>`, `<this cell>`), not by id. */
function nameCellsIn(text: string, cellId: string, controller: NotebookController): string {
  return text.includes('<cell ') ? nameCells(text, cellId, controller.positionOf) : text;
}

function SaveIndicator({ state }: { state: SaveState }) {
  if (state === 'saved') return null;
  const text = { offline: 'Not saved: offline, kept here', saving: 'Saving…', pending: 'Unsaved', conflict: 'Not saved: edit conflict' }[state];
  return <span className={`save save--${state}`} role="status">{text}</span>;
}
