import type { StoredCell } from '../storage/storage';
import { readPercentNotebook, writePercentNotebook } from './percent-format';
import { documentFileOf } from './portable';

const cell = (id: string, code: string): StoredCell => ({
  id,
  type: 'python',
  code,
  status: 'success',
  stdout: 'printed',
  stderr: '',
  outputs: [{ mime: 'text/plain', data: '42' }],
  error: null,
  reads: [],
  writes: [],
  lastRunAt: null,
});

describe('a document as the .py file a store writes', () => {
  const doc = {
    name: 'Sales',
    lazy: true,
    cells: [cell('a', 'x = 1'), cell('b', 'y = x + 1')],
    settings: { python: { packages: 'numpy==2.0.0', secret_token: 's3cret' }, sql: { row_limit: 5, connection: 'postgres://u:p@h/db' } },
    app: { show_code: true, show_tracebacks: false, published: true },
  };
  const isSecret = (pluginId: string, field: string): boolean => !(pluginId === 'sql' && field === 'row_limit');

  it('carries the code, the packages, the settings that are not secret and the app view, never outputs, secrets or who may open the app', () => {
    const file = documentFileOf(doc, isSecret);
    expect(file).toEqual({
      name: 'Sales',
      lazy: true,
      packages: ['numpy==2.0.0'],
      settings: { sql: { row_limit: 5 } },
      app: { show_code: true, show_tracebacks: false },
      cells: [
        { id: 'a', type: 'python', code: 'x = 1' },
        { id: 'b', type: 'python', code: 'y = x + 1' },
      ],
    });
    expect(readPercentNotebook(writePercentNotebook(file))).toEqual(file);
  });

  it('leaves out the parts a notebook does not have, and counts every setting secret unless told otherwise', () => {
    expect(documentFileOf({ name: 'Plain', lazy: false, cells: [cell('a', 'x = 1')] })).toEqual({ name: 'Plain', lazy: false, cells: [{ id: 'a', type: 'python', code: 'x = 1' }] });
    expect(documentFileOf({ ...doc, app: undefined })).toEqual({ name: 'Sales', lazy: true, packages: ['numpy==2.0.0'], cells: expect.any(Array) });
  });
});
