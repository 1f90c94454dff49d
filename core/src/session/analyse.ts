import type { Analysis, LanguageDefinition } from '../language/language';

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
