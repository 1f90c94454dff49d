import { isNotebookError, StorageError } from '@rnb/core';

export function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

/**
 * Turns a file-system failure into a StorageError a person can act on:
 * `action` says what we were doing ("save notebook \"x\""), `path` where.
 */
export function storageError(error: unknown, action: string, path: string): Error {
  if (isNotebookError(error)) return error;
  const code = errno(error);
  let reason: string;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      reason = `permission denied on ${path}: the server's user needs read and write access to the notebook folder (NOTEBOOK_DIR)`;
      break;
    case 'EROFS':
      reason = `${path} is on a read-only file system: point NOTEBOOK_DIR at a writable folder`;
      break;
    case 'ENOSPC':
      reason = `the disk holding ${path} is full: free some space, nothing was changed`;
      break;
    case 'EDQUOT':
      reason = `the disk quota for ${path} is used up: free some space, nothing was changed`;
      break;
    case 'EMFILE':
    case 'ENFILE':
      reason = 'too many open files: raise the limit (ulimit -n) or lower the load';
      break;
    case 'EIO':
      reason = `the disk reported an input/output error on ${path}`;
      break;
    default:
      reason = `${(error as Error)?.message ?? String(error)}`;
  }
  return new StorageError(`Could not ${action}: ${reason}${code ? ` (${code})` : ''}.`, { cause: error });
}
