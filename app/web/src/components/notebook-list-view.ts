import type { NotebookSummary } from '../api/types';

export type NotebookSort = 'changed' | 'name' | 'ran';

export const SORT_LABELS: Record<NotebookSort, string> = { changed: 'Last changed', name: 'Name', ran: 'Last run' };

/**
 * The list as shown: notebooks whose name contains every word typed (any case, any order),
 * newest change first, by name, or most recently run first (never-run ones last, newest change
 * first among them).
 */
export function visibleNotebooks(notebooks: readonly NotebookSummary[], query: string, sort: NotebookSort): NotebookSummary[] {
  const words = query.toLocaleLowerCase().split(/\s+/).filter(Boolean);
  const shown = notebooks.filter((n) => words.every((w) => n.name.toLocaleLowerCase().includes(w)));
  const byChange = (a: NotebookSummary, b: NotebookSummary): number => b.updated_at.localeCompare(a.updated_at);
  const compare = {
    changed: byChange,
    name: (a: NotebookSummary, b: NotebookSummary) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base', numeric: true }) || byChange(a, b),
    ran: (a: NotebookSummary, b: NotebookSummary) => (b.last_run_at ?? '').localeCompare(a.last_run_at ?? '') || byChange(a, b),
  }[sort];
  return shown.sort(compare);
}

/** 1.2 KB, 3.4 MB: what a notebook takes in storage. */
export function sizeText(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** "3 min ago", "2 d ago", or a date for older ones. */
export function whenText(iso: string, now = Date.now()): string {
  const ms = now - Date.parse(iso);
  if (!Number.isFinite(ms)) return '';
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  return days < 30 ? `${days} d ago` : new Date(iso).toLocaleDateString();
}
