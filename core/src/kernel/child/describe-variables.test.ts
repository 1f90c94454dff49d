import type { LanguageRuntime, Namespace, NamespaceEntry } from '../../language/runtime-api';
import { describeJsValue, describeVariables, MAX_VARIABLES } from './describe-variables';

function namespaceOf(values: Record<string, [unknown, string]>): Namespace {
  const entries = new Map<string, NamespaceEntry>(Object.entries(values).map(([name, [value, language]]) => [name, { language, toJS: () => value }]));
  return {
    has: (name) => entries.has(name),
    get: (name) => entries.get(name)?.toJS(),
    entry: (name) => entries.get(name),
    set: () => undefined,
    setEntry: () => undefined,
    delete: (name) => entries.delete(name),
    names: () => [...entries.keys()],
  };
}

const run = (): void => undefined;

describe('the kernel’s description of names', () => {
  it('describes plain JavaScript values by shape: a list of records is a table', () => {
    expect(describeJsValue('t', [{ a: 1, b: 2 }, { a: 3, b: 4 }, { a: 5, b: 6 }])).toMatchObject({ type: 'table', summary: 'table 3 × 2' });
    expect(describeJsValue('n', 42)).toEqual({ name: 'n', type: 'number', summary: '42', size: 8 });
    expect(describeJsValue('s', 'x'.repeat(500)).summary.length).toBeLessThanOrEqual(120);
    expect(describeJsValue('xs', [1, 2, 3]).summary).toBe('array[3]');
  });

  it('asks runtimes that describe their names, and describes the other languages’ entries itself', async () => {
    const python: LanguageRuntime = { run, describeVariables: () => [{ name: 'df', type: 'DataFrame', summary: 'DataFrame 10 × 2', size: 160.6 }] };
    const sql: LanguageRuntime = { run };
    const namespace = namespaceOf({ df: [[], 'python'], sales: [[{ region: 'n', total: 1 }], 'sql'] });
    const described = await describeVariables(new Map([['python', python], ['sql', sql]]), namespace, () => undefined);
    expect(described).toEqual({
      truncated: false,
      variables: [
        { name: 'df', language: 'python', type: 'DataFrame', summary: 'DataFrame 10 × 2', size: 161 },
        { name: 'sales', language: 'sql', type: 'table', summary: 'table 1 × 2', size: 32 },
      ],
    });
  });

  it('stops at the bound of names and says so, and survives a runtime that throws', async () => {
    const many: LanguageRuntime = { run, describeVariables: ({ maxNames }) => Array.from({ length: maxNames }, (_, i) => ({ name: `v${i}`, type: 'int', summary: '1', size: 28 })) };
    const broken: LanguageRuntime = { run, describeVariables: () => { throw new Error('boom'); } };
    const logs: string[] = [];
    const described = await describeVariables(new Map([['broken', broken], ['python', many]]), namespaceOf({}), (m) => logs.push(m));
    expect(described.variables).toHaveLength(MAX_VARIABLES);
    expect(described.truncated).toBe(true);
    expect(logs).toEqual(['describeVariables of broken failed: boom']);
  });
});
