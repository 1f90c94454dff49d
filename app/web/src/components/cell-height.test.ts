import { estimatedCellHeight } from './cell-height';

const cell = (parts: Partial<Parameters<typeof estimatedCellHeight>[0]>) => ({ code: '', reads: [], writes: [], stdout: '', outputs: [], error: null, ...parts });

describe('estimatedCellHeight', () => {
  it('gives a chain cell (two lines, names, a one-line result) the 150 px it is drawn at', () => {
    expect(estimatedCellHeight(cell({ code: 'v1 = v0 + 1\nv1', reads: ['v0'], writes: ['v1'], outputs: [{ mime_type: 'text/plain', data: '2' }] }))).toBe(150);
  });

  it('grows with the code and the printed lines, bounds long text, and counts a table or a chart as a box', () => {
    const empty = estimatedCellHeight(cell({}));
    expect(empty).toBe(1 + 35 + 12 + 19);
    expect(estimatedCellHeight(cell({ code: 'a\nb\nc' }))).toBe(empty + 2 * 19);
    expect(estimatedCellHeight(cell({ stdout: 'x\ny\n' }))).toBe(empty + 18 + 2 * 19);
    expect(estimatedCellHeight(cell({ stdout: 'x\n'.repeat(10_000) }))).toBe(empty + 18 + 30 * 19);
    expect(estimatedCellHeight(cell({ outputs: [{ mime_type: 'application/vnd.rnb.table+json', data: {} }] }))).toBe(empty + 18 + 240);
  });
});
