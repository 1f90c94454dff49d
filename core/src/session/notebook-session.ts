import { ConflictError, EditConflictError, InvalidInputError, NotFoundError } from '../errors';
import { DependencyGraph, type CellDependencies } from '../graph/dependency-graph';
import type { Analysis, LanguageRegistry } from '../language/language';
import type { Cell } from '../model/types';
import type { NotebookDocument, NotebookShare, NotebookStore, StoredWidget } from '../storage/storage';
import type { AppSettings } from '../wire';
import { analyseNow, checkCode, IN_THIS_THREAD, noLanguage, type SessionAnalysisOptions } from './analyse';
import { boundStoredOutputs, checkSessionGrowth, DEFAULT_NOTEBOOK_LIMITS, notebookLimitError, type SessionGuard } from './limits';

export type { SessionGuard } from './limits';
import { diffNotebooks } from './external-change';
import { checkLanguage, checkName, graphDependencies, newCellId } from './session-checks';
import type { NotebookEvent } from './events';
import { analysisCellError, type CellError } from './cell-error';
import { ShownGraphErrors } from './graph-errors';
import { CellRunStates, type CellDocument } from './cell-run-state';
import { RunCoordinator, type KernelProvider, type RunHost } from './run-coordinator';
import type { CreateCellInput, NotebookView, UpdateCellInput } from './service-api';
import { settingsWithPackages } from '../notebook-file/packages';
import { mergeSettings, SettingsCatalog, type PluginSettingValues, type SettingsChange } from '../settings/plugin-settings';
import { showValueInOutputs } from './widget-values';

/** The app view's settings of a notebook that has none stored. */
export const DEFAULT_APP_SETTINGS: Readonly<AppSettings> = Object.freeze({ show_code: false, show_tracebacks: false, published: false });

/** Whose kernel runs a session's cells, under which session key (an app viewer's copy: the viewer's own). */
export interface KernelIdentity {
  owner: string;
  session: string;
}

type DocumentChange = { name?: string; lazy?: boolean; app?: Partial<AppSettings>; shares?: NotebookShare[] };

/** A notebook's document: its cells hold what the user wrote; their run state lives in {@link CellRunStates}. */
type SessionDocument = Omit<NotebookDocument, 'cells'> & { cells: CellDocument[] };

/**
 * One open notebook: its document, its dependency graph, its cells' run
 * states and its run coordinator. Edits are serialised and saved before they
 * are announced.
 */
export class NotebookSession implements RunHost {
  readonly graph: DependencyGraph;
  readonly runs: RunCoordinator;
  readonly states: CellRunStates;
  private doc: SessionDocument;
  private readonly cells = new Map<string, CellDocument>();
  private readonly position = new Map<string, number>();
  private readonly analyses = new Map<string, Analysis>();
  /** Graph errors currently shown on cells. */
  private readonly graphErrors: ShownGraphErrors;
  private queue: Promise<unknown> = Promise.resolve();
  /** The queue up to its last edit: background saves queued after it are not in it. */
  private edits: Promise<unknown> = Promise.resolve();
  private saveTimer: NodeJS.Timeout | null = null;
  private applyingExternal = false;

  constructor(
    document: NotebookDocument,
    private readonly store: NotebookStore,
    private readonly languages: LanguageRegistry,
    kernels: KernelProvider,
    private readonly emit: (event: NotebookEvent) => void,
    /** Called when storage holds a newer revision than this session: another process owns the notebook now. */
    private readonly onFenced: () => void = () => undefined,
    private readonly guard: SessionGuard = { limits: DEFAULT_NOTEBOOK_LIMITS },
    private readonly analysisOptions: SessionAnalysisOptions = {},
    /** Whose kernel runs the cells and under which session key (an app viewer's copy: the viewer's, apart from the owner's). */
    private readonly kernelIdentity?: KernelIdentity,
  ) {
    const initialAnalyses = analysisOptions.initialAnalyses ?? new Map<string, Analysis>();
    this.states = new CellRunStates(emit);
    this.doc = { ...document, cells: document.cells.map(({ id, type, code, reads, writes, widgets }) => ({ id, type, code, reads, writes, ...(widgets ? { widgets } : {}) })) };
    this.graph = new DependencyGraph((id) => this.position.get(id) ?? Number.MAX_SAFE_INTEGER);
    this.reindex();
    const loaded: ({ id: string } & CellDependencies)[] = [];
    for (const stored of document.cells) this.states.load(stored);
    for (const cell of this.doc.cells) {
      this.cells.set(cell.id, cell);
      const analysis = this.applyAnalysis(cell, initialAnalyses.get(cell.id) ?? analyseNow(this.languages, cell.type, cell.code), false);
      loaded.push({ id: cell.id, ...graphDependencies(analysis) });
    }
    this.graph.load(loaded);
    this.runs = new RunCoordinator(this, kernels, emit);
    this.graphErrors = new ShownGraphErrors(this, (id) => this.languages.get(this.cell(id).type)?.privateNamePrefix);
    this.graphErrors.refresh(new Set(document.cells.map((c) => c.id)), false);
  }

  get id(): string {
    return this.doc.id;
  }
  get owner(): string {
    return this.doc.owner;
  }
  get lazy(): boolean {
    return this.doc.lazy;
  }
  /** The user whose kernel process runs this notebook's cells (and whose share it counts against). */
  get kernelOwner(): string {
    return this.kernelIdentity?.owner ?? this.doc.owner;
  }
  /** The kernel session's key: the notebook id, or an app viewer's own key. */
  get kernelSession(): string {
    return this.kernelIdentity?.session ?? this.doc.id;
  }
  /** Who the owner shared the notebook with. */
  get shares(): NotebookShare[] {
    return (this.doc.shares ?? []).map((share) => ({ ...share }));
  }
  get appSettings(): AppSettings {
    return this.doc.app ?? DEFAULT_APP_SETTINGS;
  }
  /** A plugin's values in clear, for its host services. */
  pluginSettings(pluginId: string): Readonly<PluginSettingValues> {
    return this.doc.settings[pluginId] ?? {};
  }

  private get settingsCatalog(): SettingsCatalog {
    return new SettingsCatalog(() => this.languages.list());
  }

  view(): NotebookView {
    return {
      id: this.doc.id,
      name: this.doc.name,
      settings: this.settingsCatalog.mask(this.doc.settings),
      cells: this.doc.cells.map((cell) => this.states.view(cell)),
      revision: this.doc.revision,
      lazy: this.doc.lazy,
      app: this.appSettings,
    };
  }

  /** A cell as the API shows it: its document and its run state. */
  cellView(cellId: string): Cell {
    return this.states.view(this.cell(cellId));
  }

  cell(cellId: string): CellDocument {
    const cell = this.cells.get(cellId);
    if (!cell) throw new NotFoundError('cell', cellId);
    return cell;
  }

  hasCell(cellId: string): boolean {
    return this.cells.has(cellId);
  }

  analysisOf(cellId: string): Analysis | undefined {
    return this.analyses.get(cellId);
  }

  label(cellId: string): string {
    const index = this.position.get(cellId);
    return index === undefined ? `cell ${cellId}` : `cell ${index + 1}`;
  }

  /** Every cell's id, in notebook order. */
  cellIds(): string[] {
    return this.doc.cells.map((cell) => cell.id);
  }

  /** Why the cell cannot run at all, if so. */
  staticError(cellId: string): CellError | undefined {
    const analysisError = this.analyses.get(cellId)?.error;
    if (analysisError) return analysisCellError(analysisError);
    return this.graphErrors.of(cellId);
  }

  /** Runs `fn` after every earlier edit of this notebook finished. */
  serial<T>(fn: () => Promise<T> | T): Promise<T> {
    const result = this.queue.then(fn);
    this.queue = result.catch(() => undefined);
    this.edits = this.queue;
    return result;
  }

  /**
   * Runs `fn` after every earlier edit finished, without waiting for a background save queued
   * since (a widget's move must not wait for the file write its previous move scheduled). What `fn`
   * does at once must be synchronous and change only what a save may see half-way (run requests, a widget's
   * value): a save in flight may write part of it, and the save it schedules writes all of it.
   */
  afterEdits<T>(fn: () => T | Promise<T>): Promise<T> {
    return this.edits.then(fn);
  }

  createCell(input: CreateCellInput): Promise<Cell> {
    return this.serial(() => this.createCellNow(input));
  }

  /** `fileId`: the id a file edited on disk gave the cell (taken as it is; a client's `input.id` must be a UUID). */
  private async createCellNow(input: CreateCellInput, fileId?: string): Promise<Cell> {
    // A file edited on disk may name a language this server lacks: the cell then shows that as its error.
    if (!this.applyingExternal) checkLanguage(this.languages, input.type);
    const code = checkCode(input.code ?? '', this.analysisOptions.maxCellBytes);
    const { maxCells } = this.guard.limits;
    if (this.cells.size >= maxCells) throw notebookLimitError('maxCells', `A notebook holds at most ${maxCells.toLocaleString('en-US')} cells; this one is full.`);
    if (!this.applyingExternal) await checkSessionGrowth(this.doc.cells, code.length, this.guard);
    const analysis = await this.analysisOfCode(input.type, code);
    let index = this.doc.cells.length;
    if (input.afterCellId) index = this.indexOf(input.afterCellId) + 1;
    else if (input.index !== undefined) {
      if (!Number.isInteger(input.index) || input.index < 0 || input.index > this.doc.cells.length) {
        throw new InvalidInputError(`Index ${input.index} is outside the notebook (0 to ${this.doc.cells.length}).`);
      }
      index = input.index;
    }
    const id = fileId ?? newCellId(input.id, (candidate) => this.cells.has(candidate));
    const cell: CellDocument = { id, type: input.type, code, reads: [], writes: [] };
    this.doc.cells.splice(index, 0, cell);
    this.cells.set(cell.id, cell);
    this.states.add(cell.id);
    this.reindex();
    const before = this.graphErrors.footprint(cell.id);
    this.applyAnalysis(cell, analysis);
    await this.persist();
    this.emit({ type: 'cell_created', cell: this.cellView(cell.id), index, revision: this.doc.revision });
    this.graphErrors.refresh(this.graphErrors.affectedBy(cell.id, before));
    return this.cellView(cell.id);
  }

  updateCell(cellId: string, input: UpdateCellInput): Promise<Cell> {
    return this.serial(() => this.updateCellNow(cellId, input));
  }

  private async updateCellNow(cellId: string, input: UpdateCellInput): Promise<Cell> {
    const cell = this.cell(cellId);
    const code = checkCode(input.code, this.analysisOptions.maxCellBytes);
    if (input.type !== undefined && !this.applyingExternal) checkLanguage(this.languages, input.type);
    if (!this.applyingExternal) await checkSessionGrowth(this.doc.cells, code.length - cell.code.length, this.guard);
    if (input.expectedRevision !== undefined && input.expectedRevision !== this.doc.revision) {
      throw new ConflictError(input.expectedRevision, this.doc.revision);
    }
    // Saving what the cell already holds is never a conflict (a retried save, or both typed the same).
    if (input.baseCode !== undefined && cell.code !== input.baseCode && cell.code !== code) throw new EditConflictError(cell.code);
    const analysis = await this.analysisOfCode(input.type ?? cell.type, code);
    const before = this.graphErrors.footprint(cellId);
    const oldDefines = new Set(cell.writes);
    const oldDescendants = this.graph.descendants([cellId]);
    const hadAnalysisError = this.analyses.get(cellId)?.error !== undefined;
    cell.code = code;
    if (input.type !== undefined) cell.type = input.type;
    this.applyAnalysis(cell, analysis);
    // The code parses now: its old syntax error goes at once, not when the cell next runs.
    const fixed = hadAnalysisError && analysis.error === undefined;
    if (fixed) this.states.recordError(cellId, null);
    await this.persist();
    this.emit({ type: 'cell_updated', cellId, code, cell_type: cell.type, reads: cell.reads, writes: cell.writes, revision: this.doc.revision });
    if (fixed) this.states.errorAnnounced(cellId);
    const removed = [...oldDefines].filter((name) => !cell.writes.includes(name));
    // The cell and everything that read it no longer match the kernel's values.
    this.runs.invalidate([cellId, ...oldDescendants, ...this.graph.descendants([cellId])]);
    this.graphErrors.refresh(this.graphErrors.affectedBy(cellId, before));
    this.runs.forgetNames(removed, [cellId]);
    return this.cellView(cellId);
  }

  deleteCell(cellId: string): Promise<void> {
    return this.serial(() => this.deleteCellNow(cellId));
  }

  private async deleteCellNow(cellId: string): Promise<void> {
    const cell = this.cell(cellId);
    const before = this.graphErrors.footprint(cellId);
    const index = this.indexOf(cellId);
    this.doc.cells.splice(index, 1);
    this.cells.delete(cellId);
    this.states.remove(cellId);
    this.analyses.delete(cellId);
    this.graphErrors.forget(cellId);
    this.graph.removeCell(cellId);
    this.reindex();
    await this.persist();
    this.emit({ type: 'cell_deleted', cellId, revision: this.doc.revision });
    this.runs.cellDeleted(cellId);
    this.graphErrors.refresh(this.graphErrors.affectedBy(cellId, before));
    this.runs.forgetNames(cell.writes, []);
  }

  moveCell(cellId: string, toIndex: number): Promise<void> {
    return this.serial(() => this.moveCellNow(cellId, toIndex));
  }

  private async moveCellNow(cellId: string, toIndex: number): Promise<void> {
    const from = this.indexOf(cellId);
    if (!Number.isInteger(toIndex) || toIndex < 0 || toIndex >= this.doc.cells.length) {
      throw new InvalidInputError(`Index ${toIndex} is outside the notebook (0 to ${this.doc.cells.length - 1}).`);
    }
    const [cell] = this.doc.cells.splice(from, 1);
    this.doc.cells.splice(toIndex, 0, cell!);
    this.reindex();
    await this.persist();
    this.emit({ type: 'cell_moved', cellId, index: toIndex, revision: this.doc.revision });
    // Messages name cells by position.
    this.graphErrors.refresh(this.graphErrors.shownOn());
  }

  updateSettings(change: DocumentChange): Promise<void> {
    return this.serial(() => this.updateSettingsNow(change));
  }

  /**
   * Applies the notebook as storage now holds it after a change made outside
   * this server (a file edited on disk): the difference arrives as edits, each
   * announced and re-analysed as if typed; changed cells that had run re-run
   * (lazy: become stale). Nothing is saved back: storage holds it already.
   * `load` runs in this notebook's queue, so no save of ours races the reload.
   */
  applyExternal(load: () => Promise<NotebookDocument>): Promise<{ applied: boolean }> {
    return this.serial(async () => {
      const next = await load();
      if (next.revision <= this.doc.revision) return { applied: false };
      this.doc.revision = next.revision;
      this.doc.updatedAt = next.updatedAt;
      this.applyingExternal = true;
      const rerun: string[] = [];
      try {
        for (const step of diffNotebooks(this.doc, next)) {
          if (step.kind === 'delete') await this.deleteCellNow(step.cellId);
          else if (step.kind === 'create') await this.createCellNow({ type: step.type, code: step.code }, step.cellId);
          else if (step.kind === 'move') await this.moveCellNow(step.cellId, step.index);
          else if (step.kind === 'settings') await this.updateSettingsNow(step.change);
          else {
            if (this.states.status(step.cellId) !== 'idle') rerun.push(step.cellId);
            await this.updateCellNow(step.cellId, { code: step.code, type: step.type });
          }
        }
      } finally {
        this.applyingExternal = false;
      }
      if (!this.doc.lazy) for (const id of rerun) if (this.cells.has(id) && this.staticError(id) === undefined) this.runs.request(id);
      return { applied: true };
    });
  }

  private async updateSettingsNow(change: DocumentChange & { packages?: string[] }): Promise<void> {
    if (change.name !== undefined) this.doc.name = checkName(change.name);
    if (change.packages !== undefined) this.doc.settings = settingsWithPackages(this.doc.settings, change.packages);
    if (change.app !== undefined) this.doc.app = { ...this.appSettings, ...change.app };
    if (change.lazy !== undefined) this.doc.lazy = change.lazy;
    if (change.shares !== undefined) this.doc.shares = change.shares.map((share) => ({ ...share }));
    await this.persist();
    this.announceSettings();
  }

  /**
   * Sets one plugin's settings after checking them against its declaration
   * (values set, null or '' clear, absent fields keep theirs); returns them masked.
   */
  async updatePluginSettings(pluginId: string, change: SettingsChange): Promise<PluginSettingValues> {
    const catalog = this.settingsCatalog;
    // Checked before joining the queue: a plugin's check may look a host up, and edits should not wait for it.
    await catalog.check(pluginId, change);
    return this.serial(async () => {
      const next = mergeSettings(this.doc.settings[pluginId] ?? {}, change);
      const settings = { ...this.doc.settings };
      if (Object.keys(next).length > 0) settings[pluginId] = next;
      else delete settings[pluginId];
      const before = this.doc.settings;
      this.doc.settings = settings;
      try {
        await this.persist();
      } catch (error) {
        this.doc.settings = before; // not saved: the notebook keeps what storage holds
        throw error;
      }
      this.announceSettings();
      return catalog.mask({ [pluginId]: next })[pluginId]!;
    });
  }

  private announceSettings(): void {
    this.emit({ type: 'notebook_updated', name: this.doc.name, lazy: this.doc.lazy, settings: this.settingsCatalog.mask(this.doc.settings), app: this.appSettings, revision: this.doc.revision });
  }

  /**
   * A widget's value was set (widget-values.ts): kept with its defining cell for the next kernel, shown in
   * every output holding the widget, saved soon (a drag saves once), and announced to every client.
   */
  recordWidgetValue(cellId: string, widgetId: string, widget: StoredWidget): void {
    const cell = this.cell(cellId);
    cell.widgets = { ...cell.widgets, [widgetId]: widget };
    showValueInOutputs(this.doc.cells.map((c) => this.states.view(c).outputs), widgetId, widget.value);
    this.scheduleSave();
    this.emit({ type: 'widget_value', cellId, widget_id: widgetId, value: widget.value });
  }

  /** Empties every cell's printed text and outputs, saved before it is announced; errors and statuses stay. */
  async clearOutputs(): Promise<void> {
    return this.serial(async () => {
      this.states.clearOutputs();
      await this.persist();
      this.states.outputsCleared();
    });
  }

  /** Saves run results soon: many cells finishing together cost one write. */
  scheduleSave(): void {
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      // Behind the edits, but not one of them: afterEdits does not wait for it.
      const save = this.queue.then(() => this.persist());
      this.queue = save.catch(() => undefined);
    }, 100);
    this.saveTimer.unref?.();
  }

  async flush(): Promise<void> {
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = null;
      await this.serial(() => this.persist());
    }
    await this.queue;
  }

  private async persist(): Promise<void> {
    if (this.applyingExternal) return; // storage holds this state already
    let saved: NotebookDocument;
    try {
      const cells = this.doc.cells.map((c) => this.states.stored(c));
      // Outputs past the notebook's storage budget are stored as a note (largest first): the save itself never fails for them.
      saved = await this.store.save({ ...this.doc, cells: boundStoredOutputs(cells, this.guard.limits.maxStoredOutputChars) }, { expectedRevision: this.doc.revision });
    } catch (error) {
      if (error instanceof ConflictError) this.onFenced();
      throw error;
    }
    this.doc.revision = saved.revision;
    this.doc.updatedAt = saved.updatedAt;
  }

  /** Analysis runs off the event loop (core's AnalysisPool): the session changes nothing while it waits. */
  private analysisOfCode(type: string, code: string): Promise<Analysis> {
    const language = this.languages.get(type);
    return language ? (this.analysisOptions.analyser ?? IN_THIS_THREAD).analyse(language, code, this.doc.owner) : Promise.resolve(noLanguage(type));
  }

  private applyAnalysis(cell: CellDocument, analysis: Analysis, updateGraph = true): Analysis {
    this.analyses.set(cell.id, analysis);
    cell.reads = [...new Set(analysis.references)].sort();
    cell.writes = [...new Set(analysis.defines)].sort();
    if (updateGraph) this.graph.setCell(cell.id, graphDependencies(analysis));
    if (analysis.error) this.states.recordError(cell.id, analysisCellError(analysis.error));
    return analysis;
  }

  private indexOf(cellId: string): number {
    const index = this.position.get(cellId);
    if (index === undefined) throw new NotFoundError('cell', cellId);
    return index;
  }

  private reindex(): void {
    this.position.clear();
    this.doc.cells.forEach((cell, index) => this.position.set(cell.id, index));
  }

}
