/**
 * Size limits of notebooks and users, so one notebook cannot fill the
 * server's memory or one account its disk. Hosts set them through
 * NotebookServiceOptions.limits; each refusal names its limit.
 */
import { sizeText } from '../kernel/child/output-cap';
import { LimitError } from '../errors';
import type { Output } from '../model/types';
import type { NotebookStore, StoredCell } from '../storage/storage';

export interface NotebookLimits {
  /** Cells of one notebook (MAX_CELLS_PER_NOTEBOOK). */
  maxCells: number;
  /** Characters of code in all the cells of one notebook (MAX_NOTEBOOK_CODE_CHARS). */
  maxNotebookCodeChars: number;
  /** Characters of outputs (printed text and rich outputs as JSON) one notebook keeps in storage (MAX_NOTEBOOK_OUTPUT_CHARS). */
  maxStoredOutputChars: number;
  /** Notebooks one user may hold (MAX_NOTEBOOKS_PER_USER). */
  maxNotebooksPerUser: number;
  /** Bytes one user's notebooks may take in storage (MAX_USER_BYTES). */
  maxUserBytes: number;
}

export const DEFAULT_NOTEBOOK_LIMITS: NotebookLimits = {
  maxCells: 20_000,
  maxNotebookCodeChars: 10_000_000,
  maxStoredOutputChars: 32 * 1024 * 1024,
  maxNotebooksPerUser: 1000,
  maxUserBytes: 1024 * 1024 * 1024,
};

const outputSizes = new WeakMap<Output, number>();

/** Characters an output's data takes as JSON, measured once per output. */
function outputChars(output: Output): number {
  let size = outputSizes.get(output);
  if (size === undefined) {
    size = typeof output.data === 'string' ? output.data.length : (JSON.stringify(output.data) ?? '').length;
    outputSizes.set(output, size);
  }
  return size;
}

/** What a cell's last results take in storage: printed text and rich outputs. */
export function storedOutputChars(cell: Pick<StoredCell, 'stdout' | 'outputs'>): number {
  let size = cell.stdout.length;
  for (const output of cell.outputs) size += outputChars(output);
  return size;
}

/**
 * The cells as storage should keep them: when their outputs exceed
 * `maxChars` in all, the largest cells' outputs are replaced by a note (the
 * save goes on; the cells in memory keep their outputs until reloaded).
 */
export function boundStoredOutputs(cells: StoredCell[], maxChars: number): StoredCell[] {
  const sizes = cells.map(storedOutputChars);
  let total = sizes.reduce((a, b) => a + b, 0);
  if (total <= maxChars) return cells;
  const out = [...cells];
  const largestFirst = sizes.map((size, index) => ({ size, index })).sort((a, b) => b.size - a.size);
  for (const { size, index } of largestFirst) {
    if (total <= maxChars || size === 0) break;
    const note: Output = {
      mime_type: 'text/plain',
      data: `Output of ${sizeText(size)} not stored: a notebook keeps at most ${sizeText(maxChars)} of outputs in storage. Run the cell again to see it.`,
    };
    out[index] = { ...cells[index]!, stdout: '', outputs: [note] };
    total -= size - outputChars(note);
  }
  return out;
}

/** Refuses code growth past the notebook's code limit. */
export function checkNotebookCodeGrowth(total: number, growth: number, { maxNotebookCodeChars }: Pick<NotebookLimits, 'maxNotebookCodeChars'>): void {
  if (total + growth <= maxNotebookCodeChars) return;
  throw notebookLimitError(
    'maxNotebookCodeChars',
    `The cells of a notebook hold at most ${maxNotebookCodeChars.toLocaleString('en-US')} characters of code in all; this one has ${total.toLocaleString('en-US')}. Split it into several notebooks.`,
  );
}

export function notebookLimitError(limit: keyof NotebookLimits, message: string): LimitError {
  return new LimitError('notebook', limit, message);
}

/**
 * Per-user limits: notebooks and bytes as storage reports them (summaries'
 * `bytes`), cached for a while and moved by this process's own growth, so a
 * check does not list the user's notebooks on every edit. A storage that
 * does not report sizes counts only growth seen by this process.
 */
export class UserQuota {
  private readonly usage = new Map<string, { at: number; notebooks: number; bytes: number }>();

  constructor(
    private readonly store: NotebookStore,
    private readonly limits: NotebookLimits,
    private readonly cacheMs = 30_000,
  ) {}

  async checkNewNotebook(owner: string): Promise<void> {
    const usage = await this.current(owner, true);
    if (usage.notebooks >= this.limits.maxNotebooksPerUser) {
      throw new LimitError('user', 'maxNotebooksPerUser', `You have ${usage.notebooks.toLocaleString('en-US')} notebooks, the most one user may hold (${this.limits.maxNotebooksPerUser.toLocaleString('en-US')}): delete some first.`);
    }
    this.checkBytes(usage, 0);
    usage.notebooks++;
  }

  /** Refuses a change that makes the user's notebooks grow by `growth` characters past their share. */
  async checkGrowth(owner: string, growth: number): Promise<void> {
    if (growth <= 0) return;
    const usage = await this.current(owner, false);
    this.checkBytes(usage, growth);
    usage.bytes += growth;
  }

  /** A notebook went away: the next check asks storage again. */
  forget(owner: string): void {
    this.usage.delete(owner);
  }

  private checkBytes(usage: { bytes: number }, growth: number): void {
    if (usage.bytes + growth > this.limits.maxUserBytes) {
      throw new LimitError('user', 'maxUserBytes', `Your notebooks take ${sizeText(usage.bytes)}, and one user's notebooks may take at most ${sizeText(this.limits.maxUserBytes)}: delete notebooks or outputs first.`);
    }
  }

  private async current(owner: string, fresh: boolean): Promise<{ at: number; notebooks: number; bytes: number }> {
    const cached = this.usage.get(owner);
    if (cached && !fresh && Date.now() - cached.at < this.cacheMs) return cached;
    const summaries = await this.store.list(owner);
    const usage = { at: Date.now(), notebooks: summaries.length, bytes: summaries.reduce((sum, s) => sum + (s.bytes ?? 0), 0) };
    this.usage.set(owner, usage);
    return usage;
  }
}

/** The service's limits for one notebook, and the owner's share it must stay within when it grows. */
export interface SessionGuard {
  limits: NotebookLimits;
  /** Refuses growth (characters) past the owner's share (LimitError). */
  checkGrowth?(growth: number): Promise<void>;
}

/** Refuses code growth past the notebook's code limit or the owner's share; `cells`: the notebook's cells now. */
export async function checkSessionGrowth(cells: readonly { code: string }[], growth: number, guard: SessionGuard): Promise<void> {
  if (growth <= 0) return;
  checkNotebookCodeGrowth(cells.reduce((sum, c) => sum + c.code.length, 0), growth, guard.limits);
  await guard.checkGrowth?.(growth);
}
