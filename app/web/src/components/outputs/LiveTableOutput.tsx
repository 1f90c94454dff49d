import { useContext, useEffect, useReducer, useRef, useState } from 'react';
import type { TableColumnStats, TableData } from '../../api/types';
import { RuntimeCallRefused } from '../../api/socket';
import { ColumnSummary } from './column-summary';
import { shownNumber } from './number-format';
import { fetchPage, RuntimeCallContext, type LiveSort, type LiveTableRef, type Row } from './live-table';
import { TableOutput } from './TableOutput';

const ROW_HEIGHT = 28;
const VISIBLE_ROWS = 14;
/** Rows fetched per request: a screen and a half, so a scroll rarely waits. */
const BLOCK = 100;
const OVERSCAN = 6;
/** Failed requests (a busy or starting kernel) asked again, a second apart, per sort and filter. */
const MAX_RETRIES = 10;
/**
 * A first sort or filter of a huge table can outlast one runtime call's time limit (2 s): the kernel goes on with it
 * and keeps the result, so the page asks again at once, saying it is still sorting, for this long before it gives up.
 */
const MAX_WORK_MS = 180_000;

interface View {
  key: string;
  /** Rows that pass the filter; null until the kernel said. */
  total: number | null;
  blocks: Map<number, Row[]>;
  pending: Set<number>;
  failures: number;
  /** When the kernel was first asked for this sort and filter (Date.now()). */
  since: number;
  /** A request outlasted its time limit while the kernel worked on it: the page says it is still sorting. */
  working: boolean;
}

/** The kernel did not answer within the call's time limit: it is still computing (a first sort of many rows). */
function stillWorking(error: unknown): boolean {
  return error instanceof RuntimeCallRefused ? error.code === 'RNB_ERR_RUNTIME_TIMEOUT' : error instanceof Error && /timed out/i.test(error.message);
}

/**
 * A table output whose full result the kernel keeps (a big DataFrame or list of records): sort,
 * filter and scroll act on ALL its rows through the runtime call `table_page`, only the rows in
 * view are fetched and drawn (virtualised, so 10,000 or 1,000,000 rows scroll alike). Before any
 * sort or filter the stored preview serves the rows it has. When the kernel no longer has the
 * table (a restart), the stored preview is shown as a plain table, with a note saying so.
 */
export function LiveTableOutput({ table, live, stats = null }: { table: TableData; live: LiveTableRef; stats?: (TableColumnStats | null)[] | null }) {
  const call = useContext(RuntimeCallContext);
  const [sort, setSort] = useState<LiveSort>(null);
  const [query, setQuery] = useState('');
  const filter = useDebounced(query.trim(), 200);
  const [gone, setGone] = useState(call === null);
  const [problem, setProblem] = useState<string | null>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  const key = JSON.stringify([sort, filter]);
  const plain = sort === null && filter === '';
  const view = useRef<View>({ key, total: live.rows, blocks: new Map(), pending: new Set(), failures: 0, since: Date.now(), working: false });
  const scroller = useRef<HTMLDivElement>(null);
  if (view.current.key !== key) view.current = { key, total: plain ? live.rows : null, blocks: new Map(), pending: new Set(), failures: 0, since: Date.now(), working: false };
  const current = view.current;
  const waiting = current.total === null || current.working;
  // While the kernel works, the seconds it has taken count up in the footer.
  useEffect(() => {
    if (!waiting) return;
    const timer = window.setInterval(redraw, 1000);
    return () => window.clearInterval(timer);
  }, [waiting]);

  const total = current.total ?? 0;
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(Math.max(total, current.total === null ? BLOCK : 0), first + VISIBLE_ROWS + 2 * OVERSCAN);
  const rowAt = (index: number): Row | undefined => (plain && index < table.rows.length ? table.rows[index] : current.blocks.get(Math.floor(index / BLOCK))?.[index % BLOCK]);

  useEffect(() => {
    if (gone || !call) return;
    const wanted = new Set<number>();
    for (let i = first; i < last; i += 1) if (rowAt(i) === undefined) wanted.add(Math.floor(i / BLOCK));
    for (const block of wanted) {
      if (current.pending.has(block)) continue;
      current.pending.add(block);
      fetchPage(call, live, { offset: block * BLOCK, limit: BLOCK, sort, filter }).then(
        (answer) => {
          if (view.current !== current) return;
          current.pending.delete(block);
          if (answer.status === 'gone') return setGone(true);
          current.blocks.set(block, answer.rows);
          current.total = answer.total;
          if (current.pending.size === 0) current.working = false;
          setProblem(null);
          redraw();
        },
        (error: unknown) => {
          if (view.current !== current) return;
          if (stillWorking(error) && Date.now() - current.since < MAX_WORK_MS) {
            // Not a failure: the kernel goes on and keeps what it makes; the next request finds it or waits again.
            current.working = true;
            current.pending.delete(block);
            redraw();
            return;
          }
          setProblem((error as Error)?.message ?? String(error));
          // A busy or starting kernel: ask again a little later (the block stays pending until then).
          current.failures += 1;
          if (current.failures <= MAX_RETRIES) {
            window.setTimeout(() => {
              current.pending.delete(block);
              redraw();
            }, 1000);
          } else current.pending.delete(block);
        },
      );
    }
  });

  if (gone) {
    return (
      <div className="live-table live-table--gone">
        <p className="table__truncated" role="note">
          The kernel no longer holds this table (it restarted or the cell ran again): this is the stored preview, and sorting and filtering apply to its rows only. Run the cell to work on all {live.rows.toLocaleString('en-US')} rows again.
        </p>
        <TableOutput table={{ ...table, truncated: undefined }} stats={stats} />
      </div>
    );
  }

  const toggleSort = (column: number): void => {
    setSort((s) => (s?.column !== column ? { column, descending: false } : !s.descending ? { column, descending: true } : null));
    scroller.current?.scrollTo({ top: 0 });
    setScrollTop(0);
  };
  const visible: { index: number; row: Row | undefined }[] = [];
  for (let i = first; i < Math.min(last, total); i += 1) visible.push({ index: i, row: rowAt(i) });
  const bodyHeight = Math.max(1, Math.min(total, VISIBLE_ROWS)) * ROW_HEIGHT;
  // The header and the body are two tables (the body moves as it scrolls): fixed layout and one colgroup keep them aligned.
  const minWidth = 56 + table.columns.length * 110;
  const columns = (
    <colgroup>
      <col style={{ width: 56 }} />
      {table.columns.map((_, i) => <col key={i} />)}
    </colgroup>
  );

  return (
    <div className="output output--table live-table" data-live-table={live.id}>
      <div className="table__tools">
        <input
          type="search"
          className="table__filter"
          aria-label="Filter rows"
          placeholder={`Filter ${live.rows.toLocaleString('en-US')} rows`}
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            scroller.current?.scrollTo({ top: 0 });
            setScrollTop(0);
          }}
        />
      </div>
      <div className="live-table__frame">
        <div style={{ minWidth: minWidth }}>
          <table className="live-table__head">
            {columns}
            <thead>
              <tr>
                <th scope="col" className="live-table__index">#</th>
                {table.columns.map((name, i) => (
                  <th key={i} scope="col" aria-sort={sort?.column === i ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
                    <button type="button" className="table__sort" onClick={() => toggleSort(i)} title={`Sort all rows by ${name}`}>
                      {name}
                      <span aria-hidden="true" className="table__sort-icon">{sort?.column === i ? (sort.descending ? '▼' : '▲') : '↕'}</span>
                    </button>
                    <ColumnSummary stats={stats?.[i]} />
                  </th>
                ))}
              </tr>
            </thead>
          </table>
          <div className="live-table__scroll" ref={scroller} style={{ maxHeight: bodyHeight }} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}>
            {/* Only the rows in view are in the page, placed where they belong in the full height. */}
            <div className="live-table__space" style={{ height: Math.max(total, 1) * ROW_HEIGHT }}>
              <table className="live-table__body" style={{ top: first * ROW_HEIGHT }}>
                {columns}
                <tbody>
                  {visible.map(({ index, row }) => (
                    <tr key={index} data-row={index}>
                      <th scope="row" className="live-table__index">{index + 1}</th>
                      {table.columns.map((_, c) => <LiveCell key={c} row={row} column={c} />)}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        </div>
      </div>
      <div className="table__footer">
        <span className="table__count" aria-live="polite">
          {current.total === null
            ? plain ? 'Asking the kernel…' : ''
            : `${total.toLocaleString('en-US')} ${filter ? `of ${live.rows.toLocaleString('en-US')} rows match` : 'rows'} · sorted and filtered in the kernel over all rows`}
        </span>
        {waiting && !plain && <span className="live-table__working" role="status">{workingText(sort !== null, live.rows, Date.now() - current.since)}</span>}
        {problem && <span className="live-table__problem" role="alert">{problem}</span>}
      </div>
    </div>
  );
}

/** "Sorting all 1,000,000 rows in the kernel… 4 s": what the kernel is doing, and for how long once it is noticeable. */
function workingText(sorting: boolean, rows: number, elapsedMs: number): string {
  const seconds = Math.floor(elapsedMs / 1000);
  return `${sorting ? 'Sorting' : 'Filtering'} all ${rows.toLocaleString('en-US')} rows in the kernel…${seconds >= 1 ? ` ${seconds} s` : ''}`;
}

function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** One cell of a fetched row (numbers as tables show them, ./number-format), or a placeholder while its block loads. */
function LiveCell({ row, column }: { row: Row | undefined; column: number }) {
  if (row === undefined) return <td><span className="live-table__loading">…</span></td>;
  const value = row[column];
  if (typeof value === 'number') {
    const { text, title } = shownNumber(value);
    return <td className="table__num" title={title}>{text}</td>;
  }
  return <td>{value === null || value === undefined ? <span className="table__null">null</span> : String(value)}</td>;
}
