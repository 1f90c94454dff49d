/**
 * Widget values set from a page (issue 24), language-neutral: the value goes
 * to the defining cell's runtime through the runtime channel
 * (`call('set_widget_value', { widget_id, value })`), is kept with the
 * notebook (its defining cell's `widgets`, and every output showing the
 * widget), announced as `widget_value`, and the readers of the names the
 * runtime answers re-run, never the defining cell.
 */
import { InvalidInputError, NotebookError } from '../errors';
import { isWidgetModel, WIDGET_MIME, type JsonValue, type Output, type WidgetData } from '../model/types';
import type { StoredWidget } from '../storage/storage';
import type { NotebookSession } from './notebook-session';

/** Largest widget value, as JSON characters: it must fit one runtime call (64 KB) with room to spare. */
export const MAX_WIDGET_VALUE_CHARS = 48 * 1024;
const WIDGET_ID = /^(.{1,100}):(\d{1,6})$/;
/** A runtime busy with a cell is asked again when the notebook is idle, this many times. */
const BUSY_RETRIES = 3;

/**
 * What a runtime's `set_widget_value` answers: the value it kept (checked,
 * maybe snapped to a step), the widget's kind and props, and the names bound
 * to it; `missing: true` when its kernel has no such widget (a new kernel
 * that has not run the defining cell yet).
 */
export interface RuntimeWidgetAnswer {
  value: JsonValue;
  kind: string;
  props: { [key: string]: JsonValue };
  names: string[];
  missing?: boolean;
}

/** Checks the id and the value's size; answers the defining cell's id. */
export function checkWidgetValue(widgetId: unknown, value: unknown): string {
  const match = typeof widgetId === 'string' ? WIDGET_ID.exec(widgetId) : null;
  if (!match) throw new InvalidInputError('widget_id is "<defining cell id>:<index>", as the widget output carries it.');
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  if (text === undefined) throw new InvalidInputError('A widget value must be JSON.');
  if (text.length > MAX_WIDGET_VALUE_CHARS) {
    throw new NotebookError('RNB_ERR_PAYLOAD_TOO_LARGE', `The widget value has ${text.length} characters of JSON; a widget value takes at most ${MAX_WIDGET_VALUE_CHARS}.`);
  }
  return match[1]!;
}

/**
 * The names each widget was bound to when its runtime last answered, per notebook session: the
 * next move sends the value and the run of those names' readers in one message to the kernel.
 */
const boundNames = new WeakMap<NotebookSession, Map<string, string[]>>();

/** Sets a widget's value in the kernel, keeps it with the notebook, and re-runs the readers of its names. */
export async function setWidgetValue(session: NotebookSession, widgetId: string, value: JsonValue): Promise<{ value: JsonValue; names: string[] }> {
  const cellId = checkWidgetValue(widgetId, value);
  const cell = session.cell(cellId);
  const known = boundNames.get(session) ?? new Map<string, string[]>();
  boundNames.set(session, known);
  // Moved before in this kernel: the value and its readers' run go together (the kernel answers the value first). The
  // first move, or one on a kernel that has not run the defining cell, waits for the answer to know what to run.
  const expected = session.states.inKernel(cellId) ? known.get(widgetId) : undefined;
  const answer = expected
    ? readAnswer(await session.afterEdits(() => session.runs.callThenRunReadersOf({ language: cell.type, method: 'set_widget_value', payload: { widget_id: widgetId, value } }, expected)))
    : await askRuntime(session, cell.type, widgetId, value);
  if (answer.missing) {
    known.delete(widgetId);
    // No such widget in this kernel (restarted, or the notebook just opened): keep the value under the props the page
    // shows, and run the defining cell, which applies it (and, as its descendants, runs the readers).
    const shown = findShownWidget(session, widgetId);
    if (!shown) throw new InvalidInputError(`No widget "${widgetId}": run the cell that makes it first.`);
    await session.afterEdits(() => {
      session.recordWidgetValue(cellId, widgetId, { kind: shown.kind, props: shown.props, value });
      session.runs.request(cellId);
    });
    return { value, names: [] };
  }
  known.set(widgetId, answer.names);
  const ranAlready = expected !== undefined && sameNames(expected, answer.names);
  await session.afterEdits(() => {
    session.recordWidgetValue(cellId, widgetId, { kind: answer.kind, props: answer.props, value: answer.value });
    if (answer.names.length > 0 && !ranAlready) session.runs.runReadersOf(answer.names);
  });
  return { value: answer.value, names: answer.names };
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, index) => name === b[index]);
}

async function askRuntime(session: NotebookSession, language: string, widgetId: string, value: JsonValue): Promise<RuntimeWidgetAnswer> {
  for (let attempt = 0; ; attempt++) {
    try {
      return readAnswer(await session.runs.callRuntime(language, 'set_widget_value', { widget_id: widgetId, value }));
    } catch (error) {
      // A cell running synchronously holds the runtime: the value goes in when it is done. A call past its time budget
      // (a busy machine) is asked again: setting the same value twice is harmless, losing the user's move is not.
      const retried = error instanceof NotebookError && (error.code === 'RNB_ERR_RUNTIME_BUSY' || error.code === 'RNB_ERR_RUNTIME_TIMEOUT');
      if (!retried || attempt >= BUSY_RETRIES) throw error;
      await session.runs.whenIdle();
    }
  }
}

function readAnswer(raw: JsonValue): RuntimeWidgetAnswer {
  const answer = raw as Partial<RuntimeWidgetAnswer> | null;
  if (!answer || typeof answer !== 'object' || Array.isArray(answer)) throw new NotebookError('RNB_ERR_RUNTIME_CALL_FAILED', 'The runtime answered set_widget_value with something that is not an object.');
  if (answer.missing === true) return { value: null, kind: '', props: {}, names: [], missing: true };
  if (typeof answer.kind !== 'string' || !answer.props || typeof answer.props !== 'object' || !Array.isArray(answer.names) || !answer.names.every((n) => typeof n === 'string')) {
    throw new NotebookError('RNB_ERR_RUNTIME_CALL_FAILED', 'The runtime answered set_widget_value without { value, kind, props, names }.');
  }
  return { value: answer.value ?? null, kind: answer.kind, props: answer.props, names: answer.names };
}

/** The model of a widget as some output of the notebook shows it. */
function findShownWidget(session: NotebookSession, widgetId: string): StoredWidget | null {
  for (const id of session.cellIds()) {
    for (const output of session.cellView(id).outputs) {
      const model = widgetIn(output, widgetId);
      if (model) return { kind: model.kind, props: model.props, value: model.value };
    }
  }
  return null;
}

function isModel(data: unknown, widgetId: string): data is WidgetData {
  return isWidgetModel(data) && data.widget_id === widgetId;
}

/** The widget's model in an output: a widget output, or one a markdown output embeds (metadata.widgets). */
function widgetIn(output: Output, widgetId: string): WidgetData | null {
  if (output.mime_type === WIDGET_MIME && isModel(output.data, widgetId)) return output.data;
  const embedded = (output.metadata?.widgets as { [id: string]: JsonValue } | undefined)?.[widgetId];
  return isModel(embedded, widgetId) ? embedded : null;
}

/** Every output of these cells that shows the widget shows the new value (a reload shows what the user set). */
export function showValueInOutputs(outputsOfCells: readonly (readonly Output[])[], widgetId: string, value: JsonValue): void {
  for (const outputs of outputsOfCells) {
    for (const output of outputs) {
      const model = widgetIn(output, widgetId);
      if (model) model.value = value;
    }
  }
}
