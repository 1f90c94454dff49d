import { memo } from 'react';
import { useGraphVersion } from '../state/hooks';
import { isCycleEdge } from '../state/graph';
import type { NotebookController } from '../state/notebook-controller';

const ROW = 34;
const NODE_X = 26;
const LABEL_X = 44;

/**
 * An arc diagram of the notebook: cells top to bottom in notebook order, one arc per dependency
 * from the defining cell to the reading one. Only the arcs of a real cycle (cells that depend on
 * each other, which the host blocks) are red and dashed; an arc going up is a cell reading a name
 * defined below it, which runs fine in dependency order. Clicking a cell jumps to it.
 */
export const DependencyGraph = memo(function DependencyGraph({ controller }: { controller: NotebookController }) {
  useGraphVersion(controller.model);
  const model = controller.model;
  const graph = model.graph();
  const cells = model.cellList();
  const row = new Map(graph.order.map((id, i) => [id, i]));
  const height = Math.max(ROW, cells.length * ROW + 8);
  const maxSpan = Math.max(1, ...graph.edges.map((e) => Math.abs(row.get(e.to)! - row.get(e.from)!)));
  const hasCycle = graph.cycleOf.size > 0;
  return (
    <nav className="graph" aria-label="Dependency graph">
      <p className="graph__legend">
        Arrows go from the cell defining a name to the cells reading it.
        {hasCycle && <> <span className="graph__legend-cycle">Red dashed arrows</span>: a cycle.</>}
      </p>
      {cells.length === 0 ? <p>No cells.</p> : (
        <svg className="graph__svg" width="100%" height={height} viewBox={`0 0 260 ${height}`} role="img" aria-label={`${cells.length} cells, ${graph.edges.length} dependencies`}>
          <defs>
            <marker id="graph-arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
              <path d="M0,0 L8,4 L0,8 z" fill="currentColor" />
            </marker>
          </defs>
          {graph.edges.map((edge) => {
            const a = row.get(edge.from)!;
            const b = row.get(edge.to)!;
            const y1 = a * ROW + ROW / 2;
            const y2 = b * ROW + ROW / 2;
            const upward = b < a;
            // Arcs going up bulge further, so the two arcs between a pair of cells do not overlap.
            const bulge = 8 + (Math.abs(b - a) / maxSpan) * 16 + (upward ? 10 : 0);
            const cycle = isCycleEdge(graph, edge);
            return (
              <path
                key={`${edge.from}-${edge.to}`}
                className={cycle ? 'graph__edge graph__edge--cycle' : 'graph__edge'}
                d={`M${NODE_X - 7},${y1} C${NODE_X - 7 - bulge},${y1} ${NODE_X - 7 - bulge},${y2} ${NODE_X - 7},${y2}`}
                markerEnd="url(#graph-arrow)"
              >
                <title>{`cell ${a + 1} → cell ${b + 1}: ${edge.names.join(', ')}${cycle ? ' (part of a cycle)' : ''}`}</title>
              </path>
            );
          })}
          {cells.map((cell, i) => {
            const y = i * ROW + ROW / 2;
            const label = cell.writes.length > 0 ? cell.writes.join(', ') : firstLine(cell.code);
            return (
              <g key={cell.id} className={`graph__node graph__node--${cell.status}`} onClick={() => controller.focusCell(cell.id)} role="button" tabIndex={0}
                aria-label={`Cell ${i + 1}: ${label}, ${cell.status}`}
                onKeyDown={(e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); controller.focusCell(cell.id); } }}>
                <circle cx={NODE_X} cy={y} r={7} />
                <text x={LABEL_X} y={y + 4}>
                  <tspan className="graph__index">{i + 1}</tspan> {truncate(label, 26)}
                </text>
              </g>
            );
          })}
        </svg>
      )}
    </nav>
  );
});

function firstLine(code: string): string {
  return code.split('\n').find((l) => l.trim() !== '')?.trim() ?? '(empty)';
}

function truncate(text: string, n: number): string {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}
