import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pyodideDir } from '../index';
import { PYODIDE_MODULE_FILE, scriptFileOf, scriptSourceOf } from '../runtime/pyodide-module';
import { usableCodeCache } from './make-code-cache';

describe('usableCodeCache', () => {
  let dir: string;
  let file: string;
  const version = (JSON.parse(fs.readFileSync(path.join(pyodideDir(), 'package.json'), 'utf8')) as { version: string }).version;
  const meta = (changes: object = {}): void =>
    fs.writeFileSync(`${file}.json`, JSON.stringify({ pyodideVersion: version, node: process.version, bytes: 32, scriptBytes: 8, ...changes }));
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-code-cache-'));
    file = path.join(dir, 'pyodide.asm.codecache');
    fs.writeFileSync(file, Buffer.alloc(32, 1));
    fs.writeFileSync(scriptFileOf(file), '(x => x)');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('accepts a cache made for this Pyodide and this Node, with its script beside it, at the recorded sizes', () => {
    meta();
    expect(usableCodeCache(pyodideDir(), file)).toBe(file);
  });

  it('refuses one made for another Pyodide or another Node, or whose cache or script changed size or is missing', () => {
    meta({ pyodideVersion: '0.0.1' });
    expect(usableCodeCache(pyodideDir(), file)).toBeNull();
    meta({ node: 'v0.0.0' });
    expect(usableCodeCache(pyodideDir(), file)).toBeNull();
    meta({ bytes: 33 });
    expect(usableCodeCache(pyodideDir(), file)).toBeNull();
    meta({ scriptBytes: 9 });
    expect(usableCodeCache(pyodideDir(), file)).toBeNull();
    meta();
    fs.rmSync(scriptFileOf(file));
    expect(usableCodeCache(pyodideDir(), file)).toBeNull();
  });
});

describe("the build's code cache", () => {
  it("is there, with the script it was made from: this Pyodide's module as scriptSourceOf gives it", () => {
    // npm run build:ts makes it (make-snapshot.ts runs make-code-cache.js with a kernel's V8 flags).
    const cache = usableCodeCache(pyodideDir());
    expect(cache).not.toBeNull();
    expect(fs.readFileSync(scriptFileOf(cache!), 'utf8')).toBe(scriptSourceOf(fs.readFileSync(path.join(pyodideDir(), PYODIDE_MODULE_FILE), 'utf8')));
  });
});
