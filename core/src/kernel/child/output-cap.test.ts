/**
 * Issue 19 item 7: an output over the limit is replaced by a note in the
 * kernel, before it is serialised, and the cell says so (it used to vanish).
 */
import { createTestKernel, notebookWith, type TestKernel } from '../../testing';
import { boundedJsonSize, capOutput, outputTooLargeNote, sizeText } from './output-cap';

describe('the output cap', () => {
  it('names sizes as people read them', () => {
    expect(sizeText(45 * 1024 * 1024)).toBe('45 MB');
    expect(sizeText(8 * 1024 * 1024)).toBe('8 MB');
    expect(sizeText(1.5 * 1024 * 1024)).toBe('1.5 MB');
    expect(sizeText(300 * 1024)).toBe('300 KB');
    expect(outputTooLargeNote(45 * 1024 * 1024, 8 * 1024 * 1024)).toBe('Output of 45 MB not shown: the limit is 8 MB.');
  });

  it('replaces a string over the limit with a note and keeps one within it', () => {
    const limit = 8 * 1024 * 1024;
    const html = { mime_type: 'text/html', data: 'x'.repeat(45 * 1024 * 1024) };
    expect(capOutput(html, limit)).toEqual({ mime_type: 'text/plain', data: 'Output of 45 MB not shown: the limit is 8 MB.' });
    const small = { mime_type: 'text/html', data: '<b>ok</b>' };
    expect(capOutput(small, limit)).toBe(small);
  });

  it('measures structured data without serialising past the limit', () => {
    const rows = Array.from({ length: 1000 }, (_, i) => ({ name: `row ${i}`, n: i }));
    const exact = JSON.stringify(rows).length;
    expect(boundedJsonSize(rows, 10 * exact)).toBe(exact);
    const partial = boundedJsonSize(rows, 100);
    expect(partial).toBeGreaterThan(100);
    expect(partial).toBeLessThan(exact / 10);
    expect(capOutput({ mime_type: 'application/json', data: rows }, 100).mime_type).toBe('text/plain');
  });
});

describe('in the real kernel', () => {
  let kernel: TestKernel;
  beforeAll(async () => {
    kernel = await createTestKernel({ manager: { limits: { maxOutputChars: 1000 } } });
  }, 30_000);
  afterAll(async () => {
    await kernel?.close();
  });

  it('a cell whose output is over the limit succeeds and shows a note naming both sizes', async () => {
    const nb = await notebookWith(kernel, 'ann', [`"${'y'.repeat(3000)}"`, '"small"']);
    await nb.run(0);
    await nb.run(1);
    const [big, small] = await nb.state();
    expect(big).toEqual({ status: 'success', stdout: '', stderr: '', text: 'Output of 3 KB not shown: the limit is 1 KB.', error: null });
    expect(small!.text).toBe('small');
  });
});
