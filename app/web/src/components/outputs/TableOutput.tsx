import { useDeferredValue, useId, useMemo, useState } from 'react';
import type { TableColumnStats, TableData } from '../../api/types';
import { ColumnSummary } from './column-summary';
import { shownNumber } from './number-format';

type CellValue = string | number | boolean | null;
type Sort = { column: number; direction: 'ascending' | 'descending' } | null;

const PAGE_SIZES = [10, 25, 50, 100];

/**
 * Sortable, filterable, paginated table. Sorting and filtering act on every row the output holds;
 * only one page of rows is in the DOM. When the runtime cut the result (`truncated`), the table
 * says first that it is a preview and that sorting and filtering see only these rows.
 */
export function TableOutput({ table, initialPageSize = 10, stats = null }: { table: TableData; initialPageSize?: number; stats?: (TableColumnStats | null)[] | null }) {
  const [sort, setSort] = useState<Sort>(null);
  const [query, setQuery] = useState('');
  const [page, setPage] = useState(0);
  const [pageSize, setPageSize] = useState(initialPageSize);
  const captionId = useId();
  // Typing in the filter stays responsive on 10,000 rows: the filtering follows a step behind.
  const deferredQuery = useDeferredValue(query.trim().toLowerCase());

  const filtering = deferredQuery !== '';
  // Each row's text is built once per table, not once per keystroke.
  const searchable = useMemo(() => (filtering ? table.rows.map(rowText) : null), [table.rows, filtering]);
  const filtered = useMemo(
    () => (searchable === null ? table.rows : table.rows.filter((_, i) => searchable[i]!.includes(deferredQuery))),
    [table.rows, searchable, deferredQuery],
  );
  const rows = useMemo(() => (sort ? sortRows(filtered, sort) : filtered), [filtered, sort]);

  const pageCount = Math.max(1, Math.ceil(rows.length / pageSize));
  const current = Math.min(page, pageCount - 1);
  const start = current * pageSize;
  const visible = rows.slice(start, start + pageSize);

  const toggleSort = (column: number): void => {
    setSort((s) =>
      s?.column !== column ? { column, direction: 'ascending' }
      : s.direction === 'ascending' ? { column, direction: 'descending' }
      : null,
    );
    setPage(0);
  };

  return (
    <div className="output output--table">
      {table.truncated && <p className="table__truncated" role="note">{previewNote(table.truncated)}</p>}
      {table.rows.length > PAGE_SIZES[0]! && (
        <div className="table__tools">
          <input
            type="search"
            className="table__filter"
            aria-label="Filter rows"
            placeholder={`Filter ${table.rows.length.toLocaleString('en-US')} rows`}
            value={query}
            onChange={(e) => { setQuery(e.target.value); setPage(0); }}
          />
        </div>
      )}
      <div className="table__scroll">
        <table aria-describedby={captionId}>
          <thead>
            <tr>
              {table.columns.map((name, i) => (
                <th key={i} scope="col" aria-sort={sort?.column === i ? sort.direction : 'none'}>
                  <button type="button" className="table__sort" onClick={() => toggleSort(i)} title={`Sort by ${name}`}>
                    {name}
                    <span aria-hidden="true" className="table__sort-icon">
                      {sort?.column === i ? (sort.direction === 'ascending' ? '▲' : '▼') : '↕'}
                    </span>
                  </button>
                  <ColumnSummary stats={stats?.[i]} />
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {visible.map((row, r) => (
              <tr key={start + r}>
                {table.columns.map((_, c) => (
                  <td key={c} className={typeof row[c] === 'number' || isNonFinite(row[c]) ? 'table__num' : undefined}>
                    <Value value={row[c] ?? null} />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="table__footer" id={captionId}>
        <span className="table__count">
          {rows.length === 0
            ? (table.rows.length === 0 ? 'No rows' : 'No rows match the filter')
            : `Rows ${formatCount(start + 1)}–${formatCount(start + visible.length)} of ${formatCount(rows.length)}`}
          {rows.length !== table.rows.length ? ` (filtered from ${formatCount(table.rows.length)})` : ''}
          {table.columns.length > 0 ? ` · ${table.columns.length} column${table.columns.length === 1 ? '' : 's'}` : ''}
        </span>
        {rows.length > PAGE_SIZES[0]! && (
          <span className="table__pager">
            <label>
              Rows per page{' '}
              <select value={pageSize} onChange={(e) => { setPageSize(Number(e.target.value)); setPage(0); }}>
                {PAGE_SIZES.map((n) => <option key={n} value={n}>{n}</option>)}
              </select>
            </label>
            <button type="button" onClick={() => setPage(current - 1)} disabled={current === 0} aria-label="Previous page">‹</button>
            <span aria-live="polite">Page {formatCount(current + 1)} of {formatCount(pageCount)}</span>
            <button type="button" onClick={() => setPage(current + 1)} disabled={current >= pageCount - 1} aria-label="Next page">›</button>
          </span>
        )}
      </div>
    </div>
  );
}

/** The runtime's note as a plain statement that this is a preview, and what that means for sort and filter. */
export function previewNote(truncated: string): string {
  const sentence = truncated.trim().replace(/[.;:,]+$/, '');
  return `Preview: ${sentence.charAt(0).toLowerCase()}${sentence.slice(1)} — sorting and filtering apply to these rows only.`;
}

function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** The lower-cased text of a row, for the filter: every column, cells kept apart. */
function rowText(row: readonly CellValue[]): string {
  return row.map((v) => (v === null ? '' : String(v))).join('\u0000').toLowerCase();
}

/** Stable sort on a copy: equal values keep the host's order. */
function sortRows(rows: TableData['rows'], sort: NonNullable<Sort>): TableData['rows'] {
  const sign = sort.direction === 'ascending' ? 1 : -1;
  return rows
    .map((row, i) => [row, i] as const)
    .sort(([a, ai], [b, bi]) => compareValues(a[sort.column] ?? null, b[sort.column] ?? null, sign) || ai - bi)
    .map(([row]) => row);
}

/**
 * The runtimes carry numbers JSON cannot hold as these exact strings (docs/protocol.md, Tables): shown
 * apart from text and from null, and sorted as numbers.
 */
const NON_FINITE: Readonly<Record<string, number>> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY };

function isNonFinite(value: CellValue | undefined): value is string {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(NON_FINITE, value);
}

function Value({ value }: { value: CellValue }) {
  if (value === null) return <span className="table__null">null</span>;
  if (isNonFinite(value)) return <span className="table__nonfinite" title={value === 'NaN' ? 'not a number' : 'an infinite number'}>{value}</span>;
  if (typeof value === 'number') {
    const { text, title } = shownNumber(value);
    return <span title={title}>{text}</span>;
  }
  return <>{String(value)}</>;
}

/** A number, or one of the non-finite strings as its number; null for anything else. */
function asNumber(value: CellValue): number | null {
  if (typeof value === 'number') return value;
  return isNonFinite(value) ? NON_FINITE[value]! : null;
}

// One collator for every comparison: localeCompare with options builds one per call, slow on 10,000 rows.
const TEXT_ORDER = new Intl.Collator(undefined, { numeric: true });

/** Nulls last whatever the direction; numbers numerically; the rest as text, numbers in text too. */
export function compareValues(a: CellValue, b: CellValue, sign: 1 | -1): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  const [x, y] = [asNumber(a), asNumber(b)];
  if (x !== null && y !== null) {
    // NaN after every number, whatever the direction (as nulls are).
    if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) === Number.isNaN(y) ? 0 : Number.isNaN(x) ? 1 : -1;
    return x === y ? 0 : (x < y ? -1 : 1) * sign;
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return (Number(a) - Number(b)) * sign;
  return TEXT_ORDER.compare(String(a), String(b)) * sign;
}

/** Narrows an output's data to a table, or null when it is not one. */
export function asTable(data: unknown): TableData | null {
  if (typeof data !== 'object' || data === null) return null;
  const t = data as Partial<TableData>;
  if (!Array.isArray(t.columns) || !Array.isArray(t.rows)) return null;
  return { type: 'table', columns: t.columns.map(String), rows: t.rows as TableData['rows'], truncated: typeof t.truncated === 'string' ? t.truncated : undefined };
}
