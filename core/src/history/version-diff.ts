import type { VersionCell } from './history-store';

/** One line of a line diff: kept, added or removed. */
export interface DiffLine {
  op: '=' | '+' | '-';
  text: string;
}

/** What happened to one cell between two versions. */
export interface CellDiff {
  cellId: string;
  type: string;
  change: 'added' | 'removed' | 'changed' | 'unchanged';
  /** Its position moved (by index) between the versions. */
  moved: boolean;
  lines: DiffLine[];
}

/** Line diff by longest common subsequence (cells are small; quadratic is fine up to a few thousand lines). */
export function diffLines(before: string, after: string): DiffLine[] {
  const a = before === '' ? [] : before.split('\n');
  const b = after === '' ? [] : after.split('\n');
  const common: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) common[i]![j] = a[i] === b[j] ? common[i + 1]![j + 1]! + 1 : Math.max(common[i + 1]![j]!, common[i]![j + 1]!);
  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      lines.push({ op: '=', text: a[i]! });
      i++;
      j++;
    } else if (common[i + 1]![j]! >= common[i]![j + 1]!) lines.push({ op: '-', text: a[i++]! });
    else lines.push({ op: '+', text: b[j++]! });
  }
  while (i < a.length) lines.push({ op: '-', text: a[i++]! });
  while (j < b.length) lines.push({ op: '+', text: b[j++]! });
  return lines;
}

/** Cell by cell, in the newer version's order, removed cells after. */
export function diffVersions(before: readonly VersionCell[], after: readonly VersionCell[]): CellDiff[] {
  const old = new Map(before.map((cell, index) => [cell.id, { cell, index }]));
  const result: CellDiff[] = after.map((cell, index) => {
    const previous = old.get(cell.id);
    if (!previous) return { cellId: cell.id, type: cell.type, change: 'added', moved: false, lines: diffLines('', cell.code) };
    const same = previous.cell.code === cell.code && previous.cell.type === cell.type;
    return { cellId: cell.id, type: cell.type, change: same ? 'unchanged' : 'changed', moved: previous.index !== index, lines: diffLines(previous.cell.code, cell.code) };
  });
  const kept = new Set(after.map((cell) => cell.id));
  for (const cell of before) if (!kept.has(cell.id)) result.push({ cellId: cell.id, type: cell.type, change: 'removed', moved: false, lines: diffLines(cell.code, '') });
  return result;
}

/** "3 cells changed, 1 added": what a version changed against the one before it. */
export function summarizeDiff(diff: readonly CellDiff[]): string {
  const count = (change: CellDiff['change']): number => diff.filter((d) => d.change === change).length;
  const parts: string[] = [];
  const plural = (n: number, what: string): string => `${n} cell${n === 1 ? '' : 's'} ${what}`;
  if (count('changed') > 0) parts.push(plural(count('changed'), 'changed'));
  if (count('added') > 0) parts.push(plural(count('added'), 'added'));
  if (count('removed') > 0) parts.push(plural(count('removed'), 'removed'));
  const moved = diff.filter((d) => d.moved && d.change !== 'added').length;
  if (moved > 0) parts.push(plural(moved, 'moved'));
  return parts.length > 0 ? parts.join(', ') : 'no change';
}
