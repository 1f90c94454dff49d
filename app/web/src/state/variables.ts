import type { VariableInfo } from '../api/types';

/** The variable explorer's list as the host last pushed it. */
export interface VariablesState {
  list: readonly VariableInfo[];
  /** The kernel stopped at its bound of names or time. */
  truncated: boolean;
}

export const NO_VARIABLES: VariablesState = { list: [], truncated: false };

export interface VariableFilter {
  query: string;
  showPrivate: boolean;
  /** Cells the page has: a name whose defining cell is gone here is hidden before the host's next list arrives. */
  hasCell(id: string): boolean;
}

/** The rows the explorer shows: by name, private ones only when asked, sorted case-insensitively. */
export function visibleVariables(list: readonly VariableInfo[], filter: VariableFilter): VariableInfo[] {
  const query = filter.query.trim().toLowerCase();
  return list
    .filter((v) => (filter.showPrivate || !v.private) && (query === '' || v.name.toLowerCase().includes(query)) && (v.defined_by === null || filter.hasCell(v.defined_by)))
    .sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }));
}

/** Bytes for people: 512 B, 1.2 KB, 3.4 MB. */
export function sizeLabel(bytes: number | null): string {
  if (bytes === null) return '—';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}
