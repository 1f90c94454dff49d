/**
 * What a Python cell writes besides its value, with real Pyodide: warnings on
 * stderr naming the cell's file as tracebacks do, and no keyboard to read from.
 */
import { FakeKernel, PYODIDE_START_TIMEOUT_MS } from './testing/fake-kernel';

let kernel: FakeKernel;

beforeAll(async () => {
  kernel = await FakeKernel.start();
}, PYODIDE_START_TIMEOUT_MS);

afterAll(async () => {
  await kernel?.close();
});

describe('warnings', () => {
  it('go to stderr, name the cell file and line as tracebacks do, and show the source line', async () => {
    const result = await kernel.run({ id: 'warner', code: 'import warnings\nprint("before")\nwarnings.warn("careful")' });
    expect(result.error).toBeNull();
    expect(result.stdout).toBe('before\n');
    expect(result.stderr).toBe('<cell warner>:3: UserWarning: careful\n  warnings.warn("careful")\n');
  });

  it('name the cell that defined the function that warned, as a traceback frame would', async () => {
    await kernel.run({ id: 'helper', code: 'import warnings\ndef f():\n    warnings.warn("from f", DeprecationWarning, stacklevel=1)', defines: ['f'] });
    const result = await kernel.run({ id: 'caller', code: 'f()', references: ['f'] });
    expect(result.stderr).toBe('<cell helper>:3: DeprecationWarning: from f\n  warnings.warn("from f", DeprecationWarning, stacklevel=1)\n');
  });

  it('show again every time the cell runs, as its earlier output is gone', async () => {
    const code = 'import warnings\nwarnings.warn("again")';
    expect((await kernel.run({ id: 'repeat', code })).stderr).toContain('UserWarning: again');
    expect((await kernel.run({ id: 'repeat', code })).stderr).toContain('UserWarning: again');
  });

  it('keep the user\'s own filters', async () => {
    const result = await kernel.run({ id: 'quiet', code: 'import warnings\nwith warnings.catch_warnings():\n    warnings.simplefilter("ignore")\n    warnings.warn("hidden")' });
    expect(result.stderr).toBe('');
  });
});

describe('other code locations', () => {
  it('inspect finds a cell function\'s file and source; traceback.print_exc() writes to stderr with the same naming', async () => {
    await kernel.run({ id: 'source', code: 'def double(n):\n    return 2 * n', defines: ['double'] });
    const inspected = await kernel.run({ id: 'reader', code: 'import inspect\nprint(inspect.getfile(double))\nprint(inspect.getsource(double), end="")', references: ['double'] });
    expect(inspected.error).toBeNull();
    expect(inspected.stdout).toBe('<cell source>\ndef double(n):\n    return 2 * n');
    const printed = await kernel.run({ id: 'catcher', code: 'import traceback\ntry:\n    double(None)\nexcept TypeError:\n    traceback.print_exc()', references: ['double'] });
    expect(printed.error).toBeNull();
    expect(printed.stdout).toBe('');
    expect(printed.stderr).toContain('File "<cell catcher>", line 3, in <module>');
    expect(printed.stderr).toContain('File "<cell source>", line 2, in double');
  });
});

describe('the keyboard', () => {
  it.each([
    ['input()', 'name = input("Your name? ")'],
    ['sys.stdin.readline()', 'import sys\nline = sys.stdin.readline()'],
    ['sys.stdin.read()', 'import sys\ntext = sys.stdin.read()'],
  ])('%s says a notebook cell cannot read from the keyboard', async (_what, code) => {
    const result = await kernel.run(code);
    expect(result.error?.message).toMatch(/is not available: a notebook cell cannot read from the keyboard\. Use a widget instead: from rnb import ui/);
    expect(result.error?.message).not.toMatch(/OSError|I\/O error|errno/i);
  });

  it('lets code that handles a missing stdin the usual way go on', async () => {
    const result = await kernel.run('try:\n    input()\nexcept EOFError:\n    print("no input")');
    expect(result.error).toBeNull();
    expect(result.stdout).toBe('no input\n');
  });
});
