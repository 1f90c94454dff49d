import { randomUUID } from 'node:crypto';
import { ConflictError, EditConflictError, InvalidInputError, NotFoundError, NotebookError } from '../errors';
import { DependencyGraph, type CellDependencies } from '../graph/dependency-graph';
import type { Analysis, LanguageRegistry } from '../language/language';
import type { CellStatus } from '../model/types';
import type { AppSettings } from '../wire';
import type { NotebookDocument, NotebookShare, NotebookStore, StoredCell } from '../storage/storage';
import { analyseNow, checkCode, IN_THIS_THREAD, noLanguage, type SessionAnalysisOptions } from './analyse';
import { boundStoredOutputs, DEFAULT_NOTEBOOK_LIMITS, notebookLimitError, type NotebookLimits } from './limits';
import { diffNotebooks } from './external-change';
import { checkName, formatAnalysisError, graphDependencies } from './session-checks';
import type { NotebookEvent } from './events';
import { graphErrorText, maskConnectionString, settledStatus, storedGraphErrorKind, toCell } from './format';
import { RunCoordinator, type KernelProvider } from './run-coordinator';
import type { CreateCellInput, NotebookView, UpdateCellInput } from './service-api';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The app view's settings of a notebook that has none stored. */
export const DEFAULT_APP_SETTINGS: Readonly<AppSettings> = Object.freeze({ show_code: false, show_tracebacks: false, published: false });

export interface KernelIdentity {
  owner: string;
  session: string;
}

type SettingsChange = { name?: string; lazy?: boolean; dbConnString?: string | null; app?: Partial<AppSettings>; shares?: NotebookShare[] };

/** The service's limits for this notebook, and the owner's share it must stay within when it grows. */
export interface SessionGuard {
  limits: NotebookLimits;
  /** Refuses growth (characters) past the owner's share (LimitError). */
  checkGrowth?(growth: number): Promise<void>;
}

/**
 * One open notebook: its document, its dependency graph and its run
 * coordinator. Edits are serialised and saved before they are announced.
 */
export class NotebookSession {
  readonly graph: DependencyGraph;
  readonly runs: RunCoordinator;
  private doc: NotebookDocument;
  private readonly cells = new Map<string, StoredCell>();
  private readonly position = new Map<string, number>();
  private readonly analyses = new Map<string, Analysis>();
  /** Graph errors currently shown on cells. */
  private readonly shownGraphErrors = new Map<string, string>();
  private queue: Promise<unknown> = Promise.resolve();
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
    this.doc = document;
    this.graph = new DependencyGraph((id) => this.position.get(id) ?? Number.MAX_SAFE_INTEGER);
    this.reindex();
    const loaded: ({ id: string } & CellDependencies)[] = [];
    for (const cell of document.cells) {
      // A new session has a new kernel: what ran before has no values here. Outputs stay visible.
      cell.status = cell.status === 'success' ? 'stale' : settledStatus(cell.status);
      this.cells.set(cell.id, cell);
      const analysis = this.applyAnalysis(cell, initialAnalyses.get(cell.id) ?? analyseNow(this.languages, cell.type, cell.code), false);
      loaded.push({ id: cell.id, ...graphDependencies(analysis) });
    }
    this.graph.load(loaded);
    this.runs = new RunCoordinator(this, kernels, emit);
    this.refreshGraphErrors(new Set(document.cells.map((c) => c.id)), false);
  }

  get id(): string {
    return this.doc.id;
  }
  get owner(): string {
    return this.doc.owner;
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
  get lazy(): boolean {
    return this.doc.lazy;
  }
  get dbConnectionString(): string | null {
    return this.doc.dbConnString;
  }

  view(): NotebookView {
    return {
      id: this.doc.id,
      name: this.doc.name,
      db_conn_string: maskConnectionString(this.doc.dbConnString),
      cells: this.doc.cells.map(toCell),
      revision: this.doc.revision,
      lazy: this.doc.lazy,
      app: this.appSettings,
    };
  }

  cell(cellId: string): StoredCell {
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
  staticError(cellId: string): string | undefined {
    const analysisError = this.analyses.get(cellId)?.error;
    if (analysisError) return formatAnalysisError(analysisError);
    return this.shownGraphErrors.get(cellId);
  }

  /** Runs `fn` after every earlier edit of this notebook finished. */
  serial<T>(fn: () => Promise<T> | T): Promise<T> {
    const result = this.queue.then(fn);
    this.queue = result.catch(() => undefined);
    return result;
  }

  createCell(input: CreateCellInput): Promise<StoredCell> {
    return this.serial(() => this.createCellNow(input));
  }

  /** `fileId`: the id a file edited on disk gave the cell (taken as it is; a client's `input.id` must be a UUID). */
  private async createCellNow(input: CreateCellInput, fileId?: string): Promise<StoredCell> {
    // A file edited on disk may name a language this server lacks: the cell then shows that as its error.
    if (!this.applyingExternal) this.checkLanguage(input.type);
    const code = checkCode(input.code ?? '', this.analysisOptions.maxCellBytes);
    const { maxCells } = this.guard.limits;
    if (this.cells.size >= maxCells) throw notebookLimitError('maxCells', `A notebook holds at most ${maxCells.toLocaleString('en-US')} cells; this one is full.`);
    if (!this.applyingExternal) await this.checkGrowth(code.length);
    const analysis = await this.analysisOfCode(input.type, code);
    let index = this.doc.cells.length;
    if (input.afterCellId) index = this.indexOf(input.afterCellId) + 1;
    else if (input.index !== undefined) {
      if (!Number.isInteger(input.index) || input.index < 0 || input.index > this.doc.cells.length) {
        throw new InvalidInputError(`Index ${input.index} is outside the notebook (0 to ${this.doc.cells.length}).`);
      }
      index = input.index;
    }
    const id = fileId ?? this.newCellId(input.id);
    const cell: StoredCell = { id, type: input.type, code, status: 'idle', stdout: '', stderr: '', outputs: [], error: null, reads: [], writes: [] };
    this.doc.cells.splice(index, 0, cell);
    this.cells.set(cell.id, cell);
    this.reindex();
    const before = this.analysisFootprint(cell.id);
    this.applyAnalysis(cell, analysis);
    await this.persist();
    this.emit({ type: 'cell_created', cell: toCell(cell), index, revision: this.doc.revision });
    this.refreshGraphErrors(this.affectedBy(cell.id, before));
    return cell;
  }

  updateCell(cellId: string, input: UpdateCellInput): Promise<StoredCell> {
    return this.serial(() => this.updateCellNow(cellId, input));
  }

  private async updateCellNow(cellId: string, input: UpdateCellInput): Promise<StoredCell> {
    const cell = this.cell(cellId);
    const code = checkCode(input.code, this.analysisOptions.maxCellBytes);
    if (input.type !== undefined && !this.applyingExternal) this.checkLanguage(input.type);
    if (!this.applyingExternal) await this.checkGrowth(code.length - cell.code.length);
    if (input.expectedRevision !== undefined && input.expectedRevision !== this.doc.revision) {
      throw new ConflictError(input.expectedRevision, this.doc.revision);
    }
    // Saving what the cell already holds is never a conflict (a retried save, or both typed the same).
    if (input.baseCode !== undefined && cell.code !== input.baseCode && cell.code !== code) throw new EditConflictError(cell.code);
    const analysis = await this.analysisOfCode(input.type ?? cell.type, code);
    const before = this.analysisFootprint(cellId);
    const oldDefines = new Set(cell.writes);
    const oldDescendants = this.graph.descendants([cellId]);
    const hadAnalysisError = this.analyses.get(cellId)?.error !== undefined;
    cell.code = code;
    if (input.type !== undefined) cell.type = input.type;
    this.applyAnalysis(cell, analysis);
    // The code parses now: its old syntax error goes at once, not when the cell next runs.
    const fixed = hadAnalysisError && analysis.error === undefined;
    if (fixed) cell.error = null;
    await this.persist();
    this.emit({ type: 'cell_updated', cellId, code, cell_type: cell.type, reads: cell.reads, writes: cell.writes, revision: this.doc.revision });
    if (fixed) this.emit({ type: 'cell_error', cellId, error: null });
    const removed = [...oldDefines].filter((name) => !cell.writes.includes(name));
    // The cell and everything that read it no longer match the kernel's values.
    this.runs.invalidate([cellId, ...oldDescendants, ...this.graph.descendants([cellId])]);
    this.refreshGraphErrors(this.affectedBy(cellId, before));
    this.runs.forgetNames(removed, [cellId]);
    return cell;
  }

  private newCellId(requested: string | undefined): string {
    if (requested === undefined) return randomUUID();
    if (!UUID.test(requested)) throw new InvalidInputError('A cell id chosen by the client must be a UUID.');
    if (this.cells.has(requested)) throw new NotebookError('RNB_ERR_CELL_EXISTS', `The notebook already has a cell with id "${requested}".`);
    return requested;
  }

  deleteCell(cellId: string): Promise<void> {
    return this.serial(() => this.deleteCellNow(cellId));
  }

  private async deleteCellNow(cellId: string): Promise<void> {
    const cell = this.cell(cellId);
    const before = this.analysisFootprint(cellId);
    const index = this.indexOf(cellId);
    this.doc.cells.splice(index, 1);
    this.cells.delete(cellId);
    this.analyses.delete(cellId);
    this.shownGraphErrors.delete(cellId);
    this.graph.removeCell(cellId);
    this.reindex();
    await this.persist();
    this.emit({ type: 'cell_deleted', cellId, revision: this.doc.revision });
    this.runs.cellDeleted(cellId);
    this.refreshGraphErrors(this.affectedBy(cellId, before));
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
    this.refreshGraphErrors(new Set(this.shownGraphErrors.keys()));
  }

  updateSettings(change: SettingsChange): Promise<void> {
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
            if (this.cell(step.cellId).status !== 'idle') rerun.push(step.cellId);
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

  private async updateSettingsNow(change: SettingsChange): Promise<void> {
    if (change.name !== undefined) this.doc.name = checkName(change.name);
    if (change.app !== undefined) this.doc.app = { ...this.appSettings, ...change.app };
    if (change.lazy !== undefined) this.doc.lazy = change.lazy;
    if (change.shares !== undefined) this.doc.shares = change.shares.map((share) => ({ ...share }));
    if (change.dbConnString !== undefined) this.doc.dbConnString = change.dbConnString;
    await this.persist();
    this.emit({ type: 'notebook_updated', name: this.doc.name, lazy: this.doc.lazy, has_db_connection: this.doc.dbConnString !== null, app: this.appSettings, revision: this.doc.revision });
  }

  /** Empties every cell's printed text and outputs, saved before it is announced; errors and statuses stay. */
  async clearOutputs(): Promise<void> {
    return this.serial(async () => {
      for (const cell of this.doc.cells) {
        cell.stdout = '';
        cell.outputs = [];
        cell.stderr = '';
      }
      await this.persist();
      this.emit({ type: 'outputs_cleared' });
    });
  }

  setStatus(cellId: string, status: CellStatus): void {
    const cell = this.cells.get(cellId);
    if (!cell || cell.status === status) return;
    cell.status = status;
    this.emit({ type: 'cell_status', cellId, status });
  }

  /** Saves run results soon: many cells finishing together cost one write. */
  scheduleSave(): void {
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      void this.serial(() => this.persist()).catch(() => undefined);
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

  /** Refuses code growth past the notebook's code limit or the owner's share. */
  private async checkGrowth(growth: number): Promise<void> {
    if (growth <= 0) return;
    const { maxNotebookCodeChars } = this.guard.limits;
    const total = this.doc.cells.reduce((sum, c) => sum + c.code.length, 0);
    if (total + growth > maxNotebookCodeChars) {
      throw notebookLimitError(
        'maxNotebookCodeChars',
        `The cells of a notebook hold at most ${maxNotebookCodeChars.toLocaleString('en-US')} characters of code in all; this one has ${total.toLocaleString('en-US')}. Split it into several notebooks.`,
      );
    }
    await this.guard.checkGrowth?.(growth);
  }

  private async persist(): Promise<void> {
    if (this.applyingExternal) return; // storage holds this state already
    let saved: NotebookDocument;
    try {
      const cells = this.doc.cells.map((c) => ({ ...c, status: settledStatus(c.status) }));
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

  private applyAnalysis(cell: StoredCell, analysis: Analysis, updateGraph = true): Analysis {
    this.analyses.set(cell.id, analysis);
    cell.reads = [...new Set(analysis.references)].sort();
    cell.writes = [...new Set(analysis.defines)].sort();
    if (updateGraph) this.graph.setCell(cell.id, graphDependencies(analysis));
    if (analysis.error) {
      cell.error = formatAnalysisError(analysis.error);
    }
    return analysis;
  }

  private analysisFootprint(cellId: string): Set<string> {
    const affected = new Set<string>([cellId, ...this.graph.cycleMembers()]);
    const names = this.graph.defines(cellId);
    for (const id of this.graph.cellsSharingDefinitions(names)) affected.add(id);
    return affected;
  }

  private affectedBy(cellId: string, before: Set<string>): Set<string> {
    const after = this.analysisFootprint(cellId);
    for (const id of before) after.add(id);
    return after;
  }

  /**
   * Shows or clears graph errors (cycles, double definitions) on the cells that may have changed.
   * `announce` is false while loading: a loaded notebook has no kernel yet, so nothing is forgotten or re-run.
   */
  private refreshGraphErrors(cells: Set<string>, announce = true): void {
    const label = (id: string): string => this.label(id);
    // Every cell's graph error is recorded before anything reacts to one: re-running the readers of a
    // name plans at once, and must see every cell that defines it as unable to run.
    const changes: { cell: StoredCell; text: string | undefined; previous: string | undefined }[] = [];
    for (const id of cells) {
      const cell = this.cells.get(id);
      if (!cell) continue;
      const graphError = this.graph.errorOf(id);
      const text = graphError ? graphErrorText(graphError, { label, cellId: id, privatePrefix: (name) => this.privatePrefixOf(name) }) : undefined;
      const previous = this.shownGraphErrors.get(id);
      if (text !== undefined) this.shownGraphErrors.set(id, text);
      else this.shownGraphErrors.delete(id);
      changes.push({ cell, text, previous });
    }
    for (const { cell, text, previous } of changes) {
      const id = cell.id;
      const analysisError = this.analyses.get(id)?.error;
      if (analysisError) {
        // The cell's own code is wrong: that is an error of this cell, not a block.
        if (announce) this.showError(cell, formatAnalysisError(analysisError), 'error');
        else {
          cell.status = 'error';
          cell.error = formatAnalysisError(analysisError);
        }
        continue;
      }
      if (!announce) {
        if (text !== undefined) {
          cell.status = 'blocked';
          cell.error = text;
        } else if (cell.status === 'blocked' && storedGraphErrorKind(cell.error) !== undefined) {
          // Stored blocked by a graph error the graph no longer has.
          cell.status = 'stale';
          cell.error = null;
        }
        continue;
      }
      if (text !== undefined && text !== previous) {
        this.runs.invalidate([id]);
        this.runs.forgetNames([...this.graph.defines(id)], [id]);
        this.showError(cell, text, 'blocked');
      } else if (text === undefined && previous !== undefined) {
        this.clearError(cell);
        this.setStatus(id, 'stale');
      }
    }
  }

  /** The prefix that makes `name` private in the language of every cell defining it, if they agree on one. */
  private privatePrefixOf(name: string): string | undefined {
    const prefixes = new Set([...this.graph.definersOf(name)].map((id) => this.languages.get(this.cell(id).type)?.privateNamePrefix));
    const [prefix] = prefixes;
    return prefixes.size === 1 ? prefix : undefined;
  }

  /** The cell's shown error no longer holds: `cell_error` with `error: null` tells the page to drop it. */
  private clearError(cell: StoredCell): void {
    if (cell.error === null) return;
    cell.error = null;
    this.emit({ type: 'cell_error', cellId: cell.id, error: null });
  }

  private showError(cell: StoredCell, text: string, status: CellStatus): void {
    cell.error = text;
    cell.outputs = [];
    this.setStatus(cell.id, status);
    this.emit({ type: 'cell_error', cellId: cell.id, error: text });
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

  private checkLanguage(type: unknown): void {
    if (typeof type !== 'string' || !this.languages.get(type)) {
      const known = this.languages.list().map((l) => l.id).join(', ') || 'none';
      throw new NotebookError('RNB_ERR_UNKNOWN_LANGUAGE', `Unknown cell type "${String(type).slice(0, 40)}": this server knows ${known}.`);
    }
  }
}
