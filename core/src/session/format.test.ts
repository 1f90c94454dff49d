import { graphErrorText, legacyGraphErrorKind } from './format';

const label = (id: string): string => `cell ${id}`;

describe('graph error texts', () => {
  it('are recognised by kind when read back from storage, and nothing else is', () => {
    const cycle = graphErrorText({ kind: 'cycle', cycle: ['1', '2'] }, { label, cellId: '1' });
    const twice = graphErrorText({ kind: 'multiple-definitions', names: [{ name: 'i', otherCells: ['4'] }] }, { label, cellId: '2', privatePrefix: () => '_' });
    const twoNames = graphErrorText({ kind: 'multiple-definitions', names: [{ name: 'a', otherCells: ['3'] }, { name: 'b', otherCells: ['3', '5'] }] }, { label, cellId: '1' });
    expect(legacyGraphErrorKind(cycle)).toBe('cycle');
    expect(legacyGraphErrorKind(twice)).toBe('multiple-definitions');
    expect(legacyGraphErrorKind(twoNames)).toBe('multiple-definitions');
    expect(legacyGraphErrorKind('Not run: upstream cell 1 did not succeed.')).toBeUndefined();
    expect(legacyGraphErrorKind("NameError: name 'x' is not defined")).toBeUndefined();
    expect(legacyGraphErrorKind(null)).toBeUndefined();
  });

  it('list every cell defining a name, in order, and each private form', () => {
    const text = graphErrorText({ kind: 'multiple-definitions', names: [{ name: 'a', otherCells: ['3'] }, { name: 'b', otherCells: ['5', '3'] }] }, { label, cellId: '1', privatePrefix: () => '_' });
    expect(text).toBe('`a` is defined in cells 1 and 3; `b` is defined in cells 1, 3 and 5. Rename one of each, or make them private to their cell as `_a`, `_b` (names starting with _ are local to a cell).');
  });
});
