/**
 * Node's permission model refuses a file outside the kernel's allowed paths
 * with `ERR_ACCESS_DENIED` and "Access to this API has been restricted",
 * which tells a plugin author nothing. This names the file and what to
 * change. Imports nothing: it runs inside the kernel's worker.
 */

/** What the kernel knows of a runtime when one of its calls is refused. */
export interface RuntimeAccess {
  language: string;
  module: string;
  readPaths: readonly string[];
}

interface AccessDeniedError {
  code: 'ERR_ACCESS_DENIED';
  permission?: unknown;
  resource?: unknown;
}

function isAccessDenied(error: unknown): error is AccessDeniedError {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ERR_ACCESS_DENIED';
}

/** The message for a refused file access, or null when `error` is something else. */
export function describeAccessDenied(error: unknown, runtime: RuntimeAccess): string | null {
  if (!isAccessDenied(error)) return null;
  const resource = typeof error.resource === 'string' && error.resource !== '' ? error.resource : 'a file';
  const allowed = [runtime.module, ...runtime.readPaths];
  switch (error.permission) {
    case 'FileSystemRead':
      return (
        `The kernel may not read ${resource}: the "${runtime.language}" runtime can read only its module and its language's ` +
        `runtime.readPaths (${allowed.join(', ')}). Add the file or its folder to readPaths in the language definition.`
      );
    case 'FileSystemWrite':
      return `The kernel may not write ${resource}: kernels write no files (the "${runtime.language}" runtime can keep data in memory or ask the server through hostCall).`;
    default:
      return `The kernel may not do this (${String(error.permission ?? 'permission denied')}${resource === 'a file' ? '' : `: ${resource}`}): kernels run sandboxed, without child processes or writes, and read only their runtimes' readPaths.`;
  }
}
