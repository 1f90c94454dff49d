/**
 * Extra Python packages for a kernel that has no network: before a cell
 * runs, the modules it imports that Pyodide cannot find are looked up in a
 * local folder of wheels, then in the package index's lock file. Index files
 * come through the kernel's one narrow channel to the server (the
 * `python-package` host service, which fetches only from the configured
 * index). Wheels are checked against the lock file's sha256 and installed
 * from Pyodide's in-memory file system.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PyodideAPI } from 'pyodide';
import type { CellIO, JsonValue, RuntimeContext } from '@rnb/core';

export interface PackageOptions {
  /** A Pyodide package index (a mirror of Pyodide's distribution folder, with its pyodide-lock.json). */
  packageBaseUrl?: string | null;
  /** A folder of `.whl` files the kernel may read. */
  wheelsDir?: string | null;
}

/** The name of the host service the plugin declares for the index. */
export const PACKAGE_SERVICE = 'python-package';

interface LockPackage {
  name: string;
  file_name: string;
  sha256?: string;
  imports?: string[];
  depends?: string[];
}

interface Lockfile {
  packages: Record<string, LockPackage>;
}

const canonical = (name: string): string => name.toLowerCase().replace(/[-_.]+/g, '-');

export class PackageLoader {
  private lock: Lockfile | null = null;
  private lockError: string | null = null;
  private readonly loaded = new Set<string>();
  private readonly notFound = new Set<string>();

  constructor(
    private readonly pyodide: PyodideAPI,
    private readonly options: PackageOptions & { pyodideDir: string },
    private readonly context: RuntimeContext,
    private readonly missingImports: (code: string) => string[],
    private readonly runnerInstall: (bytes: Uint8Array, file: string) => string[],
  ) {}

  get configured(): boolean {
    return Boolean(this.options.packageBaseUrl || this.options.wheelsDir);
  }

  /** Installs what the cell imports and Pyodide lacks, when a source provides it. */
  async prepare(code: string, io: CellIO): Promise<void> {
    if (!this.configured || !/\bimport\b/.test(code)) return;
    const missing = this.missingImports(code).filter((name) => !this.notFound.has(name));
    if (missing.length === 0) return;
    const files: { name: string; file: string; bytes: Uint8Array }[] = [];
    for (const module of missing) {
      const local = this.localWheel(module);
      if (local) {
        files.push(local);
        continue;
      }
      const fromIndex = await this.fromIndex(module, io);
      if (fromIndex.length === 0) this.notFound.add(module);
      files.push(...fromIndex);
    }
    if (files.length === 0) return;
    for (const { name, file, bytes } of files) {
      try {
        await this.install(bytes, file);
        this.loaded.add(name);
      } catch (error) {
        io.stderr(`Installing ${file} failed: ${(error as Error).message}\n`);
      }
    }
  }

  /**
   * Unpacks into site-packages with Pyodide's own unpacker, then loads the
   * wheel's shared libraries as loadPackage does. (loadPackage itself reads
   * from the host file system or the network, which the kernel lacks.)
   */
  private async install(bytes: Uint8Array, file: string): Promise<void> {
    // Pyodide refuses Node's Buffer subclass: hand it a plain Uint8Array.
    const dynlibs = this.runnerInstall(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), file);
    const api = (this.pyodide as unknown as { _api?: { loadDynlib?: (path: string, global: boolean) => Promise<void> } })._api;
    for (const lib of dynlibs) {
      if (typeof api?.loadDynlib !== 'function') throw new Error(`${file} has native libraries this Pyodide cannot load here`);
      await api.loadDynlib(lib, false);
    }
  }

  /** Appended to a ModuleNotFoundError: why the package is not there and what to do. */
  missingHint(message: string): string {
    const module = /No module named '([^'.]+)/.exec(message)?.[1] ?? 'it';
    if (!this.configured) {
      return `\n\nThe package "${module}" is not installed in this kernel, and no package source is configured: ` +
        'set PYODIDE_PACKAGE_BASE_URL to a Pyodide package mirror, or give the Python plugin a folder of wheels (wheelsDir).';
    }
    const reason = this.lockError ? ` (${this.lockError})` : '';
    return `\n\nThe package "${module}" was found neither in the wheels folder nor in the package index${reason}.`;
  }

  private localWheel(module: string): { name: string; file: string; bytes: Uint8Array } | null {
    const dir = this.options.wheelsDir;
    if (!dir) return null;
    let entries: string[];
    try {
      entries = fs.readdirSync(dir);
    } catch (error) {
      this.context.log('warn', `cannot read the wheels folder ${dir}: ${(error as Error).message}`);
      return null;
    }
    const wanted = canonical(module);
    const file = entries.find((f) => f.endsWith('.whl') && canonical(f.split('-')[0] ?? '') === wanted);
    if (!file || this.loaded.has(wanted)) return null;
    return { name: wanted, file, bytes: fs.readFileSync(path.join(dir, file)) };
  }

  private async fromIndex(module: string, io: CellIO): Promise<{ name: string; file: string; bytes: Uint8Array }[]> {
    if (!this.options.packageBaseUrl) return [];
    const lock = await this.lockfile();
    if (!lock) return [];
    const byImport = Object.values(lock.packages).find((p) => p.imports?.includes(module)) ?? lock.packages[canonical(module)];
    if (!byImport) return [];
    const order: LockPackage[] = [];
    const visit = (name: string, seen: Set<string>): void => {
      const pkg = lock.packages[canonical(name)] ?? lock.packages[name];
      if (!pkg || seen.has(pkg.name) || this.loaded.has(canonical(pkg.name)) || this.isBuiltIn(pkg.name)) return;
      seen.add(pkg.name);
      for (const dep of pkg.depends ?? []) visit(dep, seen);
      order.push(pkg);
    };
    visit(byImport.name, new Set());
    const result: { name: string; file: string; bytes: Uint8Array }[] = [];
    for (const pkg of order) {
      io.stderr(`Installing ${pkg.name} from the package index…\n`);
      const bytes = await this.fetchFile(pkg.file_name);
      if (pkg.sha256 && createHash('sha256').update(bytes).digest('hex') !== pkg.sha256) {
        throw new Error(`The package file ${pkg.file_name} does not match the index's sha256: not installed.`);
      }
      result.push({ name: canonical(pkg.name), file: path.basename(pkg.file_name), bytes });
    }
    return result;
  }

  private isBuiltIn(name: string): boolean {
    const loadedPackages = this.pyodide.loadedPackages as Record<string, unknown>;
    return name in loadedPackages;
  }

  private async lockfile(): Promise<Lockfile | null> {
    if (this.lock || this.lockError) return this.lock;
    try {
      const bytes = await this.fetchFile('pyodide-lock.json');
      const parsed = JSON.parse(new TextDecoder().decode(bytes)) as Lockfile;
      if (!parsed || typeof parsed.packages !== 'object') throw new Error('it has no "packages"');
      this.lock = parsed;
    } catch (error) {
      this.lockError = `the index's pyodide-lock.json could not be read: ${(error as Error).message}`;
    }
    return this.lock;
  }

  private async fetchFile(file: string): Promise<Uint8Array> {
    const reply: JsonValue = await this.context.hostCall(PACKAGE_SERVICE, { file });
    if (!reply || typeof reply !== 'object' || Array.isArray(reply) || typeof reply.data !== 'string') {
      throw new Error(`the package service returned no data for ${file}`);
    }
    return Buffer.from(reply.data, 'base64');
  }
}
