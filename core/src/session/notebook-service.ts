import { appWithFile } from '../notebook-file/file-settings';
import { settingsWithPackages } from '../notebook-file/packages';
import { SettingsCatalog } from '../settings/plugin-settings';
import { randomUUID } from 'node:crypto';
import { AnalysisPool, type AnalysisPoolOptions } from '../analysis/analysis-pool';
import { ConflictError, InvalidInputError, NotebookError, NotFoundError } from '../errors';
import type { LanguageRegistry } from '../language/language';
import type { Cell, JsonValue } from '../model/types';
import type { AppSettings, ShareRole } from '../wire';
import type { NotebookDocument, NotebookShare, NotebookStore, NotebookSummary } from '../storage/storage';
import { isValidNotebookId } from '../storage/validation';
import type { NotebookEvent, NotebookEventListener, NotebookEventPayloads } from './events';
import type { PluginSettingValues, SettingsChange } from '../settings/plugin-settings';
import { DEFAULT_NOTEBOOK_LIMITS, UserQuota, type NotebookLimits } from './limits';
import { analyseCells, checkCode } from './analyse';
import { NotebookSession } from './notebook-session';
import { checkName } from './session-checks';
import { checkWidgetValue, setWidgetValue } from './widget-values';
import type { KernelProvider } from './run-coordinator';
import type { CreateCellInput, NewNotebookInput, NotebookOperations, NotebookView, UpdateCellInput } from './service-api';
import type { PortableCell } from '../notebook-file/portable';
import type { StoredCell } from '../storage/storage';

export interface NotebookServiceOptions {
  store: NotebookStore;
  languages: LanguageRegistry;
  kernels: KernelProvider;
  /** Cell type of the empty cell a new notebook starts with (default: python when loaded). */
  defaultCellType?: string;
  /** A notebook nobody used for this long is saved and forgotten (default 30 min; 0: never). */
  idleReleaseMs?: number;
  /** Told after a notebook was released (idle, deleted, taken over elsewhere): cluster mode lets go of its lease. */
  onReleased?: (notebookId: string) => void;
  /** Size limits per notebook and per user (defaults: DEFAULT_NOTEBOOK_LIMITS). */
  limits?: Partial<NotebookLimits>;
  /**
   * Where cells are analysed: a pool of worker threads with a time budget per
   * cell (default: 2 workers, 2 s). Pass a pool to share it; one made here is closed with the service.
   */
  analysis?: AnalysisPool | AnalysisPoolOptions;
  /** Largest cell code accepted, in UTF-8 bytes (default 200,000): more is refused with 413. */
  maxCellBytes?: number;
}

/** The `kernel_restarted` reason when a user (or the assistant on their behalf) asked for it. */
export const USER_RESTART_REASON = 'restarted by the user';

/**
 * Core's front door for hosts: notebooks, cells, runs and events, each call
 * scoped to its caller. Open notebooks stay in memory; everything is saved
 * through the storage plugin before it is announced.
 */
export class NotebookService implements NotebookOperations {
  private readonly sessions = new Map<string, NotebookSession>();
  private readonly loading = new Map<string, Promise<NotebookSession>>();
  private readonly listeners = new Set<NotebookEventListener>();

  private readonly lastUsed = new Map<string, number>();
  private readonly idleTimer: NodeJS.Timeout | null;
  private readonly limits: NotebookLimits;
  private readonly quota: UserQuota;
  /** Analyses cells off the event loop. */
  readonly analysis: AnalysisPool;
  private readonly ownsAnalysis: boolean;
  private readonly stopWatching: (() => void) | null;

  constructor(private readonly options: NotebookServiceOptions) {
    this.limits = { ...DEFAULT_NOTEBOOK_LIMITS, ...options.limits };
    this.quota = new UserQuota(options.store, this.limits);
    this.ownsAnalysis = !(options.analysis instanceof AnalysisPool);
    this.analysis = options.analysis instanceof AnalysisPool ? options.analysis : new AnalysisPool(options.analysis);
    const idleMs = options.idleReleaseMs ?? 30 * 60_000;
    this.idleTimer = idleMs > 0 ? setInterval(() => void this.releaseIdle(idleMs), Math.min(60_000, Math.max(50, idleMs / 4))) : null;
    this.idleTimer?.unref();
    this.stopWatching = options.store.watch?.((change) => void this.externalChange(change.owner, change.notebookId)) ?? null;
  }

  /**
   * Storage changed a notebook behind our back (a file edited on disk): an
   * open notebook reloads it and takes the difference as edits. One that
   * cannot be read is reported with `external_edit_error` and keeps its state.
   */
  async externalChange(owner: string, notebookId: string): Promise<void> {
    const session = this.sessions.get(notebookId);
    if (!session || session.owner !== owner) return; // not open: the next open reads the new version
    try {
      await session.applyExternal(() => this.options.store.get(owner, notebookId));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      for (const listener of this.listeners) {
        try {
          listener(notebookId, { type: 'external_edit_error', message });
        } catch {
          // A failing listener must not break the notebook.
        }
      }
    }
  }

  /** Releases notebooks that are not running and were not used for `idleMs`. */
  async releaseIdle(idleMs: number): Promise<string[]> {
    const now = Date.now();
    const idle = [...this.sessions.values()].filter((s) => !s.runs.running && now - (this.lastUsed.get(s.id) ?? 0) >= idleMs).map((s) => s.id);
    for (const id of idle) await this.release(id);
    return idle;
  }

  subscribe(listener: NotebookEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async createNotebook(owner: string, input: NewNotebookInput = {}): Promise<NotebookView> {
    const name = checkName(input.name ?? 'Untitled notebook');
    await this.quota.checkNewNotebook(owner);
    const now = new Date().toISOString();
    const type = this.options.defaultCellType ?? (this.options.languages.get('python') ? 'python' : this.options.languages.list()[0]?.id);
    // A file's settings: declared, non-secret fields only, each checked as the settings route checks it.
    const catalog = new SettingsCatalog(() => this.options.languages.list());
    const imported = catalog.importable(input.settings).kept;
    for (const [pluginId, values] of Object.entries(imported)) await catalog.check(pluginId, values);
    const app = appWithFile(undefined, input.app);
    const doc: NotebookDocument = {
      id: randomUUID(),
      owner,
      name,
      settings: settingsWithPackages(imported, input.packages ?? []),
      ...(app ? { app } : {}),
      lazy: input.lazy === true,
      cells: input.cells
        ? importedCells(input.cells, { maxCells: this.limits.maxCells, maxCellBytes: this.options.maxCellBytes })
        : type ? [{ id: randomUUID(), type, code: '', status: 'idle', stdout: '', stderr: '', outputs: [], error: null, reads: [], writes: [] }] : [],
      revision: 0,
      createdAt: now,
      updatedAt: now,
    };
    const stored = await this.options.store.create(doc);
    return (await this.attach(stored)).view();
  }

  listNotebooks(owner: string): Promise<NotebookSummary[]> {
    return this.options.store.list(owner);
  }

  async variables(owner: string, notebookId: string): Promise<NotebookEventPayloads['variables']> {
    return (await this.open(owner, notebookId)).runs.variables.snapshot();
  }

  async getNotebook(owner: string, notebookId: string): Promise<NotebookView> {
    return (await this.open(owner, notebookId)).view();
  }

  async renameNotebook(owner: string, notebookId: string, name: string): Promise<void> {
    await (await this.open(owner, notebookId)).updateSettings({ name });
  }

  async setPluginSettings(owner: string, notebookId: string, pluginId: string, change: SettingsChange): Promise<PluginSettingValues> {
    if (typeof pluginId !== 'string') throw new InvalidInputError('A plugin id is a string.');
    return (await this.open(owner, notebookId)).updatePluginSettings(pluginId, change);
  }

  async setLazy(owner: string, notebookId: string, lazy: boolean): Promise<void> {
    if (typeof lazy !== 'boolean') throw new InvalidInputError('lazy is true or false.');
    await (await this.open(owner, notebookId)).updateSettings({ lazy });
  }

  async setAppSettings(owner: string, notebookId: string, change: Partial<AppSettings>): Promise<AppSettings> {
    const session = await this.open(owner, notebookId);
    await session.updateSettings({ app: change });
    return session.appSettings;
  }

  /** Who the owner shared the notebook with. */
  async getShares(owner: string, notebookId: string): Promise<NotebookShare[]> {
    return (await this.open(owner, notebookId)).shares;
  }

  /** Shares the notebook with `userId` as `role`, or revokes (null); saved and announced. Answers every share. */
  async setShare(owner: string, notebookId: string, userId: string, role: ShareRole | null): Promise<NotebookShare[]> {
    if (typeof userId !== 'string' || userId === '' || userId.length > 200) throw new InvalidInputError('Name the user to share with (1 to 200 characters).');
    if (userId === owner) throw new InvalidInputError('The owner has every right already: share with another user.');
    const session = await this.open(owner, notebookId);
    const others = session.shares.filter((share) => share.userId !== userId);
    await session.updateSettings({ shares: role === null ? others : [...others, { userId, role }] });
    return session.shares;
  }

  /** The notebook as stored, with its owner's pending results saved first (an app viewer's copy starts from it). */
  async storedDocument(owner: string, notebookId: string): Promise<NotebookDocument> {
    checkId(notebookId, 'notebook');
    const held = this.sessions.get(notebookId);
    if (held && held.owner === owner) await held.flush();
    return this.options.store.get(owner, notebookId);
  }

  async deleteNotebook(owner: string, notebookId: string): Promise<void> {
    checkId(notebookId, 'notebook');
    await this.options.store.delete(owner, notebookId);
    this.quota.forget(owner);
    const session = this.sessions.get(notebookId);
    if (session) {
      this.sessions.delete(notebookId);
      this.lastUsed.delete(notebookId);
      session.runs.close();
      this.options.onReleased?.(notebookId);
    }
  }

  async createCell(owner: string, notebookId: string, input: CreateCellInput): Promise<Cell> {
    return (await this.open(owner, notebookId)).createCell(input);
  }

  async updateCell(owner: string, notebookId: string, cellId: string, input: UpdateCellInput): Promise<Cell> {
    return (await this.open(owner, notebookId)).updateCell(cellId, input);
  }

  async deleteCell(owner: string, notebookId: string, cellId: string): Promise<void> {
    await (await this.open(owner, notebookId)).deleteCell(cellId);
  }

  async moveCell(owner: string, notebookId: string, cellId: string, toIndex: number): Promise<void> {
    await (await this.open(owner, notebookId)).moveCell(cellId, toIndex);
  }

  async runCell(owner: string, notebookId: string, cellId: string): Promise<void> {
    const session = await this.open(owner, notebookId);
    // Behind edits already queued, so a run sees the code the user just typed.
    await session.serial(() => session.runs.request(cellId));
  }

  async runAll(owner: string, notebookId: string): Promise<void> {
    const session = await this.open(owner, notebookId);
    await session.serial(() => session.runs.requestAll());
  }

  async restartKernel(owner: string, notebookId: string): Promise<void> {
    const session = await this.open(owner, notebookId);
    // Behind queued edits, like a run: the restart sees the code as the user left it.
    await session.serial(() => session.runs.restart(USER_RESTART_REASON));
  }

  async runReadersOf(owner: string, notebookId: string, names: readonly string[]): Promise<void> {
    if (!Array.isArray(names) || names.length > 1000 || names.some((n) => typeof n !== 'string' || n.length === 0 || n.length > 200)) {
      throw new InvalidInputError('names is a list of at most 1000 variable names.');
    }
    const session = await this.open(owner, notebookId);
    await session.serial(() => session.runs.runReadersOf(names));
  }

  async callRuntime(owner: string, notebookId: string, language: string, method: string, payload: JsonValue): Promise<JsonValue> {
    const session = await this.open(owner, notebookId);
    if (typeof language !== 'string' || !this.options.languages.get(language)) {
      throw new NotebookError('RNB_ERR_UNKNOWN_LANGUAGE', `Unknown language "${String(language).slice(0, 40)}".`);
    }
    if (typeof method !== 'string' || !RUNTIME_METHOD.test(method)) {
      throw new InvalidInputError('A runtime method is a name of letters, digits and underscores (at most 64).');
    }
    return session.runs.callRuntime(language, method, payload ?? null);
  }

  async setWidgetValue(owner: string, notebookId: string, widgetId: string, value: JsonValue): Promise<{ value: JsonValue; names: string[] }> {
    checkWidgetValue(widgetId, value);
    return setWidgetValue(await this.open(owner, notebookId), widgetId, value);
  }

  async clearOutputs(owner: string, notebookId: string): Promise<void> {
    await (await this.open(owner, notebookId)).clearOutputs();
  }

  async interrupt(owner: string, notebookId: string): Promise<void> {
    (await this.open(owner, notebookId)).runs.interrupt();
  }

  async whenIdle(owner: string, notebookId: string): Promise<void> {
    const session = await this.open(owner, notebookId);
    await session.serial(() => undefined);
    await session.runs.whenIdle();
    await session.flush();
  }

  /** Ids of the notebooks held in memory. */
  openNotebooks(): string[] {
    return [...this.sessions.keys()];
  }

  /** Forgets a notebook held in memory (its kernel closes; storage keeps it). */
  async release(notebookId: string): Promise<void> {
    const session = this.sessions.get(notebookId);
    if (!session) return;
    this.sessions.delete(notebookId);
    this.lastUsed.delete(notebookId);
    await session.flush().catch(() => undefined);
    session.runs.close();
    this.options.onReleased?.(notebookId);
  }

  /**
   * Makes this process the notebook's owner after another one stopped (cluster
   * failover): loads it fresh from storage, writes it once so that the old
   * owner's later saves conflict (fencing by revision), and tells clients the
   * kernel is new.
   */
  async takeOver(owner: string, notebookId: string, reason: string): Promise<void> {
    await this.release(notebookId);
    for (let attempt = 0; ; attempt++) {
      const doc = await this.options.store.get(owner, notebookId);
      try {
        const fenced = await this.options.store.save(doc, { expectedRevision: doc.revision });
        const session = await this.attach(fenced);
        for (const listener of this.listeners) listener(notebookId, { type: 'kernel_restarted', reason });
        void session;
        return;
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt >= 5) throw error;
      }
    }
  }

  /** Saves what is pending and closes every notebook. */
  async close(): Promise<void> {
    if (this.idleTimer) clearInterval(this.idleTimer);
    this.stopWatching?.();
    await Promise.all([...this.sessions.keys()].map((id) => this.release(id)));
    if (this.ownsAnalysis) await this.analysis.close();
  }

  private async open(owner: string, notebookId: string): Promise<NotebookSession> {
    checkId(notebookId, 'notebook');
    const held = this.sessions.get(notebookId);
    if (held) {
      if (held.owner !== owner) throw new NotFoundError('notebook', notebookId);
      this.lastUsed.set(notebookId, Date.now());
      return held;
    }
    // One load per caller and notebook: a stranger's load fails (the store answers "not found" to
    // anyone but the owner), and sharing it would fail the owner's open too. Two loads that both
    // succeed are the owner's own, and attach() keeps the first session.
    const key = `${owner}\u0000${notebookId}`;
    let loading = this.loading.get(key);
    if (!loading) {
      loading = this.options.store.get(owner, notebookId).then((doc) => this.attach(doc));
      this.loading.set(key, loading);
      loading.then(
        () => this.loading.delete(key),
        () => this.loading.delete(key),
      );
    }
    const session = await loading;
    if (session.owner !== owner) throw new NotFoundError('notebook', notebookId);
    this.lastUsed.set(notebookId, Date.now());
    return session;
  }

  private async attach(doc: NotebookDocument): Promise<NotebookSession> {
    if (this.sessions.has(doc.id)) return this.sessions.get(doc.id)!;
    // Every cell is analysed off the event loop, in batches, before the session exists.
    const initialAnalyses = await analyseCells(doc, this.options.languages, this.analysis);
    const existing = this.sessions.get(doc.id);
    if (existing) return existing;
    const emit = (event: NotebookEvent): void => {
      for (const listener of this.listeners) {
        try {
          listener(doc.id, event);
        } catch {
          // A failing listener must not break the notebook.
        }
      }
    };
    this.lastUsed.set(doc.id, Date.now());
    const owner = doc.owner;
    const guard = { limits: this.limits, checkGrowth: (growth: number) => this.quota.checkGrowth(owner, growth) };
    const session = new NotebookSession(doc, this.options.store, this.options.languages, this.options.kernels, emit, () => {
      // Storage moved on without us (another instance took the notebook over): forget this copy.
      if (this.sessions.get(doc.id) === session) {
        this.sessions.delete(doc.id);
        session.runs.close();
        this.options.onReleased?.(doc.id);
      }
    }, guard, { analyser: this.analysis, initialAnalyses, ...(this.options.maxCellBytes !== undefined ? { maxCellBytes: this.options.maxCellBytes } : {}) });
    this.sessions.set(doc.id, session);
    return session;
  }
}

const RUNTIME_METHOD = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

function checkId(id: unknown, what: 'notebook' | 'cell'): void {
  if (!isValidNotebookId(id)) throw new NotFoundError(what, String(id).slice(0, 100));
}

const CELL_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
/** An import's cells as stored: valid, unique ids kept; a status that meant "in a run" settles. */
function importedCells(cells: PortableCell[], limits: { maxCells: number; maxCellBytes: number | undefined }): StoredCell[] {
  if (!Array.isArray(cells) || cells.length > limits.maxCells) throw new InvalidInputError(`An imported notebook holds a list of at most ${limits.maxCells.toLocaleString('en-US')} cells.`);
  const seen = new Set<string>();
  return cells.map((cell, index) => {
    if (typeof cell?.type !== 'string' || !/^[A-Za-z][A-Za-z0-9_-]{0,39}$/.test(cell.type)) throw new InvalidInputError(`Cell ${index + 1}: the type is a word, e.g. python.`);
    if (typeof cell.code !== 'string') throw new InvalidInputError(`Cell ${index + 1}: the code is text.`);
    checkCode(cell.code, limits.maxCellBytes);
    const id = typeof cell.id === 'string' && CELL_ID.test(cell.id) && !seen.has(cell.id) ? cell.id : randomUUID();
    seen.add(id);
    const status = cell.status === 'queued' || cell.status === 'running' ? 'stale' : (cell.status ?? 'idle');
    return { id, type: cell.type, code: cell.code, status, stdout: cell.stdout ?? '', stderr: cell.stderr ?? '', outputs: cell.outputs ?? [], error: cell.error ?? null, reads: [], writes: [] };
  });
}
