import type { AppCell, AppNotebook, PageEvent } from '../api/types';
import { withWidgetValue } from '../components/widgets/widget-values';

/** What the app view shows: the viewer's session, cell by cell, and the last error the server sent. */
export interface AppViewState {
  notebook: AppNotebook | null;
  problem: string | null;
}

export const EMPTY_APP_VIEW: AppViewState = { notebook: null, problem: null };

/**
 * Applies one event of the viewer's session. Only run events reach an app socket (the server
 * drops document events); a new run of a cell replaces its last results, as on the notebook page.
 */
export function applyAppEvent(state: AppViewState, event: PageEvent): AppViewState {
  if (event.type === 'error') return { ...state, problem: event.message };
  const notebook = state.notebook;
  if (!notebook) return state;
  const update = (cellId: string, change: (cell: AppCell) => AppCell): AppViewState => ({
    ...state,
    notebook: { ...notebook, cells: notebook.cells.map((cell) => (cell.id === cellId ? change(cell) : cell)) },
  });
  switch (event.type) {
    case 'cell_status':
      return update(event.cellId, (cell) => {
        // A markdown cell's run yields exactly one output, its rendering: the last one stays on show until it comes, so
        // text following a dragged slider never blinks out and the slider it embeds is not unmounted mid-drag.
        if (cell.markdown !== undefined && event.status === 'running') return { ...cell, status: event.status, stdout: '', stderr: '', error: null };
        if (cell.markdown !== undefined && event.status === 'error') return { ...cell, status: event.status, outputs: [] };
        return event.status === 'running' ? { ...cell, status: event.status, stdout: '', stderr: '', outputs: [], error: null } : { ...cell, status: event.status };
      });
    case 'cell_stdout':
      return update(event.cellId, (cell) => (event.stream === 'stderr' ? { ...cell, stderr: cell.stderr + event.data } : { ...cell, stdout: cell.stdout + event.data }));
    case 'cell_output':
      return update(event.cellId, (cell) => ({ ...cell, outputs: cell.markdown !== undefined ? [event.output] : [...cell.outputs, event.output] }));
    case 'cell_cleared':
      return update(event.cellId, (cell) => ({ ...cell, stdout: '', stderr: '', outputs: [] }));
    case 'cell_error':
      return update(event.cellId, (cell) => ({ ...cell, error: event.error }));
    case 'outputs_cleared':
      return { ...state, notebook: { ...notebook, cells: notebook.cells.map((cell) => ({ ...cell, stdout: '', stderr: '', outputs: [] })) } };
    case 'widget_value': {
      // The viewer's own value (their session's): every copy of the control moves, in whichever cell shows it.
      let changed = false;
      const cells = notebook.cells.map((cell) => {
        const outputs = withWidgetValue(cell.outputs, event.widget_id, event.value);
        if (outputs === cell.outputs) return cell;
        changed = true;
        return { ...cell, outputs };
      });
      return changed ? { ...state, notebook: { ...notebook, cells } } : state;
    }
    default:
      return state;
  }
}

/** Whether the viewer's run is going on (something queued or running): Stop is offered then. */
export function isRunning(notebook: AppNotebook | null): boolean {
  return notebook !== null && notebook.cells.some((cell) => cell.status === 'running' || cell.status === 'queued');
}
