import { packagesOfSettings } from '../notebook-file/packages';
import type { NotebookDocument } from '../storage/storage';

/** One edit that turns the open notebook into the one storage holds. */
export type ExternalStep =
  | { kind: 'delete'; cellId: string }
  | { kind: 'update'; cellId: string; code: string; type: string }
  /** Appended at the end; a later `move` puts it in place. */
  | { kind: 'create'; cellId: string; code: string; type: string }
  | { kind: 'move'; cellId: string; index: number }
  | { kind: 'settings'; change: { name?: string; lazy?: boolean; packages?: string[] } };

type Shape = Pick<NotebookDocument, 'name' | 'lazy'> & { settings?: NotebookDocument['settings']; cells: { id: string; type: string; code: string }[] };

/**
 * The edits from `current` to `next`, matched by cell id: deletions, then
 * changed code or type, then new cells, then the moves that restore `next`'s
 * order, then name and lazy mode. Applying them in order gives `next`.
 */
export function diffNotebooks(current: Shape, next: Shape): ExternalStep[] {
  const steps: ExternalStep[] = [];
  const nextIds = new Set(next.cells.map((c) => c.id));
  const currentById = new Map(current.cells.map((c) => [c.id, c]));
  const order: string[] = [];
  for (const cell of current.cells) {
    if (nextIds.has(cell.id)) order.push(cell.id);
    else steps.push({ kind: 'delete', cellId: cell.id });
  }
  for (const cell of next.cells) {
    const before = currentById.get(cell.id);
    if (before && (before.code !== cell.code || before.type !== cell.type)) steps.push({ kind: 'update', cellId: cell.id, code: cell.code, type: cell.type });
  }
  for (const cell of next.cells) {
    if (!currentById.has(cell.id)) {
      steps.push({ kind: 'create', cellId: cell.id, code: cell.code, type: cell.type });
      order.push(cell.id);
    }
  }
  next.cells.forEach((cell, index) => {
    if (order[index] === cell.id) return;
    order.splice(order.indexOf(cell.id), 1);
    order.splice(index, 0, cell.id);
    steps.push({ kind: 'move', cellId: cell.id, index });
  });
  const change: { name?: string; lazy?: boolean; packages?: string[] } = {};
  if (next.name !== current.name) change.name = next.name;
  if (next.lazy !== current.lazy) change.lazy = next.lazy;
  // The packages live in the file's PEP 723 block: an edit there (or a `git pull`) reaches the open notebook too.
  const packages = packagesOfSettings(next.settings);
  if (next.settings !== undefined && JSON.stringify(packages) !== JSON.stringify(packagesOfSettings(current.settings))) change.packages = packages;
  if (Object.keys(change).length > 0) steps.push({ kind: 'settings', change });
  return steps;
}
