/**
 * Rich output on the native runtime with Debian's real pandas and matplotlib, through core's kernel and the
 * bubblewrap sandbox: the same python/rnb_*.py files Pyodide runs (../runtime/rich-output.test.ts).
 */
import { waitFor } from './testing/native-env';
import { describeNativeKernel } from './testing/native-kernel';

const owner = 'dana';
const TABLE = 'application/vnd.notebook.table+json';
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describeNativeKernel('rich output on the native runtime (real pandas and matplotlib)', owner, (native) => {
  const runAll = async (codes: string[]) => {
    const nb = await native.python(codes);
    for (let index = 0; index < codes.length; index++) await nb.run(index);
    return (await native.kernel.service.getNotebook(owner, nb.notebookId)).cells;
  };

  it('shows a DataFrame as a table: a labelled index as its first column, dtypes in metadata, missing values as null', async () => {
    const [cell] = await runAll([
      [
        'import pandas as pd, numpy as np',
        'df = pd.DataFrame({"n": [1, 2, 3], "x": [0.5, np.nan, np.inf], "when": pd.to_datetime(["2024-01-02", None, "2024-03-04"]).tz_localize("UTC")},',
        '                  index=pd.Index(["a", "b", "c"], name="key"))',
        'df',
      ].join('\n'),
    ]);
    expect(cell!.error).toBeNull();
    expect(cell!.outputs).toHaveLength(1);
    const [output] = cell!.outputs;
    expect(output!.mime_type).toBe(TABLE);
    expect(output!.data).toEqual({
      type: 'table',
      columns: ['key', 'n', 'x', 'when'],
      rows: [
        ['a', 1, 0.5, '2024-01-02T00:00:00+00:00'],
        ['b', 2, null, null],
        ['c', 3, 'Infinity', '2024-03-04T00:00:00+00:00'],
      ],
    });
    expect(output!.metadata).toMatchObject({ column_types: ['object', 'int64', 'float64', 'datetime64[ns, UTC]'], index_columns: 1 });
    expect(String(output!.metadata!['text/plain'])).toContain('key');
  });

  it('bounds a wide, long DataFrame with a MultiIndex before converting it, and says what it left out', async () => {
    const [cell] = await runAll([
      [
        'import pandas as pd, numpy as np',
        'wide = pd.DataFrame(np.zeros((20_000, 300)))',
        'wide.index = pd.MultiIndex.from_arrays([np.arange(20_000) // 2, np.arange(20_000) % 2])',
        'wide',
      ].join('\n'),
    ]);
    const table = cell!.outputs[0]!.data as { columns: string[]; rows: unknown[][]; truncated: string };
    expect(table.columns.slice(0, 3)).toEqual(['level_0', 'level_1', '0']);
    expect(table.columns).toHaveLength(202);
    // Bounded before conversion (10,000 rows, 4 MB of JSON), then a live table's 1,000-row preview: the kernel keeps all rows.
    expect(table.rows.length).toBe(1000);
    expect((cell!.outputs[0]!.metadata as { rnb_table?: { rows: number } }).rnb_table?.rows).toBe(20_000);
    expect(table.truncated).toBe(`Showing the first ${table.rows.length.toLocaleString('en')} of 20,000 rows and the first 200 of 300 columns.`);
  });

  it("summarises each column over all rows (not the preview), and shows a numpy 2-D array as a live table", async () => {
    const [frame, array] = await runAll([
      'import pandas as pd, numpy as np\npd.DataFrame({"n": np.arange(20_000), "city": ["Oslo", "Lima", "Oslo", None] * 5_000})',
      'np.arange(6_000).reshape(2_000, 3)',
    ]);
    expect(frame!.error).toBeNull();
    expect(frame!.outputs[0]!.metadata?.column_stats).toEqual([
      { type: 'int64', nulls: 0, min: 0, max: 19_999 },
      { type: 'object', nulls: 5_000, distinct: 2, top: [['Oslo', 10_000], ['Lima', 5_000]] },
    ]);
    const table = array!.outputs[0]!;
    expect(table.mime_type).toBe(TABLE);
    expect((table.data as { columns: string[] }).columns).toEqual(['0', '1', '2']);
    expect(table.metadata?.rnb_table).toMatchObject({ rows: 2_000 });
    expect((table.metadata?.column_stats as { max: number }[])[2]!.max).toBe(5_999);
  });

  it('clears what the cell showed so far with clear_output(), at once or (wait=True) when the next output comes', async () => {
    const [loop, waiting] = await runAll([
      'from IPython.display import clear_output\nfor i in range(120):\n    clear_output(wait=True)\n    print(f"step {i}")\n    display(i)',
      'print("kept")\ndisplay("kept too")\nclear_output(wait=True)',
    ]);
    expect(loop!.error).toBeNull();
    expect([loop!.stdout, loop!.outputs]).toEqual(['step 119\n', [{ mime_type: 'text/plain', data: '119' }]]);
    // Nothing came after the clear: what it would have replaced stays, as in Jupyter.
    expect([waiting!.stdout, waiting!.outputs.map((o) => o.data)]).toEqual(['kept\n', ["'kept too'"]]);
  });

  it('shows display(df) and plt.show() in order, a figure as the last value, and an open figure at the end as PNGs', async () => {
    const [cell] = await runAll([
      [
        'import pandas as pd, matplotlib.pyplot as plt',
        'display(pd.Series([1, 2], name="s"))',
        'plt.plot([1, 2, 3]); plt.title("first")',
        'plt.show()',
        'fig, ax = plt.subplots()',
        'ax.bar(["a", "b"], [2, 3])',
        'plt.figure(); plt.plot([3, 1])',
        'fig',
      ].join('\n'),
    ]);
    expect(cell!.error).toBeNull();
    expect(cell!.stderr).toBe('');
    expect(cell!.outputs.map((o) => o.mime_type)).toEqual([TABLE, 'image/png', 'image/png', 'image/png']);
    for (const output of cell!.outputs.slice(1)) {
      expect(Buffer.from(String(output.data), 'base64').subarray(0, 8)).toEqual(PNG_SIGNATURE);
    }
  });

  it('closes figures after each cell: a figure from one run never shows in the next, a failed cell leaves none', async () => {
    // Private names (`_plt`): a name defined by two cells would be a conflict.
    const cells = await runAll([
      'import matplotlib.pyplot as _plt\n_plt.plot([1, 2])\nNone',
      'import matplotlib.pyplot as _plt\nprint(len(_plt.get_fignums()))',
      'import matplotlib.pyplot as _plt\n_plt.figure()\nraise RuntimeError("after a figure")',
      'import matplotlib.pyplot as _plt\nprint(len(_plt.get_fignums()))',
      'import matplotlib as _mpl\nprint(_mpl.get_backend())',
    ]);
    expect(cells[0]!.outputs.map((o) => o.mime_type)).toEqual(['image/png']);
    expect(cells[1]!.stdout).toBe('0\n');
    expect(cells[1]!.outputs).toEqual([]);
    expect(cells[2]!.status).toBe('error');
    expect(cells[2]!.outputs).toEqual([]);
    expect(cells[3]!.stdout).toBe('0\n');
    expect(cells[4]!.stdout).toBe('module://rnb_matplotlib_backend\n');
  });

  it('turns a loop of 1,000 figures and a 30,000-pixel-wide figure into bounded output, and draws SVG on request', async () => {
    const [loop, huge, svg] = await runAll([
      'import matplotlib.pyplot as _plt\nfor _i in range(1000):\n    _plt.figure(figsize=(1, 1))',
      'import matplotlib.pyplot as _plt\n_plt.figure(figsize=(300, 300))',
      'from IPython.display import set_matplotlib_formats as _formats\nimport matplotlib.pyplot as _plt\n_formats("svg")\n_plt.plot([1, 2])\n_plt.show()\n_formats("png")',
    ]);
    // 49 figures drawn and a note in the 50th output, all that core keeps of a cell; the other figures closed undrawn.
    expect(loop!.outputs).toHaveLength(50);
    expect(loop!.outputs.slice(0, 49).every((o) => o.mime_type === 'image/png')).toBe(true);
    expect(loop!.outputs[49]).toEqual({ mime_type: 'text/plain', data: '951 more figures not drawn: a cell shows at most 50 outputs.' });
    expect(huge!.outputs).toEqual([{ mime_type: 'text/plain', data: expect.stringMatching(/^Figure of 30,000 × 30,000 pixels not drawn/) as unknown as string }]);
    expect(svg!.outputs.map((o) => o.mime_type)).toEqual(['image/svg+xml']);
    expect(String(svg!.outputs[0]!.data)).toContain('<svg');
  }, 60_000);

  it('sends what display() shows while the cell still runs, after the text printed before it', async () => {
    const nb = await native.python(['print("before")\ndisplay("early")\nwhile True: pass']);
    const run = nb.run(0);
    const events = () => native.kernel.eventsOf(nb.notebookId, 'cell_output');
    await waitFor(() => events().length > 0, 30_000);
    const [cell] = (await native.kernel.service.getNotebook(owner, nb.notebookId)).cells;
    expect(cell!.status).toBe('running');
    expect(cell!.stdout).toBe('before\n');
    expect(cell!.outputs).toEqual([{ mime_type: 'text/plain', data: "'early'" }]);
    await native.kernel.service.interrupt(owner, nb.notebookId);
    await run;
  }, 60_000);
});
