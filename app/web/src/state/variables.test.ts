import type { VariableInfo } from '../api/types';
import { sizeLabel, visibleVariables } from './variables';

const variable = (name: string, defined_by: string | null = 'c1'): VariableInfo => ({
  name, language: 'python', type: 'int', summary: '1', size: 28, defined_by, read_by: [], private: name.startsWith('_'),
});

describe('the variable explorer’s rows', () => {
  const list = [variable('total'), variable('_scratch', null), variable('Base'), variable('gone', 'deleted-cell'), variable('alpha')];
  const hasCell = (id: string): boolean => id !== 'deleted-cell';

  it('sorts by name, hides private names and names of cells the page no longer has', () => {
    expect(visibleVariables(list, { query: '', showPrivate: false, hasCell }).map((v) => v.name)).toEqual(['alpha', 'Base', 'total']);
  });

  it('shows private names when asked, and filters by a case-insensitive part of the name', () => {
    expect(visibleVariables(list, { query: '', showPrivate: true, hasCell }).map((v) => v.name)).toEqual(['_scratch', 'alpha', 'Base', 'total']);
    expect(visibleVariables(list, { query: ' BA', showPrivate: false, hasCell }).map((v) => v.name)).toEqual(['Base']);
  });

  it('writes sizes for people', () => {
    expect([sizeLabel(null), sizeLabel(28), sizeLabel(1536), sizeLabel(960_000), sizeLabel(5 * 1024 ** 3)]).toEqual(['—', '28 B', '1.5 KB', '938 KB', '5.0 GB']);
  });
});
