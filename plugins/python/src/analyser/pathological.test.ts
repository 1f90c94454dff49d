/**
 * Inputs an attacker (or a paste gone wrong) stores in a cell: each finishes
 * and gives the right answer or a clear error. The analyser runs in core's
 * workers with a time budget, but it must also stay near-linear: these took
 * 5 to 20 s before the parser stopped recovering from errors (see
 * bench/analyser-pathological.js for the figures).
 */
import { analysePython } from './analyse';

/** Analyses and measures. A bound on time is asserted only where it was the attack (seconds, not milliseconds). */
function timed(code: string): { analysis: ReturnType<typeof analysePython>; ms: number } {
  const started = performance.now();
  const analysis = analysePython(code);
  return { analysis, ms: performance.now() - started };
}

describe('Python analyser: pathological inputs', () => {
  it.each([
    ['a run of dots', '.', 'invalid syntax at "."'],
    ['a run of colons', ':', 'invalid syntax at ":"'],
    ['a run of stars', '*', 'invalid syntax at "*"'],
  ])('%s (999,000 of them) is a syntax error found at once', (_title, char, message) => {
    const { analysis, ms } = timed(`x = ${char.repeat(999_000)}`);
    expect(analysis.error).toMatchObject({ message, line: 1 });
    expect(analysis.defines).toEqual([]);
    // Error recovery took 15 µs a character here (14 to 20 s for this cell); a strict parse stops at the first error.
    expect(ms).toBeLessThan(3000);
  });

  it('refuses brackets nested deeper than CPython allows, with its message and the position', () => {
    for (const open of ['(', '[', '{']) {
      const { analysis } = timed(`x = ${open.repeat(10_000)}`);
      expect(analysis.error).toEqual({ message: 'too many nested parentheses', line: 1, column: 205 });
    }
    const closed = timed(`x = ${'('.repeat(10_000)}1${')'.repeat(10_000)}`).analysis;
    expect(closed.error?.message).toBe('too many nested parentheses');
  });

  it('accepts 200 nested brackets, and does not count brackets in strings or comments', () => {
    expect(analysePython(`x = ${'('.repeat(200)}y${')'.repeat(200)}`)).toMatchObject({ defines: ['x'], references: ['y'] });
    expect(analysePython(`s = "${'('.repeat(300)}" + '''${'['.repeat(300)}''' # ${'{'.repeat(300)}\nt = s`).error).toBeUndefined();
  });

  it('says so when an expression is nested too deeply for the parser, instead of blaming valid code', () => {
    for (const code of [`x = ${'-'.repeat(10_000)}1`, `x = ${'lambda: '.repeat(1000)}y`]) {
      expect(analysePython(code).error?.message).toMatch(/^this expression is nested too deeply to analyse/);
    }
    expect(analysePython(`x = ${'lambda: '.repeat(500)}y`)).toMatchObject({ defines: ['x'], references: ['y'] });
  });

  it('says so when an expression chains too many operations for the parser', () => {
    for (const code of [`x = ${Array(1000).fill('a').join(' + ')}`, `x = df${'.pipe(f)'.repeat(1000)}`]) {
      expect(analysePython(code).error?.message).toMatch(/^this expression chains too many operations in a row to analyse/);
    }
    // Shorter chains are ordinary code.
    expect(analysePython(`x = ${Array(250).fill('a').join(' + ')}`)).toMatchObject({ defines: ['x'], references: ['a'] });
  });

  it('analyses big ordinary cells: 200 KB of data literal, 5,000 lines of statements', () => {
    const data = timed(`data = [${Array.from({ length: 30_000 }, (_, i) => i).join(', ')}]`).analysis;
    expect(data).toMatchObject({ defines: ['data'], references: [] });
    const lines = Array.from({ length: 5000 }, (_, i) => `v${i} = f(v${Math.max(0, i - 1)}) + ${i}`).join('\n');
    const many = analysePython(lines);
    expect(many.error).toBeUndefined();
    expect(many.defines).toHaveLength(5000);
    expect(many.references).toEqual(['f', 'v0']);
  });
});
