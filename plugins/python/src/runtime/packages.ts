/**
 * Extra Python packages for a kernel that has no network: before a cell
 * runs, the modules it imports that Pyodide cannot find are looked up in a
 * local folder of wheels, then in the package index's lock file. Index files
 * come through the kernel's one narrow channel to the server (the
 * `python-package` host service, which fetches only from the configured
 * index). Wheels are checked against the lock file's sha256 and installed
 * from Pyodide's in-memory file system.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PyodideAPI } from 'pyodide';
import type { CellIO, JsonValue, RuntimeContext } from '@rnb/core';

/**
 * A wheel's sha256 (hex). node:crypto is loaded here, at the first package a cell installs, not with the runtime module:
 * loading it took a kernel's worker about 10 ms of its cold start.
 */
function sha256Hex(bytes: Uint8Array): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  return createHash('sha256').update(bytes).digest('hex');
}

export interface PackageOptions {
  /** A Pyodide package host (the official one for this Pyodide version, or the operator's mirror), reached through the host service. */
  packageBaseUrl?: string | null;
  /** A folder of `.whl` files the kernel may read. */
  wheelsDir?: string | null;
  /** The server offers a PyPI-compatible index to `micropip.install` (the python-pypi host service). */
  pypi?: boolean;
  /** The host is the official one for this exact Pyodide version: read the lock file shipped in the `pyodide` package. */
  bundledLock?: boolean;
}

/** The name of the host service the plugin declares for the index. */
export const PACKAGE_SERVICE = 'python-package';
/** The host service behind the kernel's `micropip` (a PyPI-compatible index, pure-Python wheels). */
export const PYPI_SERVICE = 'python-pypi';

type Plan = { module: string; files: { name: string; file: string; sha256?: string; local?: Uint8Array }[] }[];

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

type FailureKind = 'not-found' | 'checksum' | 'timeout' | 'unreachable' | 'install';

const canonical = (name: string): string => name.toLowerCase().replace(/[-_.]+/g, '-');

/** What the person at the notebook reads when a package cannot be had (the operator's detail goes to the log). */
export function packageMessage(module: string, kind: FailureKind): string {
  switch (kind) {
    case 'checksum':
      return `${module} was not loaded: the file the package source sent does not match its published checksum, so it was refused. Ask the administrator to check the package source.`;
    case 'timeout':
      return `${module} could not be loaded: the package source did not answer in time. Try again in a moment; if it keeps happening, ask the administrator.`;
    case 'unreachable':
      return `${module} could not be loaded: the package source cannot be reached from this server right now. Try again later, or ask the administrator.`;
    case 'install':
      return `${module} was downloaded but could not be installed in this Python. Ask the administrator.`;
    case 'not-found':
      return `${module} is not available on this server; ask the administrator to add it.`;
  }
}

const failureKind = (error: unknown): FailureKind =>
  (/^python-package (not-found|checksum|timeout|unreachable):/.exec((error as Error)?.message ?? '')?.[1] as FailureKind | undefined) ?? 'unreachable';

const megabytes = (bytes: number): string => (bytes >= 100_000 ? `${(bytes / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1000))} kB`);

export class PackageLoader {
  private lock: Lockfile | null = null;
  private lockError: FailureKind | null = null;
  private readonly loaded = new Set<string>();
  /** Why a module could not be had, by import name; transient kinds are tried again on the next run. */
  private readonly failures = new Map<string, FailureKind>();
  /** Whether this kernel installed its notebook's remembered micropip packages yet (once, on the first missing import). */
  private rememberedLoaded = false;

  constructor(
    private readonly pyodide: PyodideAPI,
    private readonly options: PackageOptions & { pyodideDir: string },
    private readonly context: RuntimeContext,
    private readonly missingImports: (code: string) => string[],
    private readonly runnerInstall: (bytes: Uint8Array, file: string) => string[],
  ) {}

  get configured(): boolean {
    return Boolean(this.options.packageBaseUrl || this.options.wheelsDir || this.options.pypi);
  }

  /**
   * Loads what the cell imports and Pyodide lacks, when a source provides it,
   * with a progress line in the cell. A module that cannot be had is noted,
   * not thrown: the cell still runs (it may catch the ImportError), and if
   * the import fails `missingHint` says why in words.
   */
  async prepare(code: string, io: CellIO): Promise<void> {
    if (!this.configured || !/\bimport\b/.test(code)) return;
    if (this.options.pypi && !this.rememberedLoaded && this.missingImports(code).length > 0) {
      this.rememberedLoaded = true;
      await this.loadRemembered((text) => io.stderr(text));
    }
    const missing = this.missingImports(code).filter((name) => {
      const failure = this.failures.get(name);
      return failure !== 'not-found' && failure !== 'checksum' && failure !== 'install';
    });
    if (missing.length === 0) return;
    if (this.lockError !== 'not-found') this.lockError = null;
    const plan: Plan = [];
    for (const module of missing) {
      const local = this.localWheel(module);
      if (local) {
        plan.push({ module, files: [{ name: local.name, file: local.file, local: local.bytes }] });
        continue;
      }
      const fromIndex = await this.fromIndex(module);
      if (fromIndex === null) {
        this.failures.set(module, this.lockError ?? 'not-found');
        continue;
      }
      plan.push({ module, files: fromIndex.map((pkg) => ({ name: canonical(pkg.name), file: pkg.file_name, ...(pkg.sha256 ? { sha256: pkg.sha256 } : {}) })) });
    }
    await this.load(plan, (text) => io.stderr(text));
  }

  /** Downloads and installs each step's files, with a progress line; failures are noted per module. */
  private async load(plan: Plan, say: (text: string) => void): Promise<void> {
    const names = [...new Set(plan.flatMap((step) => step.files.map((f) => f.name)))].filter((name) => !this.loaded.has(name));
    if (names.length === 0) return;
    say(`loading ${names.join(', ')}…\n`);
    let total = 0;
    const done: string[] = [];
    for (const { module, files } of plan) {
      for (const { name, file, sha256, local } of files) {
        if (this.loaded.has(name)) continue;
        let bytes: Uint8Array;
        try {
          bytes = local ?? (await this.fetchFile(path.basename(file), sha256));
          if (sha256 && sha256Hex(bytes) !== sha256) {
            throw new Error(`python-package checksum: ${file} does not match the lock file's sha256`);
          }
        } catch (error) {
          this.fail(module, failureKind(error), error);
          break;
        }
        try {
          await this.install(bytes, path.basename(file));
        } catch (error) {
          this.fail(module, 'install', error);
          break;
        }
        this.loaded.add(name);
        this.failures.delete(module);
        total += bytes.length;
        done.push(name);
      }
    }
    if (done.length > 0) say(`loaded ${done.join(', ')}: ${megabytes(total)}\n`);
  }

  /** Puts the kernel's `micropip` (python/rnb_micropip.py) in sys.modules; `say` writes progress to the running cell. */
  installMicropip(say: (text: string) => void): void {
    const module = this.pyodide.pyimport('rnb_micropip') as unknown as { make_micropip: ((fn: unknown) => void) & { destroy(): void }; destroy(): void };
    const make = module.make_micropip;
    make((json: string) => this.installRequirements(JSON.parse(json) as string[], say));
    make.destroy();
    module.destroy();
  }

  /**
   * `micropip.install(...)`: Pyodide's own packages come from the lock file,
   * other projects as pure-Python wheels from the server's PyPI-compatible
   * index. Returns what the person at the notebook should read, or null.
   */
  async installRequirements(requirements: string[], say: (text: string) => void): Promise<string | null> {
    for (const requirement of requirements) {
      const parsed = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:==\s*([A-Za-z0-9.+!_-]+))?\s*$/.exec(requirement);
      if (!parsed) return `micropip here takes a project name, optionally with ==version; "${requirement}" is not one.`;
      const project = parsed[1]!;
      const version = parsed[2] ?? null;
      this.failures.delete(project);
      if (this.loaded.has(canonical(project))) continue;
      const fromLock = version ? null : await this.fromIndex(project);
      if (fromLock) {
        await this.load([{ module: project, files: fromLock.map((pkg) => ({ name: canonical(pkg.name), file: pkg.file_name, ...(pkg.sha256 ? { sha256: pkg.sha256 } : {}) })) }], say);
      } else if (this.options.pypi) {
        say(`loading ${project}${version ? ` ${version}` : ''} from the package index…\n`);
        try {
          const reply = await this.context.hostCall(PYPI_SERVICE, { project, version });
          const found = reply as { file?: unknown; data?: unknown; sha256?: unknown } | null;
          if (!found || typeof found.file !== 'string' || typeof found.data !== 'string') throw new Error('python-package unreachable: the index service returned no wheel');
          const bytes = Buffer.from(found.data, 'base64');
          if (typeof found.sha256 !== 'string' || sha256Hex(bytes) !== found.sha256) {
            throw new Error(`python-package checksum: ${found.file} does not match its sha256`);
          }
          try {
            await this.install(bytes, path.basename(found.file));
          } catch (error) {
            this.fail(project, 'install', error);
          }
          if (!this.failures.has(project)) {
            this.loaded.add(canonical(project));
            say(`loaded ${found.file}: ${megabytes(bytes.length)}\n`);
          }
        } catch (error) {
          this.fail(project, failureKind(error), error);
        }
      } else {
        this.failures.set(project, 'not-found');
      }
      const failure = this.failures.get(project);
      if (failure) return packageMessage(project, failure);
    }
    return null;
  }

  /** The projects of the notebook's `packages` setting (what micropip installed on earlier kernels), installed again from the server's cache. */
  private async loadRemembered(say: (text: string) => void): Promise<void> {
    let list: { project: string; version: string | null }[] = [];
    try {
      const reply = (await this.context.hostCall(PYPI_SERVICE, { remembered: true })) as { packages?: { project: string; version: string | null }[] } | null;
      list = reply?.packages ?? [];
    } catch (error) {
      this.context.log('warn', `the notebook's remembered packages could not be read: ${(error as Error).message}`);
    }
    if (list.length === 0) return;
    say(`loading this notebook's packages: ${list.map((p) => p.project).join(', ')}\n`);
    const problem = await this.installRequirements(list.map((p) => (p.version ? `${p.project}==${p.version}` : p.project)), say);
    if (problem) say(`${problem}\n`);
  }

  private fail(module: string, kind: FailureKind, error: unknown): void {
    this.failures.set(module, kind);
    this.context.log('warn', `package for "${module}" not loaded (${kind}): ${(error as Error)?.message ?? String(error)}`);
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

  /** Appended to a ModuleNotFoundError: in words for the person at the notebook. */
  missingHint(message: string): string {
    const module = /No module named '([^'.]+)/.exec(message)?.[1];
    if (!module) return '';
    return `\n\n${packageMessage(module, this.failures.get(module) ?? 'not-found')}`;
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

  /** The module's package and its dependencies not yet loaded, dependencies first; null when the lock file has no such package. */
  private async fromIndex(module: string): Promise<LockPackage[] | null> {
    if (!this.options.packageBaseUrl) return null;
    const lock = await this.lockfile();
    if (!lock) return null;
    const byImport = Object.values(lock.packages).find((p) => p.imports?.includes(module)) ?? lock.packages[canonical(module)];
    if (!byImport) return null;
    const order: LockPackage[] = [];
    const visit = (name: string, seen: Set<string>): void => {
      const pkg = lock.packages[canonical(name)] ?? lock.packages[name];
      if (!pkg || seen.has(pkg.name) || this.loaded.has(canonical(pkg.name)) || this.isBuiltIn(pkg.name)) return;
      seen.add(pkg.name);
      for (const dep of pkg.depends ?? []) visit(dep, seen);
      order.push(pkg);
    };
    visit(byImport.name, new Set());
    return order;
  }

  private isBuiltIn(name: string): boolean {
    const loadedPackages = this.pyodide.loadedPackages as Record<string, unknown>;
    return name in loadedPackages;
  }

  private async lockfile(): Promise<Lockfile | null> {
    if (this.lock || this.lockError === 'not-found') return this.lock;
    try {
      const bytes = this.options.bundledLock
        ? fs.readFileSync(path.join(this.options.pyodideDir, 'pyodide-lock.json'))
        : await this.fetchFile('pyodide-lock.json');
      const parsed = JSON.parse(new TextDecoder().decode(bytes)) as Lockfile;
      if (!parsed || typeof parsed.packages !== 'object' || parsed.packages === null) throw new Error('python-package not-found: the lock file has no "packages"');
      this.lock = parsed;
    } catch (error) {
      this.lockError = error instanceof SyntaxError ? 'not-found' : failureKind(error);
      this.context.log('warn', `the package host's pyodide-lock.json could not be read: ${(error as Error).message}`);
    }
    return this.lock;
  }

  private async fetchFile(file: string, sha256?: string): Promise<Uint8Array> {
    const reply: JsonValue = await this.context.hostCall(PACKAGE_SERVICE, sha256 ? { file, sha256 } : { file });
    if (!reply || typeof reply !== 'object' || Array.isArray(reply) || typeof reply.data !== 'string') {
      throw new Error(`python-package unreachable: the package service returned no data for ${file}`);
    }
    return Buffer.from(reply.data, 'base64');
  }
}
