/**
 * The server side of `micropip.install` in the kernel: given a project name
 * (and optionally an exact version), finds a pure-Python wheel on the
 * configured PyPI-compatible index (the "simple" API, PEP 503 HTML or PEP 691
 * JSON), downloads it, checks it against the index's sha256 and keeps it in
 * the cache folder. The kernel names a project, never a URL.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatPackageList, PACKAGES_FIELD, parsePackageList, type HostService, type HostServiceContext, type JsonValue } from '@rnb/core';
import { PackageFetchError } from './package-service';

const PROJECT = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,200}[A-Za-z0-9])?$/;
const VERSION = /^[A-Za-z0-9.+!_-]{1,64}$/;
const MAX_BYTES = 100 * 1024 * 1024;

export interface PypiServiceOptions {
  /** A PyPI-compatible simple index, e.g. https://pypi.org/simple/. */
  indexUrl: string;
  cacheDir?: string | null;
  /**
   * Where earlier versions remembered each notebook's installed projects (one
   * small JSON file per notebook). Read once per notebook and moved into the
   * notebook's own `packages` setting, then deleted. Null: nothing to migrate.
   */
  recordDir?: string | null;
  timeoutMs?: number;
  log?: (level: 'info' | 'warn', message: string) => void;
}

interface Candidate {
  fileName: string;
  url: URL;
  sha256: string | null;
  version: string;
}

const canonical = (name: string): string => name.toLowerCase().replace(/[-_.]+/g, '-');

/** Release versions compare by their numbers; pre-releases (letters) are left out unless asked for exactly. */
function newer(a: string, b: string): boolean {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return false;
}

/** The pure-Python wheels of `project` listed on a simple-index page (HTML or JSON). */
export function pureWheels(project: string, page: string, pageUrl: URL): Candidate[] {
  const links: { name: string; href: string; sha256: string | null }[] = [];
  const trimmed = page.trimStart();
  if (trimmed.startsWith('{')) {
    const json = JSON.parse(page) as { files?: { filename?: string; url?: string; hashes?: { sha256?: string } }[] };
    for (const f of json.files ?? []) {
      if (typeof f.filename === 'string' && typeof f.url === 'string') links.push({ name: f.filename, href: f.url, sha256: f.hashes?.sha256 ?? null });
    }
  } else {
    for (const match of page.matchAll(/<a\s[^>]*href="([^"]+)"[^>]*>([^<]+)<\/a>/gi)) {
      links.push({ name: match[2]!.trim(), href: match[1]!.replace(/&amp;/g, '&'), sha256: null });
    }
  }
  const result: Candidate[] = [];
  for (const link of links) {
    const parts = link.name.replace(/\.whl$/, '').split('-');
    if (!link.name.endsWith('.whl') || parts.length < 5 || canonical(parts[0]!) !== canonical(project)) continue;
    const [pythonTag = '', abiTag = '', platformTag = ''] = parts.slice(-3);
    if (abiTag !== 'none' || platformTag !== 'any' || !pythonTag.split('.').some((tag) => tag === 'py3' || tag.startsWith('py3'))) continue;
    const url = new URL(link.href, pageUrl);
    const fragment = /sha256=([0-9a-f]{64})/.exec(url.hash)?.[1] ?? null;
    url.hash = '';
    if (url.protocol !== 'https:' && url.protocol !== 'http:') continue;
    result.push({ fileName: link.name, url, sha256: link.sha256 ?? fragment, version: parts[1]! });
  }
  return result;
}

export function createPypiService(options: PypiServiceOptions): HostService {
  const index = new URL(options.indexUrl.endsWith('/') ? options.indexUrl : `${options.indexUrl}/`);
  if (index.protocol !== 'https:' && index.protocol !== 'http:') {
    throw new TypeError(`PYODIDE_PYPI_INDEX_URL must be an http(s) URL, not "${options.indexUrl}"`);
  }
  const timeoutMs = options.timeoutMs ?? 120_000;
  const log = options.log ?? (() => undefined);

  const get = async (url: URL, signal: AbortSignal, accept: string): Promise<Buffer> => {
    const limit = AbortSignal.timeout(timeoutMs);
    try {
      const response = await fetch(url, { signal: AbortSignal.any([signal, limit]), headers: { accept } });
      if (!response.ok) throw new PackageFetchError('not-found', `${url.href} answered HTTP ${response.status}`);
      const bytes = Buffer.from(await response.arrayBuffer());
      if (bytes.length > MAX_BYTES) throw new PackageFetchError('not-found', `${url.href} is larger than ${MAX_BYTES} bytes`);
      return bytes;
    } catch (error) {
      if (error instanceof PackageFetchError) throw error;
      if (limit.aborted) throw new PackageFetchError('timeout', `${url.href} did not arrive within ${Math.round(timeoutMs / 1000)} s`);
      const cause = (error as { cause?: { code?: string } }).cause;
      throw new PackageFetchError('unreachable', `${url.href}: ${cause?.code ?? (error as Error).message}`);
    }
  };

  /** A wheel from the cache folder, only when its bytes still match the sha256. */
  const readCached = (file: string, sha256: string): Buffer | null => {
    if (!options.cacheDir || !/^[0-9a-f]{64}$/.test(sha256) || file.includes('/') || file.includes('..')) return null;
    try {
      const bytes = fs.readFileSync(path.join(options.cacheDir, `${sha256}-${file}`));
      return createHash('sha256').update(bytes).digest('hex') === sha256 ? bytes : null;
    } catch {
      return null;
    }
  };

  const resolve = async (project: string, version: string | null, signal: AbortSignal): Promise<{ file: string; sha256: string; data: Buffer }> => {
    const pageUrl = new URL(`${canonical(project)}/`, index);
    const page = (await get(pageUrl, signal, 'application/vnd.pypi.simple.v1+json, text/html;q=0.1')).toString('utf8');
    const wheels = pureWheels(project, page, pageUrl).filter((c) => (version ? c.version === version : /^[0-9.]+$/.test(c.version)));
    const best = wheels.reduce<Candidate | null>((found, c) => (!found || newer(c.version, found.version) ? c : found), null);
    if (!best) throw new PackageFetchError('not-found', `${pageUrl.href} lists no pure-Python wheel${version ? ` of version ${version}` : ''} for ${project}`);
    if (!best.sha256) throw new PackageFetchError('checksum', `${best.url.href} has no sha256 on the index: refused`);
    const cacheName = `${best.sha256}-${best.fileName}`;
    const cached = readCached(best.fileName, best.sha256);
    if (cached) return { file: best.fileName, sha256: best.sha256, data: cached };
    const data = await get(best.url, signal, '*/*');
    const actual = createHash('sha256').update(data).digest('hex');
    if (actual !== best.sha256) throw new PackageFetchError('checksum', `${best.url.href} has sha256 ${actual}, the index says ${best.sha256}: refused`);
    if (options.cacheDir) {
      try {
        fs.mkdirSync(options.cacheDir, { recursive: true });
        const partial = path.join(options.cacheDir, `.${cacheName}.${process.pid}.partial`);
        fs.writeFileSync(partial, data);
        fs.renameSync(partial, path.join(options.cacheDir, cacheName));
      } catch (error) {
        log('warn', `python-pypi: cannot keep ${cacheName} in the cache: ${(error as Error).message}`);
      }
    }
    return { file: best.fileName, sha256: best.sha256, data };
  };

  interface Remembered { project: string; version: string | null }
  /** `name==1.2` (or a bare name: hand-written in a file's PEP 723 block) as a project and its exact version. */
  const requirementOf = (requirement: string): Remembered | null => {
    const match = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(?:==\s*([A-Za-z0-9.+!_-]+)\s*$|[<>=!~;].*$|$)/.exec(requirement);
    if (!match || !PROJECT.test(match[1]!)) return null;
    return { project: match[1]!, version: match[2] && VERSION.test(match[2]) ? match[2] : null };
  };
  const legacyRecord = (notebookId: string): string | null =>
    options.recordDir ? path.join(options.recordDir, `${createHash('sha256').update(notebookId).digest('hex').slice(0, 32)}.json`) : null;
  const readLegacy = (file: string): Remembered[] => {
    try {
      const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { packages?: { project?: unknown; version?: unknown }[] };
      return (parsed.packages ?? []).flatMap((p) =>
        typeof p.project === 'string' && PROJECT.test(p.project) && typeof p.version === 'string' && VERSION.test(p.version) ? [{ project: p.project, version: p.version }] : [],
      );
    } catch {
      return [];
    }
  };
  const asRequirement = (p: Remembered): string => (p.version ? `${p.project}==${p.version}` : p.project);
  /** Stores the list in the notebook's `packages` setting; false when this notebook cannot store it (an app viewer's copy). */
  const store = async (context: HostServiceContext, packages: Remembered[]): Promise<boolean> => {
    if (!context.updateSettings) return false;
    try {
      await context.updateSettings({ [PACKAGES_FIELD]: packages.length > 0 ? formatPackageList(packages.map(asRequirement)) : null });
      return true;
    } catch (error) {
      log('warn', `python-pypi: cannot store the packages of notebook ${context.notebookId}: ${(error as Error).message}`);
      return false;
    }
  };
  /** The notebook's packages (its `packages` setting), with what the old server-side record held moved into it once. */
  const remembered = async (context: HostServiceContext): Promise<Remembered[]> => {
    const listed = parsePackageList(context.settings[PACKAGES_FIELD]).flatMap((r) => requirementOf(r) ?? []);
    const legacy = legacyRecord(context.notebookId);
    if (!legacy || !fs.existsSync(legacy)) return listed;
    const moved = readLegacy(legacy).filter((old) => !listed.some((p) => canonical(p.project) === canonical(old.project)));
    const all = [...listed, ...moved];
    if (moved.length === 0 || (await store(context, all))) {
      fs.rmSync(legacy, { force: true });
      if (moved.length > 0) log('info', `python-pypi: moved ${moved.length} remembered package(s) of notebook ${context.notebookId} into the notebook's settings`);
    }
    return all;
  };
  /** A wheel of `project` at `version` already in the cache (named `<sha256>-<file>`, checked again when read): no index needed. */
  const cachedWheel = (project: string, version: string): { file: string; sha256: string; data: Buffer } | null => {
    if (!options.cacheDir) return null;
    let names: string[];
    try {
      names = fs.readdirSync(options.cacheDir);
    } catch {
      return null;
    }
    for (const name of names) {
      const match = /^([0-9a-f]{64})-(([^-]+)-([^-]+)-.+\.whl)$/.exec(name);
      if (!match || canonical(match[3]!) !== canonical(project) || match[4] !== version) continue;
      const data = readCached(match[2]!, match[1]!);
      if (data) return { file: match[2]!, sha256: match[1]!, data };
    }
    return null;
  };

  return async (payload: JsonValue, context): Promise<JsonValue> => {
    const request = payload && typeof payload === 'object' && !Array.isArray(payload) ? payload : {};
    if (request.remembered === true) return { packages: (await remembered(context)).map((p) => ({ project: p.project, version: p.version })) };
    const { project, version } = request;
    if (typeof project !== 'string' || !PROJECT.test(project)) throw new TypeError('python-pypi: expected { project } naming one project');
    if (version !== undefined && version !== null && (typeof version !== 'string' || !VERSION.test(version))) {
      throw new TypeError('python-pypi: version, when given, is one exact version');
    }
    try {
      // A project this notebook lists at an exact version comes from the cache without asking the index (offline after the first time).
      const list = await remembered(context);
      const known = list.find((p) => canonical(p.project) === canonical(project) && (typeof version !== 'string' || p.version === version));
      const wanted = typeof version === 'string' ? version : (known?.version ?? null);
      // The listed version, not the newest: a notebook moved to a new server installs what it had.
      const found = (wanted ? cachedWheel(project, wanted) : null) ?? (await resolve(project, wanted, context.signal));
      const installed: Remembered = { project, version: found.file.split('-')[1]! };
      if (!known || known.version !== installed.version) {
        await store(context, [...list.filter((p) => canonical(p.project) !== canonical(project)), installed]);
      }
      return { file: found.file, sha256: found.sha256, data: found.data.toString('base64') };
    } catch (error) {
      log('warn', `${(error as Error).message.replace(/^python-package/, 'python-pypi')} (notebook ${context.notebookId})`);
      throw error;
    }
  };
}
