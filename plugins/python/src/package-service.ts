/**
 * The server side of the kernel's narrow channel for packages: fetches one
 * file by plain name from the configured index, nothing else. The payload
 * comes from the sandbox, so it is untrusted.
 */
import type { HostService, JsonValue } from '@rnb/core';

const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.+-]*\.(whl|json|zip|tar|tar\.gz|tgz)$/;
const MAX_BYTES = 200 * 1024 * 1024;

export function createPackageService(baseUrl: string): HostService {
  const base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  if (base.protocol !== 'https:' && base.protocol !== 'http:') {
    throw new TypeError(`PYODIDE_PACKAGE_BASE_URL must be an http(s) URL, not "${baseUrl}"`);
  }
  return async (payload: JsonValue, context): Promise<JsonValue> => {
    const file = payload && typeof payload === 'object' && !Array.isArray(payload) ? payload.file : undefined;
    if (typeof file !== 'string' || !FILE_NAME.test(file) || file.includes('..')) {
      throw new TypeError('python-package: expected { file } naming one file of the package index');
    }
    const url = new URL(file, base);
    const response = await fetch(url, { signal: context.signal, redirect: 'error' });
    if (!response.ok) throw new Error(`python-package: ${file} not found in the package index (HTTP ${response.status})`);
    const length = Number(response.headers.get('content-length') ?? '0');
    if (length > MAX_BYTES) throw new Error(`python-package: ${file} is larger than ${MAX_BYTES} bytes`);
    const bytes = Buffer.from(await response.arrayBuffer());
    if (bytes.length > MAX_BYTES) throw new Error(`python-package: ${file} is larger than ${MAX_BYTES} bytes`);
    return { data: bytes.toString('base64') };
  };
}
