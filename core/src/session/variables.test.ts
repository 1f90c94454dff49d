import { DependencyGraph } from '../graph/dependency-graph';
import type { KernelVariable } from '../kernel/protocol';
import type { NotebookEvent } from './events';
import { VariableList } from './variables';

function variable(name: string): KernelVariable {
  return { name, language: 'python', type: 'int', summary: '1', size: 28 };
}

describe('the variable list', () => {
  it('keeps a deleted name out when a description made before the deletion arrives after it', () => {
    const order = ['a', 'b', 'c'];
    const graph = new DependencyGraph((id) => order.indexOf(id));
    graph.setCell('a', { defines: ['base'], references: [] });
    graph.setCell('b', { defines: ['total'], references: ['base'] });
    let cells = ['a', 'b'];
    const events: NotebookEvent[] = [];
    const list = new VariableList({ graph, cellIds: () => cells }, (event) => events.push(event));
    list.described([variable('base'), variable('total')], false);
    // Cell b is deleted: its name goes at once; then the kernel's older list (made before the deletion) arrives.
    graph.removeCell('b');
    cells = ['a'];
    list.removed(['total']);
    list.described([variable('base'), variable('total')], false);
    expect(list.current().map((v) => v.name)).toEqual(['base']);
    // The kernel's list after the deletion lacks it; a cell that defines it again brings it back.
    list.described([variable('base')], false);
    graph.setCell('c', { defines: ['total'], references: [] });
    cells = ['a', 'c'];
    list.described([variable('base'), variable('total')], false);
    expect(list.current().map((v) => v.name)).toEqual(['base', 'total']);
    expect(events.length).toBeGreaterThan(0);
  });

  it('shows a deleted name again when a cell that still exists defines it', () => {
    const graph = new DependencyGraph((id) => ['a', 'b'].indexOf(id));
    graph.setCell('a', { defines: ['x'], references: [] });
    graph.setCell('b', { defines: ['x'], references: [] });
    const list = new VariableList({ graph, cellIds: () => ['a'] }, () => undefined);
    list.removed(['x']);
    list.described([variable('x')], false);
    expect(list.current().map((v) => v.name)).toEqual(['x']);
  });

  it('reads the notebook\'s cells once per description, however many deleted names it lists', () => {
    const names = Array.from({ length: 50 }, (_, i) => `v${i}`);
    const cellIds = names.map((_, i) => `c${i}`);
    const graph = new DependencyGraph((id) => cellIds.indexOf(id));
    names.forEach((name, i) => graph.setCell(cellIds[i]!, { defines: [name], references: [] }));
    let reads = 0;
    const list = new VariableList({ graph, cellIds: () => (reads++, cellIds) }, () => undefined);
    // Every name deleted, then each defined again by a cell that still exists: all are checked, none is stale.
    list.removed(names);
    reads = 0;
    list.described(names.map(variable), false);
    expect(list.current()).toHaveLength(50);
    // One read to check the deleted names, one to join the list sent with the graph, one for `current()` above.
    expect(reads).toBe(3);
  });
});
