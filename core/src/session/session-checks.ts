import { randomUUID } from 'node:crypto';
import type { CellDependencies } from '../graph/dependency-graph';
import { InvalidInputError, NotebookError } from '../errors';
import type { Analysis, LanguageRegistry } from '../language/language';

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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The id of a new cell: a fresh UUID, or the one a client chose (a UUID no cell of the notebook has). */
export function newCellId(requested: string | undefined, exists: (id: string) => boolean): string {
  if (requested === undefined) return randomUUID();
  if (!UUID.test(requested)) throw new InvalidInputError('A cell id chosen by the client must be a UUID.');
  if (exists(requested)) throw new NotebookError('RNB_ERR_CELL_EXISTS', `The notebook already has a cell with id "${requested}".`);
  return requested;
}

/** Refuses a cell type no loaded language has, naming those it has. */
export function checkLanguage(languages: LanguageRegistry, type: unknown): void {
  if (typeof type !== 'string' || !languages.get(type)) {
    const known = languages.list().map((l) => l.id).join(', ') || 'none';
    throw new NotebookError('RNB_ERR_UNKNOWN_LANGUAGE', `Unknown cell type "${String(type).slice(0, 40)}": this server knows ${known}.`);
  }
}
