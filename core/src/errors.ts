/**
 * Typed errors with stable codes. Every error a user or host can see carries
 * a code (for programs), a message a person can act on, and the HTTP status a
 * host should answer with.
 */
import type { CoreErrorCode } from './wire';

/** Every code of the wire (core's and the host's): defined once in ./wire, which the page imports too. */
export type { CoreErrorCode, ErrorCode, HostErrorCode } from './wire';

const STATUS: Record<CoreErrorCode, number> = {
  RNB_ERR_NOTEBOOK_NOT_FOUND: 404,
  RNB_ERR_CELL_NOT_FOUND: 404,
  RNB_ERR_CONFLICT: 409,
  RNB_ERR_EDIT_CONFLICT: 409,
  RNB_ERR_CELL_EXISTS: 409,
  RNB_ERR_INVALID_INPUT: 400,
  RNB_ERR_PAYLOAD_TOO_LARGE: 413,
  RNB_ERR_UNKNOWN_LANGUAGE: 400,
  RNB_ERR_PLUGIN: 500,
  RNB_ERR_PLUGIN_TIMEOUT: 500,
  RNB_ERR_KERNEL: 500,
  RNB_ERR_KERNEL_BUSY: 503,
  RNB_ERR_STORAGE: 500,
  RNB_ERR_UNAUTHORIZED: 401,
  RNB_ERR_CONFIG: 500,
  RNB_ERR_NOTEBOOK_TOO_LARGE: 413,
  RNB_ERR_QUOTA_EXCEEDED: 409,
  RNB_ERR_RUNTIME_BUSY: 503,
  RNB_ERR_RUNTIME_TIMEOUT: 504,
  RNB_ERR_RUNTIME_CALL_FAILED: 502,
};

export class NotebookError extends Error {
  readonly code: CoreErrorCode;
  readonly status: number;
  /** Extra fields a host adds to the error body (snake_case, JSON values), e.g. `current_code`. */
  details?: Readonly<Record<string, string | number | boolean | null>>;
  constructor(code: CoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NotebookError';
    this.code = code;
    this.status = STATUS[code];
  }
}

export class NotFoundError extends NotebookError {
  constructor(what: 'notebook' | 'cell', id: string) {
    super(what === 'notebook' ? 'RNB_ERR_NOTEBOOK_NOT_FOUND' : 'RNB_ERR_CELL_NOT_FOUND', `No ${what} with id "${truncate(id)}".`);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends NotebookError {
  readonly currentRevision: number;
  constructor(expected: number, current: number) {
    super('RNB_ERR_CONFLICT', `The notebook changed since revision ${expected} (it is now at revision ${current}); reload it and apply your change again.`);
    this.name = 'ConflictError';
    this.currentRevision = current;
  }
}

/**
 * A cell edit based on code the cell no longer holds (someone else saved in between). Not a
 * ConflictError: that one means another process owns the notebook.
 */
export class EditConflictError extends NotebookError {
  readonly currentCode: string;
  constructor(currentCode: string) {
    super('RNB_ERR_EDIT_CONFLICT', 'The cell changed since your edit began (someone else saved it); nothing was changed. Merge your text with current_code and save again with it as base_code.');
    this.name = 'EditConflictError';
    this.currentCode = currentCode;
    this.details = { current_code: currentCode };
  }
}

export class InvalidInputError extends NotebookError {
  constructor(message: string) {
    super('RNB_ERR_INVALID_INPUT', message);
    this.name = 'InvalidInputError';
  }
}

/** Something the caller sent is over a configured size limit (HTTP 413); the message names the limit. */
export class TooLargeError extends NotebookError {
  constructor(message: string) {
    super('RNB_ERR_PAYLOAD_TOO_LARGE', message);
    this.name = 'TooLargeError';
  }
}

export class PluginError extends NotebookError {
  readonly pluginId: string;
  constructor(pluginId: string, message: string, options?: { cause?: unknown; timeout?: boolean }) {
    super(options?.timeout ? 'RNB_ERR_PLUGIN_TIMEOUT' : 'RNB_ERR_PLUGIN', `Plugin "${pluginId}": ${message}`, options);
    this.name = 'PluginError';
    this.pluginId = pluginId;
  }
}

export class KernelError extends NotebookError {
  constructor(message: string, options?: { cause?: unknown; busy?: boolean }) {
    super(options?.busy ? 'RNB_ERR_KERNEL_BUSY' : 'RNB_ERR_KERNEL', message, options);
    this.name = 'KernelError';
  }
}

export class StorageError extends NotebookError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('RNB_ERR_STORAGE', message, options);
    this.name = 'StorageError';
  }
}

export class UnauthorizedError extends NotebookError {
  constructor(message = 'Sign in again: the token is missing, invalid or expired.') {
    super('RNB_ERR_UNAUTHORIZED', message);
    this.name = 'UnauthorizedError';
  }
}

export class ConfigError extends NotebookError {
  constructor(message: string) {
    super('RNB_ERR_CONFIG', message);
    this.name = 'ConfigError';
  }
}

/**
 * A size limit refused a change; `limit` names it (the host's setting). One
 * notebook over its limits: 413 RNB_ERR_NOTEBOOK_TOO_LARGE; a user over their
 * share (notebooks, bytes): 409 RNB_ERR_QUOTA_EXCEEDED.
 */
export class LimitError extends NotebookError {
  readonly limit: string;
  constructor(scope: 'notebook' | 'user', limit: string, message: string) {
    super(scope === 'notebook' ? 'RNB_ERR_NOTEBOOK_TOO_LARGE' : 'RNB_ERR_QUOTA_EXCEEDED', message);
    this.name = 'LimitError';
    this.limit = limit;
  }
}

/**
 * A runtime call (LanguageRuntime.call) that got no answer: the request was
 * over the size limit, the runtime was running a cell, did not answer in
 * time, or failed (no such method, it threw, its answer was too large).
 */
export class RuntimeCallError extends NotebookError {
  constructor(kind: 'too_large' | 'busy' | 'timeout' | 'failed', message: string) {
    super(RUNTIME_CALL_CODES[kind], message);
    this.name = 'RuntimeCallError';
  }
}

const RUNTIME_CALL_CODES = {
  too_large: 'RNB_ERR_PAYLOAD_TOO_LARGE',
  busy: 'RNB_ERR_RUNTIME_BUSY',
  timeout: 'RNB_ERR_RUNTIME_TIMEOUT',
  failed: 'RNB_ERR_RUNTIME_CALL_FAILED',
} as const satisfies Record<string, CoreErrorCode>;

export function isNotebookError(value: unknown): value is NotebookError {
  return value instanceof NotebookError;
}

function truncate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
