import { useId, useMemo, useState } from 'react';
import type { TableData } from '../../api/types';

type CellValue = string | number | boolean | null;
type Sort = { column: number; direction: 'ascending' | 'descending' } | null;

const PAGE_SIZES = [10, 25, 50, 100];

/** Sortable, paginated table, with the host's truncation note when the result was cut. */
export function TableOutput({ table, initialPageSize = 10 }: { table: TableData; initialPageSize?: number }) {
  const [sort, setSort] = useState<Sort>(null);
  const [page, setPage] = useState(0);
  const [pageSize, setPageSize] = useState(initialPageSize);
  const captionId = useId();

  const rows = useMemo(() => {
    if (!sort) return table.rows;
    const sign = sort.direction === 'ascending' ? 1 : -1;
    // Stable sort on a copy: equal values keep the host's order.
    return table.rows
      .map((row, i) => [row, i] as const)
      .sort(([a, ai], [b, bi]) => compareValues(a[sort.column] ?? null, b[sort.column] ?? null, sign) || ai - bi)
      .map(([row]) => row);
  }, [table.rows, sort]);

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
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {visible.map((row, r) => (
              <tr key={start + r}>
                {table.columns.map((_, c) => (
                  <td key={c} className={typeof row[c] === 'number' ? 'table__num' : undefined}>
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
            ? 'No rows'
            : `Rows ${start + 1}–${start + visible.length} of ${rows.length}`}
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
            <span aria-live="polite">Page {current + 1} of {pageCount}</span>
            <button type="button" onClick={() => setPage(current + 1)} disabled={current >= pageCount - 1} aria-label="Next page">›</button>
          </span>
        )}
      </div>
      {table.truncated && <p className="table__truncated" role="note">{table.truncated}</p>}
    </div>
  );
}

function Value({ value }: { value: CellValue }) {
  if (value === null) return <span className="table__null">null</span>;
  return <>{String(value)}</>;
}

/** Nulls last whatever the direction; numbers numerically; the rest as text, numbers in text too. */
export function compareValues(a: CellValue, b: CellValue, sign: 1 | -1): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return (a - b) * sign;
  if (typeof a === 'boolean' && typeof b === 'boolean') return (Number(a) - Number(b)) * sign;
  return String(a).localeCompare(String(b), undefined, { numeric: true }) * sign;
}

/** Narrows an output's data to a table, or null when it is not one. */
export function asTable(data: unknown): TableData | null {
  if (typeof data !== 'object' || data === null) return null;
  const t = data as Partial<TableData>;
  if (!Array.isArray(t.columns) || !Array.isArray(t.rows)) return null;
  return { type: 'table', columns: t.columns.map(String), rows: t.rows as TableData['rows'], truncated: typeof t.truncated === 'string' ? t.truncated : undefined };
}
