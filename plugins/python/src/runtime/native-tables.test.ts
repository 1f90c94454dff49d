import { columnsToRecords, recordsToColumns } from './native-tables';

describe('tables by columns between the worker and native CPython', () => {
  it('turns records into columns in first-seen order, a missing key as null, and back', () => {
    const rows = [{ a: 1, b: 'x' }, { b: 'y', c: true }];
    const table = recordsToColumns(rows);
    expect(table).toEqual({ columns: ['a', 'b', 'c'], data: [[1, null], ['x', 'y'], [null, true]] });
    expect(columnsToRecords(table!)).toEqual([{ a: 1, b: 'x', c: null }, { a: null, b: 'y', c: true }]);
  });

  it('leaves what is not a non-empty list of plain records alone', () => {
    expect(recordsToColumns([])).toBeNull();
    expect(recordsToColumns([1, 2])).toBeNull();
    expect(recordsToColumns([{ a: 1 }, [1]])).toBeNull();
    expect(recordsToColumns([{}])).toBeNull();
    expect(recordsToColumns([new Date(0)])).toBeNull();
    expect(recordsToColumns({ a: [1] })).toBeNull();
  });

  it('keeps a column named __proto__ as data', () => {
    const records = columnsToRecords({ columns: ['__proto__'], data: [[1]] });
    expect(Object.keys(records[0]!)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(records[0])).toBe(Object.prototype);
  });
});
