/**
 * The server side of the kernel's narrow channel for packages: fetches one
 * file by plain name from the configured package host, nothing else. The
 * payload comes from the sandbox, so it is untrusted.
 *
 * Downloads are kept in a cache folder on disk: wheels under their sha256
 * (checked on the way in and on the way out, so a tampered cache is refused
 * too), the host's lock file under the host's name (served from the cache
 * when the host cannot be reached). After the first time a package loads
 * without the network.
 *
 * Failures reach the kernel as `python-package <kind>: <detail>` (kinds:
 * not-found, checksum, timeout, unreachable) so the kernel can tell the
 * person at the notebook in words; the detail is for the log.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HostService, JsonValue } from '@rnb/core';

const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.+-]*\.(whl|json|zip|tar|tar\.gz|tgz)$/;
const SHA256 = /^[0-9a-f]{64}$/;
const MAX_BYTES = 200 * 1024 * 1024;

export type PackageFailureKind = 'not-found' | 'checksum' | 'timeout' | 'unreachable';

export interface PackageSourceOptions {
  /** The package host: a Pyodide distribution folder (official, or the operator's mirror). */
  baseUrl: string;
  /** Where downloads are kept; null keeps nothing. */
  cacheDir?: string | null;
  /** Time limit for one file, in milliseconds (default 120 s). */
  timeoutMs?: number;
  /** The operator's log: where the details of a failure go. */
  log?: (level: 'info' | 'warn', message: string) => void;
}

export class PackageFetchError extends Error {
  constructor(readonly kind: PackageFailureKind, detail: string) {
    super(`python-package ${kind}: ${detail}`);
  }
}

const sha256Of = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export function createPackageService(source: PackageSourceOptions | string): HostService {
  const options = typeof source === 'string' ? { baseUrl: source } : source;
  const baseUrl = options.baseUrl;
  const base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  if (base.protocol !== 'https:' && base.protocol !== 'http:') {
    throw new TypeError(`PYODIDE_PACKAGE_BASE_URL must be an http(s) URL, not "${baseUrl}"`);
  }
  const timeoutMs = options.timeoutMs ?? 120_000;
  const cacheDir = options.cacheDir ?? null;
  const log = options.log ?? (() => undefined);
  // Files without a checksum (the lock file) are cached per host: two mirrors may publish different ones.
  const hostKey = sha256Of(Buffer.from(base.href)).slice(0, 16);

  const readCache = (name: string): Buffer | null => {
    if (!cacheDir) return null;
    try {
      return fs.readFileSync(path.join(cacheDir, name));
    } catch {
      return null;
    }
  };
  const writeCache = (name: string, bytes: Buffer): void => {
    if (!cacheDir) return;
    try {
      fs.mkdirSync(cacheDir, { recursive: true });
      const partial = path.join(cacheDir, `.${name}.${process.pid}.partial`);
      fs.writeFileSync(partial, bytes);
      fs.renameSync(partial, path.join(cacheDir, name));
    } catch (error) {
      log('warn', `python-package: cannot keep ${name} in the cache ${cacheDir}: ${(error as Error).message}`);
    }
  };

  const download = async (file: string, signal: AbortSignal): Promise<Buffer> => {
    const url = new URL(file, base);
    const limit = AbortSignal.timeout(timeoutMs);
    try {
      const response = await fetch(url, { signal: AbortSignal.any([signal, limit]), redirect: 'error' });
      if (!response.ok) throw new PackageFetchError('not-found', `${url.href} answered HTTP ${response.status}`);
      const length = Number(response.headers.get('content-length') ?? '0');
      if (length > MAX_BYTES) throw new PackageFetchError('not-found', `${url.href} is larger than ${MAX_BYTES} bytes`);
      const bytes = Buffer.from(await response.arrayBuffer());
      if (bytes.length > MAX_BYTES) throw new PackageFetchError('not-found', `${url.href} is larger than ${MAX_BYTES} bytes`);
      return bytes;
    } catch (error) {
      if (error instanceof PackageFetchError) throw error;
      if (limit.aborted) throw new PackageFetchError('timeout', `${url.href} did not arrive within ${Math.round(timeoutMs / 1000)} s`);
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new PackageFetchError('unreachable', `${url.href}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
    }
  };

  const fetchVerified = async (file: string, sha256: string, signal: AbortSignal): Promise<Buffer> => {
    const cacheName = `${sha256}-${file}`;
    const cached = readCache(cacheName);
    if (cached && sha256Of(cached) === sha256) return cached;
    if (cached) log('warn', `python-package: the cached ${cacheName} does not match its sha256; downloading it again`);
    const bytes = await download(file, signal);
    const actual = sha256Of(bytes);
    if (actual !== sha256) {
      throw new PackageFetchError('checksum', `${new URL(file, base).href} has sha256 ${actual}, the lock file says ${sha256}: refused`);
    }
    writeCache(cacheName, bytes);
    return bytes;
  };

  const fetchUnverified = async (file: string, signal: AbortSignal): Promise<Buffer> => {
    const cacheName = `${hostKey}-${file}`;
    try {
      const bytes = await download(file, signal);
      writeCache(cacheName, bytes);
      return bytes;
    } catch (error) {
      const cached = (error as PackageFetchError).kind === 'not-found' ? null : readCache(cacheName);
      if (!cached) throw error;
      log('warn', `python-package: ${(error as Error).message}; using the cached copy of ${file}`);
      return cached;
    }
  };

  return async (payload: JsonValue, context): Promise<JsonValue> => {
    const request = payload && typeof payload === 'object' && !Array.isArray(payload) ? payload : {};
    const { file, sha256 } = request;
    if (typeof file !== 'string' || !FILE_NAME.test(file) || file.includes('..')) {
      throw new TypeError('python-package: expected { file } naming one file of the package index');
    }
    if (sha256 !== undefined && (typeof sha256 !== 'string' || !SHA256.test(sha256))) {
      throw new TypeError('python-package: sha256, when given, is 64 lowercase hex digits');
    }
    try {
      const bytes = sha256 ? await fetchVerified(file, sha256, context.signal) : await fetchUnverified(file, context.signal);
      return { data: bytes.toString('base64') };
    } catch (error) {
      log('warn', `${(error as Error).message} (notebook ${context.notebookId})`);
      throw error;
    }
  };
}
