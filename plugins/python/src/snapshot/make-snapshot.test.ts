import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pyodideDir } from '../index';
import { usableSnapshot } from './make-snapshot';

describe('usableSnapshot', () => {
  let dir: string;
  let file: string;
  const version = (JSON.parse(fs.readFileSync(path.join(pyodideDir(), 'package.json'), 'utf8')) as { version: string }).version;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-snapshot-'));
    file = path.join(dir, 'pyodide.snapshot');
    fs.writeFileSync(file, Buffer.alloc(64, 1));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('accepts a snapshot of this Pyodide version with the recorded size', () => {
    fs.writeFileSync(`${file}.json`, JSON.stringify({ pyodideVersion: version, bytes: 64 }));
    expect(usableSnapshot(pyodideDir(), file)).toBe(file);
  });

  it('refuses one made by another Pyodide version', () => {
    fs.writeFileSync(`${file}.json`, JSON.stringify({ pyodideVersion: '0.0.1', bytes: 64 }));
    expect(usableSnapshot(pyodideDir(), file)).toBeNull();
  });

  it('refuses a truncated file, a missing description and a missing file', () => {
    fs.writeFileSync(`${file}.json`, JSON.stringify({ pyodideVersion: version, bytes: 65 }));
    expect(usableSnapshot(pyodideDir(), file)).toBeNull();
    fs.rmSync(`${file}.json`);
    expect(usableSnapshot(pyodideDir(), file)).toBeNull();
    expect(usableSnapshot(pyodideDir(), path.join(dir, 'none'))).toBeNull();
  });
});
