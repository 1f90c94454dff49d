/**
 * The variable explorer and live tables on native CPython with real pandas
 * and numpy, through core's notebook service and sandboxed kernel process:
 * the `variables` event after a run, and `table_page` over all rows of a
 * DataFrame whose output holds only a preview.
 */
import type { JsonValue, NotebookEvent, VariableInfo } from '@rnb/core';
import { describeNativeKernel } from './testing/native-kernel';

const owner = 'vera';

const events: { notebookId: string; event: NotebookEvent }[] = [];

describeNativeKernel('variables and live tables on native Python', owner, (native) => {
  const lastVariables = (notebookId: string): VariableInfo[] => {
    const found = events.filter((e) => e.notebookId === notebookId && e.event.type === 'variables').pop();
    if (!found || found.event.type !== 'variables') throw new Error('no variables event');
    return found.event.variables;
  };

  it('describes a DataFrame, an ndarray, ints and lists with the cells that define and read them', async () => {
    const fixture = await native.python([
      'import pandas as pd, numpy as np\ndf = pd.DataFrame({f"c{j}": range(10_000) for j in range(12)})\narr = np.zeros((3, 4))\nn = 42\nitems = [1, 2, 3]',
      'total = n + len(items)',
    ]);
    await fixture.run(0);
    const variables = new Map(lastVariables(fixture.notebookId).map((v) => [v.name, v]));
    expect(variables.get('df')).toMatchObject({ type: 'DataFrame', summary: 'DataFrame 10,000 × 12', defined_by: fixture.cellIds[0], private: false });
    expect(variables.get('df')!.size).toBeGreaterThanOrEqual(10_000 * 12 * 8);
    expect(variables.get('arr')).toMatchObject({ type: 'ndarray', summary: 'ndarray (3, 4) float64', size: 96 });
    expect(variables.get('n')).toMatchObject({ type: 'int', summary: '42', read_by: [fixture.cellIds[1]] });
    expect(variables.get('items')).toMatchObject({ summary: 'list[3]', language: 'python' });
    expect(variables.get('total')).toMatchObject({ summary: '45', defined_by: fixture.cellIds[1] });
  });

  it('sorts, filters and pages a 50,000-row DataFrame in the kernel while its output holds a preview', async () => {
    const fixture = await native.python([
      'import pandas as pd\nbig = pd.DataFrame({"i": range(50_000), "v": [(i * 7919) % 50_000 for i in range(50_000)]})\nbig',
    ]);
    await fixture.run(0);
    const cell = (await native.kernel.service.getNotebook(owner, fixture.notebookId)).cells[0]!;
    const output = cell.outputs[0]!;
    const table = output.data as { rows: number[][] };
    const meta = (output.metadata as { rnb_table: { id: string; rows: number } }).rnb_table;
    expect(meta.rows).toBe(50_000);
    expect(table.rows.length).toBeLessThan(50_000);
    const previewMax = Math.max(...table.rows.map((r) => r[1]!));
    const ask = (payload: JsonValue) => native.kernel.service.callRuntime(owner, fixture.notebookId, 'python', 'table_page', payload) as Promise<{ status: string; rows: number[][]; total: number }>;
    const sorted = await ask({ table_id: meta.id, offset: 0, limit: 3, sort: { column: 1, descending: true } });
    expect(sorted.rows[0]![1]).toBe(49_999);
    expect(sorted.rows[0]![1]).toBeGreaterThan(previewMax);
    const filtered = await ask({ table_id: meta.id, offset: 0, limit: 10, filter: '4999', sort: { column: 0, descending: false } });
    expect(filtered.rows.every((r) => r.some((v) => String(v).includes('4999')))).toBe(true);
    expect(filtered.total).toBeGreaterThan(10);
    const last = await ask({ table_id: meta.id, offset: 49_999, limit: 10 });
    expect(last).toMatchObject({ status: 'ok', total: 50_000, rows: [[49_999, (49_999 * 7919) % 50_000]] });
    // Deleting the cell releases the table (and its names leave the variables at once).
    await native.kernel.service.deleteCell(owner, fixture.notebookId, fixture.cellIds[0]!);
    expect(lastVariables(fixture.notebookId).some((v) => v.name === 'big')).toBe(false);
    const gone = await native.kernel.service.callRuntime(owner, fixture.notebookId, 'python', 'table_page', { table_id: meta.id, offset: 0, limit: 1 });
    expect(gone).toEqual({ status: 'gone' });
  });

  it("drops a deleted cell's private name (`_x`) from the variables, and keeps another cell's", async () => {
    const fixture = await native.python(['_x = 1\nshown = _x', '_y = 2']);
    await fixture.run(0);
    await fixture.run(1);
    expect(lastVariables(fixture.notebookId).map((v) => v.name)).toEqual(expect.arrayContaining(['_x', 'shown', '_y']));
    await native.kernel.service.deleteCell(owner, fixture.notebookId, fixture.cellIds[0]!);
    // The kernel describes its names again after the deletion: a bounded wait for that event.
    const deadline = Date.now() + 15_000;
    while (lastVariables(fixture.notebookId).some((v) => v.name === '_x') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const names = lastVariables(fixture.notebookId).map((v) => v.name);
    expect(names).not.toContain('_x');
    expect(names).not.toContain('shown');
    expect(names).toContain('_y');
  });
}, (kernel) => kernel.service.subscribe((notebookId, event) => events.push({ notebookId, event })));
