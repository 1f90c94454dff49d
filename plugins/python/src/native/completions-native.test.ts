/**
 * Completions and hover docs (the `complete` and `inspect` runtime calls) on the native runtime: the same Python code
 * as in Pyodide (python/rnb_completer.py, rnb_inspector.py), answered by real CPython in bubblewrap through core's kernel.
 */
import { describeNativeKernel } from './testing/native-kernel';

const owner = 'pat';

describeNativeKernel('completions and hover docs on the native Python runtime', owner, (native) => {
  it('completes names, module attributes and DataFrame columns from the live CPython namespace', async () => {
    const nb = await native.python(['import math\nimport pandas as pd\nmy_value = 1\ndf = pd.DataFrame({"price": [1.0], "qty": [2]})']);
    await nb.run(0);
    const call = (payload: { code: string; cursor: number }) => native.kernel.service.callRuntime(owner, nb.notebookId, 'python', 'complete', payload);
    const names = (await call({ code: 'x = my_', cursor: 7 })) as { from: number; options: { label: string; type: string; detail?: string }[] };
    expect(names.from).toBe(4);
    expect(names.options).toEqual(expect.arrayContaining([{ label: 'my_value', type: 'variable', detail: 'int' }]));
    expect(await call({ code: 'math.sq', cursor: 7 })).toEqual({ from: 5, options: [{ label: 'sqrt', type: 'function' }], complete: true });
    const columns = (await call({ code: 'df.pr', cursor: 5 })) as { options: { label: string }[] };
    expect(columns.options.map((o) => o.label)).toContain('price');
    await expect(native.kernel.service.callRuntime(owner, nb.notebookId, 'python', 'complete', { code: 1 })).rejects.toThrow('complete takes { code: string, cursor: number }');
  });

  it("answers hover docs with a function's signature and docstring, and null for what the notebook does not hold", async () => {
    const nb = await native.python(['def area(width: float, height: float = 1) -> float:\n    """Width times height."""\n    return width * height']);
    await nb.run(0);
    const inspect = (name: unknown) => native.kernel.service.callRuntime(owner, nb.notebookId, 'python', 'inspect', { name } as never);
    expect(await inspect('area')).toMatchObject({ name: 'area', type: 'function', signature: '(width: float, height: float = 1) -> float', doc: 'Width times height.' });
    expect(await inspect('nothing_here')).toBeNull();
    await expect(inspect(3)).rejects.toThrow('inspect takes { name: string }');
  });
});
