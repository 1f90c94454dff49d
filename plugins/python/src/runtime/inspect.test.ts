/**
 * Hover docs and signature help from the live namespace (the `inspect` runtime call), with real
 * Pyodide in a worker thread as core's kernel worker runs it.
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

interface Inspection {
  name: string;
  type: string;
  signature: string | null;
  doc: string | null;
  value: string | null;
}

const inspect = async (name: string): Promise<Inspection | null> => (await kernel.call('inspect', { name } as JsonValue)) as unknown as Inspection | null;

describe('inspect', () => {
  it("gives a notebook function's signature and docstring, and a plain value's type and short value", async () => {
    expect((await kernel.run({
      code: 'def scale(values, factor: float = 2.0) -> list:\n    """Multiply every value by factor."""\n    return [v * factor for v in values]\nitems = [1, 2, 3]',
      defines: ['scale', 'items'],
    })).error).toBeNull();
    expect(await inspect('scale')).toEqual({
      name: 'scale', type: 'function', signature: '(values, factor: float = 2.0) -> list', doc: 'Multiply every value by factor.', value: null,
    });
    expect(await inspect('items')).toEqual({ name: 'items', type: 'list', signature: null, doc: null, value: 'list[3]' });
  });

  it("follows attributes of modules and objects, and answers builtins and keywords", async () => {
    expect((await kernel.run({ code: 'import math', defines: ['math'] })).error).toBeNull();
    const sqrt = await inspect('math.sqrt');
    expect(sqrt?.type).toBe('builtin_function_or_method');
    expect(sqrt?.signature).toBe('(x, /)');
    expect(sqrt?.doc).toMatch(/square root/i);
    expect((await inspect('items.append'))?.doc).toMatch(/append/i);
    expect((await inspect('print'))?.doc).toMatch(/print/i);
    expect((await inspect('return'))?.type).toBe('keyword');
  });

  it('answers null for what the notebook does not hold, and never calls or evaluates anything', async () => {
    expect(await inspect('nothing_here')).toBeNull();
    expect(await inspect('math.nothing')).toBeNull();
    expect(await inspect('scale()')).toBeNull();
    expect(await inspect('__import__("os").system("true")')).toBeNull();
  });

  it('bounds a long docstring', async () => {
    expect((await kernel.run({ code: 'def long():\n    pass\nlong.__doc__ = "word " * 10000', defines: ['long'] })).error).toBeNull();
    const answer = await inspect('long');
    expect(answer?.doc?.length).toBe(4000);
    expect(answer?.doc?.endsWith('\u2026')).toBe(true);
  });
});
