import { InvalidInputError, TooLargeError } from '../errors';
import type { Analysis, LanguageDefinition, LanguageRegistry } from '../language/language';
import type { NotebookDocument } from '../storage/storage';

const NAME_LIMIT = 10_000;

/**
 * Calls a plugin's analyser in this thread and distrusts its answer: an
 * analyser that throws or returns nonsense gives the cell an error, never the
 * server. Core's analysis pool uses this only for languages without an
 * analyser module (see `AnalysisPool`).
 */
export function analyseSafely(language: LanguageDefinition, code: string): Analysis {
  if (code.trim().length === 0) return { defines: [], references: [] };
  let result: unknown;
  try {
    result = language.analyse(code);
  } catch (error) {
    return analyserFailed(language.id, error);
  }
  return cleanAnalysis(language.id, result);
}

/** The cell's error when the analyser threw. */
export function analyserFailed(languageId: string, error: unknown): Analysis {
  const message = error instanceof Error ? error.message : typeof error === 'object' && error && 'message' in error ? String(error.message) : String(error);
  return { defines: [], references: [], error: { message: `The ${languageId} analyser failed: ${message}` } };
}

/** Keeps only what an analysis may hold, whatever the analyser (or a worker's message) returned. */
export function cleanAnalysis(languageId: string, value: unknown): Analysis {
  const result = value as Partial<Analysis> | null | undefined;
  if (!result || !Array.isArray(result.defines) || !Array.isArray(result.references)) {
    return { defines: [], references: [], error: { message: `The ${languageId} analyser returned no defines/references.` } };
  }
  const clean = (names: unknown[]): string[] => names.filter((n): n is string => typeof n === 'string' && n.length > 0 && n.length < 500).slice(0, NAME_LIMIT);
  const analysis: Analysis = { defines: clean(result.defines), references: clean(result.references) };
  if (Array.isArray(result.deletes)) analysis.deletes = clean(result.deletes);
  if (Array.isArray(result.weakReferences)) analysis.weakReferences = clean(result.weakReferences);
  if (result.error) {
    const { message, line, column } = result.error;
    analysis.error = { message: String(message) };
    if (typeof line === 'number') analysis.error.line = line;
    if (typeof column === 'number') analysis.error.column = column;
  }
  if (result.meta && typeof result.meta === 'object') analysis.meta = result.meta;
  return analysis;
}

/** A cell's code in UTF-8 bytes, unless the service says otherwise (`maxCellBytes`). */
export const DEFAULT_MAX_CELL_BYTES = 200_000;

/** Analyses cells for a session: core's AnalysisPool, off the event loop; in this thread by default (tests). */
export interface CellAnalyser {
  analyse(language: LanguageDefinition, code: string, key: string): Promise<Analysis>;
}
export const IN_THIS_THREAD: CellAnalyser = { analyse: async (language, code) => analyseSafely(language, code) };

/** How a session analyses cells and how large one may be. */
export interface SessionAnalysisOptions {
  analyser?: CellAnalyser;
  /** Analyses of the document's cells made before (see `analyseCells`); the others are made in this thread. */
  initialAnalyses?: ReadonlyMap<string, Analysis>;
  maxCellBytes?: number;
}

/** Analyses every cell of a document before its session opens: many cells travel to the workers in batches. */
export async function analyseCells(document: NotebookDocument, languages: LanguageRegistry, analyser: CellAnalyser): Promise<Map<string, Analysis>> {
  const analyses = await Promise.all(document.cells.map((cell) => {
    const language = languages.get(cell.type);
    return language ? analyser.analyse(language, cell.code, document.owner) : Promise.resolve(noLanguage(cell.type));
  }));
  return new Map(document.cells.map((cell, index) => [cell.id, analyses[index]!]));
}

/** In this thread: for cells of a session built without analyses made beforehand. */
export function analyseNow(languages: LanguageRegistry, type: string, code: string): Analysis {
  const language = languages.get(type);
  return language ? analyseSafely(language, code) : noLanguage(type);
}

export function noLanguage(type: string): Analysis {
  return { defines: [], references: [], error: { message: `No plugin is loaded for cell type "${type}".` } };
}

/** The code as a string within the cell size limit, or the 413 that names the limit. */
export function checkCode(code: unknown, maxBytes = DEFAULT_MAX_CELL_BYTES): string {
  if (typeof code !== 'string') throw new InvalidInputError('Cell code must be a string.');
  // A UTF-16 unit is at most 3 UTF-8 bytes: most cells need no measuring.
  const bytes = code.length * 3 <= maxBytes ? code.length : Buffer.byteLength(code, 'utf8');
  if (bytes > maxBytes) {
    throw new TooLargeError(`This cell's code is ${bytes.toLocaleString('en-US')} bytes: a cell holds at most ${maxBytes.toLocaleString('en-US')} bytes (the server's MAX_CELL_BYTES). Split it into smaller cells, or read large data from a file.`);
  }
  return code;
}
