import { createHash } from 'node:crypto';
import type { CellAnalyser } from './analyse';
import { analyseCells } from './analyse';
import { InvalidInputError, NotebookError, NotFoundError } from '../errors';
import type { JsonValue } from '../model/types';
import type { LanguageRegistry } from '../language/language';
import type { NotebookDocument, NotebookStore, NotebookSummary } from '../storage/storage';
import type { AppCell, AppNotebook, AppSettings, NotebookEvent } from '../wire';
import { DEFAULT_APP_SETTINGS, NotebookSession } from './notebook-session';
import type { KernelProvider } from './run-coordinator';
import { MARKDOWN_CELL_TYPE } from '../notebook-file/percent-format';
import { setWidgetValue } from './widget-values';

/** Who looks at an app: the key of their own session, and whose kernel share it runs in. */
export interface AppViewer {
  /** Distinguishes viewers: a user id, or one anonymous visit of a public app. */
  key: string;
  /** The user whose kernel process runs the viewer's cells (all anonymous visitors share one). */
  kernelOwner: string;
  /** The viewer is the notebook's owner. */
  isOwner: boolean;
}

export interface AppSessionsOptions {
  store: NotebookStore;
  languages: LanguageRegistry;
  kernels: KernelProvider;
  analysis: CellAnalyser;
  /** A viewer session nobody holds any more closes after this long (default 0: at once). */
  lingerMs?: number;
}

export type AppEventListener = (sessionKey: string, event: NotebookEvent) => void;

interface Held {
  session: NotebookSession;
  /** The author's settings as the latest admission read them: a viewer who reopens sees a change at once. */
  settings: AppSettings;
  viewer: AppViewer;
  holders: number;
  timer?: NodeJS.Timeout;
}

/**
 * Viewers' own sessions of published notebooks (the app view). Each viewer
 * gets a copy of the notebook as stored, run on a kernel session of their own
 * (their namespace, their runs, their widget values), in their kernel process,
 * so the kernel manager's per-user shares apply to them as to any notebook.
 * A copy never saves: nothing a viewer does reaches the document. Edits have
 * no entry here at all: the only operations are the ones below.
 */
export class AppSessions {
  private readonly held = new Map<string, Held>();
  private readonly opening = new Map<string, Promise<Held>>();
  private readonly listeners = new Set<AppEventListener>();

  constructor(private readonly options: AppSessionsOptions) {}

  /** The key of a viewer's session of a notebook (the socket room and the kernel session use it). */
  static keyOf(notebookId: string, viewerKey: string): string {
    return `${notebookId}~app~${createHash('sha256').update(viewerKey, 'utf8').digest('hex').slice(0, 24)}`;
  }

  subscribe(listener: AppEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Opens (or joins) the viewer's session of the notebook as `owner` stored it.
   * `settings`: the author's app settings as just read (default: the stored copy's); they
   * apply to every holder of the session from now on. Every open must be paired with a {@link release}.
   */
  async open(owner: string, notebookId: string, viewer: AppViewer, settings?: AppSettings): Promise<{ key: string; notebook: AppNotebook }> {
    const key = AppSessions.keyOf(notebookId, viewer.key);
    let pending = this.opening.get(key);
    const existing = this.held.get(key);
    if (existing) {
      existing.holders++;
      clearTimeout(existing.timer);
      if (settings) existing.settings = settings;
      return { key, notebook: appNotebook(existing.session, viewer.isOwner, existing.settings) };
    }
    if (!pending) {
      pending = this.load(owner, notebookId, key, viewer);
      this.opening.set(key, pending);
      pending.then(() => this.opening.delete(key), () => this.opening.delete(key));
    }
    const held = await pending;
    held.holders++;
    clearTimeout(held.timer);
    if (settings) held.settings = settings;
    return { key, notebook: appNotebook(held.session, viewer.isOwner, held.settings) };
  }

  /** The viewer's session; NotFound when it was never opened or was released. */
  session(key: string): NotebookSession {
    const held = this.held.get(key);
    if (!held) throw new NotFoundError('notebook', key.split('~')[0] ?? key);
    return held.session;
  }

  /** The viewer's current view of their session. */
  view(key: string): AppNotebook {
    const held = this.held.get(key);
    if (!held) throw new NotFoundError('notebook', key.split('~')[0] ?? key);
    return appNotebook(held.session, held.viewer.isOwner, held.settings);
  }

  /** Runs every cell of the viewer's copy once (what opening an app does). Resolves once queued. */
  async runAll(key: string): Promise<void> {
    const session = this.session(key);
    await session.serial(() => session.runs.requestAll());
  }

  /** Runs one of the notebook's cells (and what it needs) in the viewer's session: never code of the viewer's own. */
  async runCell(key: string, cellId: string): Promise<void> {
    const session = this.session(key);
    await session.serial(() => session.runs.request(cellId));
  }

  /** A widget of the viewer's set a value: re-runs its readers in the viewer's session. */
  async runReadersOf(key: string, names: readonly string[]): Promise<void> {
    if (!Array.isArray(names) || names.length > 1000 || names.some((n) => typeof n !== 'string' || n.length === 0 || n.length > 200)) {
      throw new InvalidInputError('names is a list of at most 1000 variable names.');
    }
    const session = this.session(key);
    await session.serial(() => session.runs.runReadersOf(names));
  }

  /**
   * A widget of the viewer's copy moved: the value goes to the viewer's own kernel, is kept in
   * their copy only (never stored), announced as `widget_value` to their sockets, and the readers
   * of its names re-run in their session. Another viewer's control never moves.
   */
  async setWidgetValue(key: string, widgetId: string, value: JsonValue): Promise<{ value: JsonValue; names: string[] }> {
    return setWidgetValue(this.session(key), widgetId, value);
  }

  /** A question for a runtime in the viewer's kernel (a widget's value, a table page). */
  async callRuntime(key: string, language: string, method: string, payload: JsonValue): Promise<JsonValue> {
    const session = this.session(key);
    if (typeof language !== 'string' || !this.options.languages.get(language)) {
      throw new NotebookError('RNB_ERR_UNKNOWN_LANGUAGE', `Unknown language "${String(language).slice(0, 40)}".`);
    }
    if (typeof method !== 'string' || !/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(method)) {
      throw new InvalidInputError('A runtime method is a name of letters, digits and underscores (at most 64).');
    }
    return session.runs.callRuntime(language, method, payload ?? null);
  }

  /** Stops the viewer's run (the cell in flight and the rest of its cascade). */
  interrupt(key: string): void {
    this.session(key).runs.interrupt();
  }

  /** Resolves when the viewer's session has nothing queued or running. */
  async whenIdle(key: string): Promise<void> {
    const session = this.session(key);
    await session.serial(() => undefined);
    await session.runs.whenIdle();
  }

  /** The author's settings the viewer's copy was opened with. */
  settings(key: string): AppSettings {
    const held = this.held.get(key);
    if (!held) throw new NotFoundError('notebook', key.split('~')[0] ?? key);
    return held.settings;
  }

  /** One holder let go; the last one closes the session (its kernel session ends, its values go). */
  release(key: string): void {
    const held = this.held.get(key);
    if (!held) return;
    held.holders--;
    if (held.holders > 0) return;
    const linger = this.options.lingerMs ?? 0;
    const close = (): void => {
      if (this.held.get(key) !== held || held.holders > 0) return;
      this.held.delete(key);
      held.session.runs.close();
    };
    if (linger <= 0) close();
    else {
      held.timer = setTimeout(close, linger);
      held.timer.unref?.();
    }
  }

  /** Sessions open now (for health and tests). */
  get size(): number {
    return this.held.size;
  }

  close(): void {
    for (const held of this.held.values()) {
      clearTimeout(held.timer);
      held.session.runs.close();
    }
    this.held.clear();
  }

  private async load(owner: string, notebookId: string, key: string, viewer: AppViewer): Promise<Held> {
    const doc = await this.options.store.get(owner, notebookId);
    const analyses = await analyseCells(doc, this.options.languages, this.options.analysis);
    const emit = (event: NotebookEvent): void => {
      for (const listener of this.listeners) {
        try {
          listener(key, event);
        } catch {
          // A failing listener must not break the session.
        }
      }
    };
    const session = new NotebookSession(doc, new NeverSavingStore(), this.options.languages, this.options.kernels, emit, () => undefined, undefined, {
      analyser: this.options.analysis,
      initialAnalyses: analyses,
    }, { owner: viewer.kernelOwner, session: key });
    const held: Held = { session, viewer, holders: 0, settings: session.appSettings };
    this.held.set(key, held);
    return held;
  }
}

/**
 * The notebook as an app viewer sees it: outputs in notebook order, code only
 * when the author shows it, errors cut to their last line unless tracebacks are shown.
 */
export function appNotebook(session: NotebookSession, isOwner: boolean, settings: AppSettings = session.appSettings): AppNotebook {
  const view = session.view();
  const cells: AppCell[] = view.cells.map((cell) => ({
    id: cell.id,
    type: cell.type,
    ...(settings.show_code ? { code: cell.code } : {}),
    ...(cell.type === MARKDOWN_CELL_TYPE ? { markdown: cell.code } : {}),
    status: cell.status,
    stdout: cell.stdout,
    stderr: cell.stderr,
    outputs: cell.outputs,
    error: appErrorText(cell.error, settings),
  }));
  return { id: view.id, name: view.name, ...settings, is_owner: isOwner, cells };
}

/** The same view from a stored document (no session): what `GET /api/apps/{id}` answers. */
export function appNotebookOfDocument(doc: NotebookDocument, isOwner: boolean): AppNotebook {
  const settings = doc.app ?? DEFAULT_APP_SETTINGS;
  const cells: AppCell[] = doc.cells.map((cell) => ({
    id: cell.id,
    type: cell.type,
    ...(settings.show_code ? { code: cell.code } : {}),
    ...(cell.type === MARKDOWN_CELL_TYPE ? { markdown: cell.code } : {}),
    status: cell.status === 'queued' || cell.status === 'running' ? 'stale' : cell.status,
    stdout: cell.stdout,
    stderr: cell.stderr,
    outputs: cell.outputs,
    error: appErrorText(cell.error, settings),
  }));
  return { id: doc.id, name: doc.name, ...settings, is_owner: isOwner, cells };
}

/**
 * A viewer session's event as the viewer may see it, or null. A session
 * copy is never edited, so document events cannot happen; they are dropped
 * all the same, since they carry code.
 */
export function appEvent(event: NotebookEvent, settings: AppSettings): NotebookEvent | null {
  switch (event.type) {
    case 'cell_error':
      return { ...event, error: appErrorText(event.error, settings) };
    case 'cell_status':
    case 'cell_stdout':
    case 'cell_output':
    case 'cell_cleared':
    case 'kernel_restarted':
    case 'outputs_cleared':
    case 'widget_value':
      return event;
    default:
      return null;
  }
}

/** An error without its traceback: its last line ("ZeroDivisionError: division by zero"). */
export function appErrorText(error: string | null, settings: AppSettings): string | null {
  if (error === null || settings.show_tracebacks) return error;
  const lines = error.split('\n').map((line) => line.trim()).filter((line) => line.length > 0);
  return lines[lines.length - 1]?.slice(0, 500) ?? error.slice(0, 500);
}

/** The store of a viewer's copy: saving keeps nothing, everything else is refused. */
class NeverSavingStore implements NotebookStore {
  async create(): Promise<NotebookDocument> {
    throw readOnly();
  }
  async get(): Promise<NotebookDocument> {
    throw readOnly();
  }
  async list(): Promise<NotebookSummary[]> {
    return [];
  }
  async save(document: NotebookDocument): Promise<NotebookDocument> {
    return document;
  }
  async delete(): Promise<void> {
    throw readOnly();
  }
}

function readOnly(): NotebookError {
  return new NotebookError('RNB_ERR_INVALID_INPUT', 'An app viewer\'s copy of a notebook is never stored.');
}
