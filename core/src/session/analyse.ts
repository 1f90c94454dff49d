import type { Analysis, LanguageDefinition } from '../language/language';

const NAME_LIMIT = 10_000;

/**
 * Calls a plugin's analyser and distrusts its answer: an analyser that throws
 * or returns nonsense gives the cell an error, never the server.
 */
export function analyseSafely(language: LanguageDefinition, code: string): Analysis {
  if (code.trim().length === 0) return { defines: [], references: [] };
  let result: Analysis;
  try {
    result = language.analyse(code);
  } catch (error) {
    return { defines: [], references: [], error: { message: `The ${language.id} analyser failed: ${(error as Error)?.message ?? String(error)}` } };
  }
  if (!result || !Array.isArray(result.defines) || !Array.isArray(result.references)) {
    return { defines: [], references: [], error: { message: `The ${language.id} analyser returned no defines/references.` } };
  }
  const clean = (names: unknown[]): string[] => names.filter((n): n is string => typeof n === 'string' && n.length > 0 && n.length < 500).slice(0, NAME_LIMIT);
  const analysis: Analysis = { defines: clean(result.defines), references: clean(result.references) };
  if (Array.isArray(result.deletes)) analysis.deletes = clean(result.deletes);
  if (Array.isArray(result.weakReferences)) analysis.weakReferences = clean(result.weakReferences);
  if (result.error) analysis.error = { ...result.error, message: String(result.error.message) };
  if (result.meta) analysis.meta = result.meta;
  return analysis;
}
