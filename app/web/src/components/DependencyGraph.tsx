import { memo, useDeferredValue, useEffect, useLayoutEffect, useMemo, useRef, useState, type PointerEvent as ReactPointerEvent, type ReactElement } from 'react';
import { useGraphVersion } from '../state/hooks';
import { isCycleEdge } from '../state/graph';
import { arcInRows, arcPath, arcsOf, edgeInLineage, lineageOf, visibleRange, type Arc, type ArcGeometry, type Lineage } from '../state/graph-view';
import type { NotebookController } from '../state/notebook-controller';

const ROW = 34;
const NODE_X = 40;
const LABEL_X = 58;
const ZOOMS = [0.25, 0.5, 0.75, 1, 1.5, 2];
/**
 * Up to this many arcs in view, each is an element of its own with its tooltip. Past it (the middle of a long
 * notebook, where hundreds of long arcs cross the view), the plain ones are drawn as one path: a few elements instead
 * of hundreds, which is what keeps drawing and panning a 1,000-cell graph within a frame or two. Arcs of a cycle and
 * of the selected cell's lineage stay elements of their own at any count.
 */
const DETAILED_ARCS = 150;

/**
 * An arc diagram of the notebook: cells top to bottom in notebook order, one arc per dependency
 * from the defining cell to the reading one. Only the arcs of a real cycle (cells that depend on
 * each other, which the host blocks) are red and dashed; an arc going up is a cell reading a name
 * defined below it, which runs fine in dependency order. The selected cell (the one being edited,
 * or clicked here) shows its ancestors and descendants highlighted; "Only related" collapses the
 * rest. Only the rows in view (and the arcs crossing them) are drawn, so a 1,000-cell notebook
 * draws as fast as a 30-cell one; it pans by dragging or scrolling and zooms with the buttons or
 * Ctrl+wheel (keeping the middle row in place). Clicking a cell jumps to it.
 */
export const DependencyGraph = memo(function DependencyGraph({ controller }: { controller: NotebookController }) {
  // Drawn behind the cells: a cascade changes the graph (statuses) at every frame, and the cells' results come first
  // (a deferred value: the graph redraws when the browser has time, and an older drawing is dropped for a newer one).
  const version = useDeferredValue(useGraphVersion(controller.model));
  return <GraphView controller={controller} version={version} />;
});

/** `version`: the model's graph version it draws (the props change only when it does). */
const GraphView = memo(function GraphView({ controller, version }: { controller: NotebookController; version: number }) {
  const model = controller.model;
  const graph = model.graph();
  // A new list only when the graph's version moves: scrolling and zooming reuse everything computed from it.
  const allCells = useMemo(() => model.cellList(), [model, version]);
  const [selected, setSelected] = useState<string | null>(null);
  const [onlyRelated, setOnlyRelated] = useState(false);
  const [zoomIndex, setZoomIndex] = useState(ZOOMS.indexOf(1));
  const [scroll, setScroll] = useState({ top: 0, height: 600 });
  const viewport = useRef<HTMLDivElement>(null);
  const drag = useRef<{ y: number; x: number; top: number; left: number; moved: boolean } | null>(null);
  const scrollFrame = useRef(0);
  const zoom = ZOOMS[zoomIndex]!;
  const rowHeight = ROW * zoom;

  // The selected cell follows the cursor: whichever cell holds the focus.
  useEffect(() => {
    const onFocus = (event: FocusEvent): void => {
      const id = (event.target as HTMLElement | null)?.closest?.('[data-cell-id]')?.getAttribute('data-cell-id');
      if (id) setSelected(id);
    };
    document.addEventListener('focusin', onFocus);
    return () => document.removeEventListener('focusin', onFocus);
  }, []);

  useEffect(() => {
    const element = viewport.current;
    if (!element) return;
    const measure = (): void => setScroll({ top: element.scrollTop, height: element.clientHeight });
    measure();
    const observer = typeof ResizeObserver === 'function' ? new ResizeObserver(measure) : null;
    observer?.observe(element);
    // Ctrl+wheel zooms (a passive React wheel listener could not prevent the browser's own zoom).
    const onWheel = (event: WheelEvent): void => {
      if (!event.ctrlKey) return;
      event.preventDefault();
      setZoomIndex((z) => Math.max(0, Math.min(ZOOMS.length - 1, z + (event.deltaY < 0 ? 1 : -1))));
    };
    element.addEventListener('wheel', onWheel, { passive: false });
    return () => {
      observer?.disconnect();
      element.removeEventListener('wheel', onWheel);
      cancelAnimationFrame(scrollFrame.current);
    };
  }, []);

  // A zoom keeps the row in the middle of the view where it was.
  const previousZoom = useRef(zoom);
  useLayoutEffect(() => {
    const element = viewport.current;
    const before = previousZoom.current;
    previousZoom.current = zoom;
    if (!element || before === zoom) return;
    const middle = element.scrollTop + element.clientHeight / 2;
    element.scrollTop = Math.max(0, (middle * zoom) / before - element.clientHeight / 2);
  }, [zoom]);

  const live = selected !== null && model.has(selected) ? selected : null;
  const lineage: Lineage | null = useMemo(() => (live ? lineageOf(live, graph) : null), [live, graph]);
  const cells = useMemo(
    () => (onlyRelated && lineage ? allCells.filter((c) => c.id === live || lineage.ancestors.has(c.id) || lineage.descendants.has(c.id)) : allCells),
    [onlyRelated, allCells, lineage, live],
  );
  const row = useMemo(() => new Map(cells.map((c, i) => [c.id, i])), [cells]);
  const position = useMemo(() => new Map(graph.order.map((id, i) => [id, i + 1])), [graph]);
  // Where every arc goes depends on the cells shown only: computed once for them, not at every scroll or zoom.
  const { arcs, maxSpan } = useMemo(() => arcsOf(graph.edges, row, (edge) => isCycleEdge(graph, edge)), [graph, row]);
  // Rows from the scroll position: aligned to blocks, so panning re-renders at block boundaries only.
  const [first, last] = visibleRange(cells.length, rowHeight, scroll.top, scroll.height);
  const hasCycle = graph.cycleOf.size > 0;
  const height = Math.max(rowHeight, cells.length * rowHeight + 8);
  const width = 260 * Math.max(1, zoom);
  const geometry: ArcGeometry = { rowHeight, zoom, maxSpan, x: NODE_X - 7 };

  const select = (id: string): void => {
    setSelected(id);
    controller.revealCell(id);
  };
  const onScroll = (): void => {
    // One update per frame, however many scroll events the frame had.
    if (scrollFrame.current) return;
    scrollFrame.current = requestAnimationFrame(() => {
      scrollFrame.current = 0;
      const element = viewport.current;
      if (element) setScroll((s) => (s.top === element.scrollTop && s.height === element.clientHeight ? s : { top: element.scrollTop, height: element.clientHeight }));
    });
  };
  const onPointerDown = (event: ReactPointerEvent<HTMLDivElement>): void => {
    const element = viewport.current;
    if (!element || event.button !== 0) return;
    drag.current = { y: event.clientY, x: event.clientX, top: element.scrollTop, left: element.scrollLeft, moved: false };
  };
  const onPointerMove = (event: ReactPointerEvent<HTMLDivElement>): void => {
    const element = viewport.current;
    const start = drag.current;
    if (!element || !start || (event.buttons & 1) === 0) return;
    if (Math.abs(event.clientY - start.y) + Math.abs(event.clientX - start.x) > 4) start.moved = true;
    element.scrollTop = start.top - (event.clientY - start.y);
    element.scrollLeft = start.left - (event.clientX - start.x);
  };
  const onPointerUp = (): void => {
    // Cleared after the click that may follow, so a drag that ends on a node does not select it. Only
    // this drag: on a busy page the next drag's pointerdown can come before this timer runs.
    const ended = drag.current;
    window.setTimeout(() => {
      if (drag.current === ended) drag.current = null;
    }, 0);
  };

  const shown = arcs.filter((arc) => arcInRows(arc, first, last));
  const detailed = shown.length <= DETAILED_ARCS;
  const singles: ReactElement[] = [];
  const bundled: string[] = [];
  for (const arc of shown) {
    const lit = lineage !== null && edgeInLineage(arc.edge, live!, lineage);
    if (!detailed && !lit && !arc.cycle) {
      bundled.push(arcPath(arc, geometry, true));
      continue;
    }
    const side = lit ? (lineage!.descendants.has(arc.edge.to) ? ' graph__edge--down' : ' graph__edge--up') : lineage ? ' graph__edge--dim' : '';
    singles.push(<ArcElement key={`${arc.edge.from}-${arc.edge.to}`} arc={arc} d={arcPath(arc, geometry)} className={`graph__edge${arc.cycle ? ' graph__edge--cycle' : ''}${side}`} position={position} />);
  }

  return (
    <nav className="graph" aria-label="Dependency graph">
      <p className="graph__legend">
        Arrows go from the cell defining a name to the cells reading it.
        {hasCycle && <> <span className="graph__legend-cycle">Red dashed arrows</span>: a cycle.</>}
        {lineage && <> <span className="graph__legend-up">Ancestors</span> and <span className="graph__legend-down">descendants</span> of cell {position.get(live!)}.</>}
      </p>
      <div className="graph__tools">
        <button type="button" className="btn btn--small" onClick={() => setZoomIndex((z) => Math.max(0, z - 1))} disabled={zoomIndex === 0} aria-label="Zoom out">−</button>
        <span className="graph__zoom">{Math.round(zoom * 100)}%</span>
        <button type="button" className="btn btn--small" onClick={() => setZoomIndex((z) => Math.min(ZOOMS.length - 1, z + 1))} disabled={zoomIndex === ZOOMS.length - 1} aria-label="Zoom in">+</button>
        <label className="graph__only">
          <input type="checkbox" checked={onlyRelated} disabled={!lineage} onChange={(e) => setOnlyRelated(e.target.checked)} /> Only related
        </label>
      </div>
      {cells.length === 0 ? <p>No cells.</p> : (
        <div
          className="graph__viewport"
          ref={viewport}
          onScroll={onScroll}
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
        >
          <svg className="graph__svg" width={width} height={height} role="img" aria-label={`${allCells.length} cells, ${graph.edges.length} dependencies`} data-rows={`${first}-${last}`}>
            <defs>
              <marker id="graph-arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
                <path d="M0,0 L8,4 L0,8 z" fill="currentColor" />
              </marker>
            </defs>
            {bundled.length > 0 && <path className={`graph__bundle${lineage ? ' graph__bundle--dim' : ''}`} d={bundled.join(' ')} data-arcs={bundled.length} />}
            {singles}
            {cells.slice(first, last).map((cell, offset) => {
              const i = first + offset;
              const y = i * rowHeight + rowHeight / 2;
              const label = cell.writes.length > 0 ? cell.writes.join(', ') : firstLine(cell.code);
              const role = cell.id === live ? 'selected' : lineage?.ancestors.has(cell.id) ? 'ancestor' : lineage?.descendants.has(cell.id) ? 'descendant' : lineage ? 'unrelated' : 'none';
              const relation = role === 'none' || role === 'unrelated' ? '' : `, ${role}`;
              return (
                <g key={cell.id} className={`graph__node graph__node--${cell.status} graph__node--${role}`} data-graph-cell={cell.id} data-relation={role}
                  onClick={() => { if (!drag.current?.moved) select(cell.id); }} role="button" tabIndex={0}
                  aria-label={`Cell ${position.get(cell.id)}: ${label}, ${cell.status}${relation}`}
                  onKeyDown={(e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); select(cell.id); } }}>
                  <circle cx={NODE_X} cy={y} r={Math.max(3, 7 * Math.min(1, zoom))} />
                  {/* Level of detail: below half size the labels would not be readable, and are not drawn. */}
                  {zoom >= 0.5 && (
                    <text x={LABEL_X} y={y + 4}>
                      <tspan className="graph__index">{position.get(cell.id)}</tspan> {truncate(label, 26)}
                    </text>
                  )}
                </g>
              );
            })}
          </svg>
        </div>
      )}
    </nav>
  );
});

/** One arc as an element of its own, with its tooltip; `data-edge` names it by the cells' positions ("2→1"). */
function ArcElement({ arc, d, className, position }: { arc: Arc; d: string; className: string; position: ReadonlyMap<string, number> }) {
  const from = position.get(arc.edge.from);
  const to = position.get(arc.edge.to);
  return (
    <path className={className} d={d} markerEnd="url(#graph-arrow)" data-edge={`${from}→${to}`}>
      <title>{`cell ${from} → cell ${to}: ${arc.edge.names.join(', ')}${arc.cycle ? ' (part of a cycle)' : ''}`}</title>
    </path>
  );
}

function firstLine(code: string): string {
  return code.split('\n').find((l) => l.trim() !== '')?.trim() ?? '(empty)';
}

function truncate(text: string, n: number): string {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}
