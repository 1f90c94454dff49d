import type { Output, TableColumnStats } from '../../api/types';

type Cell = TableColumnStats['min'];

/** The column summaries a table output carries (`metadata.column_stats`, one per column), or null. */
export function columnStatsOf(output: Output, columns: number): (TableColumnStats | null)[] | null {
  const raw = output.metadata?.column_stats;
  if (!Array.isArray(raw) || raw.length !== columns) return null;
  return raw.map((entry) => (entry && typeof entry === 'object' && !Array.isArray(entry) && typeof entry.type === 'string' ? (entry as unknown as TableColumnStats) : null));
}

const count = (n: number): string => n.toLocaleString('en-US');

function shown(value: Cell): string {
  if (value === null || value === undefined) return 'null';
  const text = typeof value === 'number' ? value.toLocaleString('en-US', { maximumFractionDigits: 6 }) : String(value);
  return text.length > 24 ? `${text.slice(0, 23)}…` : text;
}

/** The summary in words, also the header's tooltip: every figure, none cut. */
export function summaryText(stats: TableColumnStats): string {
  const parts = [stats.type];
  if (stats.partial) parts.push('not summarised (the kernel ran out of time)');
  if (stats.nulls !== undefined) parts.push(`${count(stats.nulls)} null${stats.nulls === 1 ? '' : 's'}`);
  if (stats.min !== undefined || stats.max !== undefined) parts.push(`min ${String(stats.min)}, max ${String(stats.max)}`);
  if (stats.top) parts.push(`top: ${stats.top.map(([value, n]) => `${String(value)} (${count(n)})`).join(', ')}`);
  if (stats.distinct !== undefined) parts.push(`${count(stats.distinct)} distinct`);
  if (stats.sampled_rows !== undefined) parts.push(`from the first ${count(stats.sampled_rows)} rows`);
  return parts.join(' · ');
}

/**
 * Under a column's name in a table header: its type and missing values, then its range or its most frequent values,
 * as marimo's and Deepnote's tables show them. The runtime computed them over all rows of the result.
 */
export function ColumnSummary({ stats }: { stats: TableColumnStats | null | undefined }) {
  if (!stats) return null;
  const range = stats.min !== undefined || stats.max !== undefined ? `${shown(stats.min)} – ${shown(stats.max)}` : null;
  // Every value once (an index, ids, names): their counts say nothing, how many there are does.
  const allDistinct = stats.top !== undefined && stats.top.length > 0 && stats.top.every(([, n]) => n === 1);
  const top = allDistinct
    ? stats.distinct !== undefined ? `${count(stats.distinct)} distinct` : 'all distinct'
    : stats.top && stats.top.length > 0 ? stats.top.map(([value, n]) => `${shown(value)} ${count(n)}`).join(' · ') : null;
  return (
    <span className="table__stats" title={summaryText(stats)} data-column-stats="">
      <span className="table__stats-line">
        <span className="table__stats-type">{stats.type}</span>
        {stats.nulls ? <span className="table__stats-nulls"> · {count(stats.nulls)} null{stats.nulls === 1 ? '' : 's'}</span> : null}
      </span>
      {range !== null && <span className="table__stats-line">{range}</span>}
      {top !== null && <span className="table__stats-line">{top}</span>}
    </span>
  );
}
