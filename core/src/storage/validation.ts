import type { AppSettings } from '../wire';
import { InvalidInputError } from '../errors';
import { isCellErrorKind } from '../session/cell-error';
import type { CellStatus, Output } from '../model/types';
import type { CellErrorDetail } from '../wire';
import { normalizeSettings } from '../settings/plugin-settings';
import type { NotebookDocument, NotebookShare, StoredCell } from './storage';

/* Validation every store applies to what it is given: ids that cannot name a path, documents of the right shape. */

/** Notebook ids a store accepts: what the host generates (UUIDs) and nothing that could name a path. */
export const NOTEBOOK_ID = /^[A-Za-z0-9_-]{1,128}$/;

export function isValidNotebookId(id: unknown): id is string {
  return typeof id === 'string' && NOTEBOOK_ID.test(id);
}

export function checkNotebookId(id: unknown): string {
  if (!isValidNotebookId(id)) {
    throw new InvalidInputError(`A notebook id is 1 to 128 letters, digits, "-" or "_"; got ${describe(id)}.`);
  }
  return id;
}

export function checkOwner(owner: unknown): string {
  if (typeof owner !== 'string' || owner.length === 0 || owner.length > 512 || owner.includes('\u0000')) {
    throw new InvalidInputError(`An owner is a non-empty string of at most 512 characters; got ${describe(owner)}.`);
  }
  return owner;
}

export function checkExpectedRevision(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidInputError(`expectedRevision is a whole number from 0; got ${describe(value)}.`);
  }
  return value;
}

const STATUSES: ReadonlySet<string> = new Set<CellStatus>(['idle', 'queued', 'running', 'success', 'error', 'blocked', 'stale']);

/**
 * Checks a document's shape and returns a copy holding only what storage
 * keeps, so extra fields a caller carries along are never persisted.
 * `where` names the source in messages ("document", or a file when reading).
 */
export function normalizeDocument(input: unknown, where = 'document'): NotebookDocument {
  const doc = object(input, where);
  const cells = doc.cells;
  if (!Array.isArray(cells)) throw new InvalidInputError(`${where}.cells must be a list of cells.`);
  return {
    id: string(doc.id, `${where}.id`),
    owner: string(doc.owner, `${where}.owner`),
    name: string(doc.name, `${where}.name`),
    settings: normalizeSettings(doc.settings, `${where}.settings`),
    lazy: boolean(doc.lazy, `${where}.lazy`),
    cells: cells.map((cell, i) => normalizeCell(cell, `${where}.cells[${i}]`)),
    ...(doc.app !== undefined && doc.app !== null ? { app: normalizeAppSettings(doc.app, `${where}.app`) } : {}),
    ...(Array.isArray(doc.shares) && doc.shares.length > 0 ? { shares: normalizeShares(doc.shares, `${where}.shares`) } : {}),
    revision: typeof doc.revision === 'number' ? doc.revision : 0,
    createdAt: typeof doc.createdAt === 'string' ? doc.createdAt : '',
    updatedAt: typeof doc.updatedAt === 'string' ? doc.updatedAt : '',
  };
}

function normalizeCell(input: unknown, where: string): StoredCell {
  const cell = object(input, where);
  const status = string(cell.status, `${where}.status`);
  if (!STATUSES.has(status)) throw new InvalidInputError(`${where}.status must be one of ${[...STATUSES].join(', ')}; got ${describe(status)}.`);
  const outputs = cell.outputs;
  if (!Array.isArray(outputs)) throw new InvalidInputError(`${where}.outputs must be a list.`);
  const stored: StoredCell = {
    id: string(cell.id, `${where}.id`),
    type: string(cell.type, `${where}.type`),
    code: string(cell.code, `${where}.code`),
    status: status as CellStatus,
    stdout: string(cell.stdout, `${where}.stdout`),
    // Notebooks stored before stderr was kept apart have none.
    stderr: cell.stderr === undefined ? '' : string(cell.stderr, `${where}.stderr`),
    outputs: outputs.map((output, i) => normalizeOutput(output, `${where}.outputs[${i}]`)),
    error: nullableString(cell.error, `${where}.error`),
    reads: strings(cell.reads, `${where}.reads`),
    writes: strings(cell.writes, `${where}.writes`),
    ...(isWidgetMap(cell.widgets) ? { widgets: cell.widgets } : {}),
    // Absent in notebooks stored before runs were timed, and for cells that never ran.
    ...(typeof cell.lastRunAt === 'string' ? { lastRunAt: cell.lastRunAt, durationMs: typeof cell.durationMs === 'number' && Number.isFinite(cell.durationMs) ? cell.durationMs : null } : {}),
  };
  // Notebooks stored before the structure was kept have none: the session reads the error from the text.
  if (cell.errorDetail !== undefined && stored.error !== null) stored.errorDetail = normalizeErrorDetail(cell.errorDetail, `${where}.errorDetail`);
  return stored;
}

function normalizeErrorDetail(input: unknown, where: string): CellErrorDetail {
  const detail = object(input, where);
  if (!isCellErrorKind(detail.kind)) throw new InvalidInputError(`${where}.kind is not a known error kind; got ${describe(detail.kind)}.`);
  const result: CellErrorDetail = { kind: detail.kind, message: string(detail.message, `${where}.message`) };
  if (detail.cells !== undefined) result.cells = strings(detail.cells, `${where}.cells`);
  if (detail.traceback !== undefined) result.traceback = string(detail.traceback, `${where}.traceback`);
  return result;
}

/** Stored widget values (StoredCell.widgets): kept when they have the shape, dropped (not fatal) when not. */
function isWidgetMap(input: unknown): input is NonNullable<StoredCell['widgets']> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return false;
  return Object.values(input as Record<string, unknown>).every((entry) => {
    const widget = entry as Record<string, unknown> | null;
    return typeof widget === 'object' && widget !== null && typeof widget.kind === 'string' && 'value' in widget && typeof widget.props === 'object' && widget.props !== null;
  });
}

function normalizeOutput(input: unknown, where: string): Output {
  const output = object(input, where);
  const result: Output = { mime_type: string(output.mime_type, `${where}.mime_type`), data: (output.data ?? null) as Output['data'] };
  if (output.metadata !== undefined) result.metadata = object(output.metadata, `${where}.metadata`) as Output['metadata'];
  return result;
}

function object(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidInputError(`${where} must be an object.`);
  return value as Record<string, unknown>;
}

function string(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new InvalidInputError(`${where} must be a string; got ${describe(value)}.`);
  return value;
}

function nullableString(value: unknown, where: string): string | null {
  return value === null || value === undefined ? null : string(value, where);
}

function boolean(value: unknown, where: string): boolean {
  if (typeof value !== 'boolean') throw new InvalidInputError(`${where} must be true or false; got ${describe(value)}.`);
  return value;
}

function strings(value: unknown, where: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new InvalidInputError(`${where} must be a list of strings.`);
  return [...(value as string[])];
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (value === null || value === undefined) return String(value);
  return `a ${Array.isArray(value) ? 'list' : typeof value}`;
}

/** The app settings as stored: three booleans, missing ones false (an older file has none). */
function normalizeAppSettings(input: unknown, where: string): AppSettings {
  const app = object(input, where);
  const flag = (key: keyof AppSettings): boolean => (app[key] === undefined ? false : boolean(app[key], `${where}.${key}`));
  return { show_code: flag('show_code'), show_tracebacks: flag('show_tracebacks'), published: flag('published') };
}

/** Shares as stored: one per user, role editor or viewer (an older document has none). */
export function normalizeShares(input: unknown[], where: string): NotebookShare[] {
  const byUser = new Map<string, NotebookShare>();
  input.forEach((raw, i) => {
    const share = object(raw, `${where}[${i}]`);
    const userId = string(share.userId, `${where}[${i}].userId`);
    if (share.role !== 'editor' && share.role !== 'viewer') throw new InvalidInputError(`${where}[${i}].role must be "editor" or "viewer".`);
    byUser.set(userId, { userId, role: share.role });
  });
  return [...byUser.values()];
}
