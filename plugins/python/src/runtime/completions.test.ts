/**
 * Completions from the live namespace (the `complete` runtime call), with
 * real Pyodide in a worker thread as core's kernel worker runs it.
 */
import type { JsonValue } from '@rnb/core';
import { FakeKernel, PYODIDE_START_TIMEOUT_MS } from './testing/fake-kernel';

let kernel: FakeKernel;
beforeAll(async () => {
  kernel = await FakeKernel.start();
}, PYODIDE_START_TIMEOUT_MS);
afterAll(async () => {
  await kernel?.close();
});

interface Completion {
  from: number;
  options: { label: string; type: string; detail?: string }[];
  complete: boolean;
}

async function complete(code: string, cursor = code.length): Promise<Completion> {
  return (await kernel.call('complete', { code, cursor })) as unknown as Completion;
}
const labels = (c: Completion): string[] => c.options.map((o) => o.label);

describe('complete', () => {
  it('offers names the notebook defined, with their kind and type, and keywords and builtins', async () => {
    expect((await kernel.run({ code: 'my_value = 1\ndef my_function(): pass', defines: ['my_value', 'my_function'] })).error).toBeNull();
    const names = await complete('x = my_');
    expect(names.from).toBe(4);
    expect(names.options).toEqual(expect.arrayContaining([
      { label: 'my_value', type: 'variable', detail: 'int' },
      { label: 'my_function', type: 'function', detail: 'function' },
    ]));
    expect(labels(await complete('whi'))).toEqual(expect.arrayContaining(['while']));
    expect(labels(await complete('pri'))).toEqual(['print']);
  });

  it("offers a module's attributes and an object's attributes, columns of a table included", async () => {
    expect((await kernel.run({ code: 'import math', defines: ['math'] })).error).toBeNull();
    const math = await complete('math.sq');
    expect(math).toEqual({ from: 5, options: [{ label: 'sqrt', type: 'function' }], complete: true });
    expect((await kernel.run({
      code: 'class Frame:\n    def __init__(self): self.price = 1\n    def mean(self): pass\n    def __dir__(self): return ["price", "mean", "quantity"]\n    def __getattr__(self, n):\n        if n == "quantity": return 2\n        raise AttributeError(n)\ndf = Frame()',
      defines: ['Frame', 'df'],
    })).error).toBeNull();
    const attributes = await complete('total = df.');
    expect(attributes.from).toBe(11);
    expect(attributes.options).toEqual([
      { label: 'mean', type: 'method' },
      { label: 'price', type: 'variable' },
      { label: 'quantity', type: 'property' },
    ]);
  });

  it('completes at the cursor, not at the end of the code', async () => {
    const code = 'import math\nmath.fl\nprint(1)';
    const result = await complete(code, code.indexOf('\nprint'));
    expect(result.from).toBe(code.indexOf('fl'));
    expect(labels(result)).toEqual(['floor']);
  });

  it('evaluates nothing but names: no calls, subscripts or numbers', async () => {
    expect((await kernel.run({ code: 'calls = []\ndef boom():\n    calls.append(1)\n    return 1', defines: ['calls', 'boom'] })).error).toBeNull();
    for (const code of ['boom().re', 'boom()[0].x', '1.r', 'calls[0].']) expect((await complete(code)).options).toEqual([]);
    expect((await kernel.run({ code: 'print(len(calls))', references: ['calls'] })).stdout).toBe('0\n');
    expect((await complete('nothing_like_this.x')).options).toEqual([]);
  });

  it('hides private names unless asked for, and bounds the answer', async () => {
    expect((await kernel.run({ code: '_hidden = 1\nbig = type("Big", (), {f"a{i}": i for i in range(2000)})()', defines: ['big'] })).error).toBeNull();
    expect(labels(await complete('_hid'))).toEqual(['_hidden']);
    expect(labels(await complete('x = ')).filter((n) => n.startsWith('_'))).toEqual([]);
    const bounded = await complete('big.a');
    expect(bounded.options).toHaveLength(500);
    expect(bounded.complete).toBe(false);
  });

  it('answers while a cell awaits (the run goes on and sees its values)', async () => {
    const running = kernel.run({ code: 'import asyncio\nwaiting_value = 1\nawait asyncio.sleep(0.5)\nprint(waiting_value)', defines: ['asyncio', 'waiting_value'] });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(labels(await complete('waiting_v'))).toEqual(['waiting_value']);
    const result = await running;
    expect(result.error).toBeNull();
    expect(result.stdout).toBe('1\n');
  });

  it('refuses a malformed request and an unknown method, and answers ping with null', async () => {
    await expect(kernel.call('complete', { code: 1 } as unknown as JsonValue)).rejects.toThrow(/complete takes/);
    await expect(kernel.call('teleport', null)).rejects.toThrow(/no method "teleport"/);
    expect(await kernel.call('ping', null)).toBeNull();
  });
});
