import type { CellDependencies } from '../graph/dependency-graph';
import { InvalidInputError } from '../errors';
import type { Analysis } from '../language/language';

/* Checks and conversions of a notebook session, kept apart so the session reads as its operations. */

export function graphDependencies(analysis: Analysis): CellDependencies {
  if (analysis.error) return { defines: [], references: [] };
  const deps: CellDependencies = {
    defines: analysis.defines,
    references: analysis.weakReferences ? [...analysis.references, ...analysis.weakReferences] : analysis.references,
  };
  if (analysis.deletes) return { ...deps, deletes: analysis.deletes };
  return deps;
}

export function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.trim().length === 0 || name.length > 200) {
    throw new InvalidInputError('A notebook name is 1 to 200 characters.');
  }
  return name.trim();
}
