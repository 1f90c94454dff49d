import { isNotebookError } from '@rnb/core';
import type { ErrorBody, ErrorCode, ErrorDetails, HostErrorCode } from '@rnb/core/wire';
import { ZodError } from 'zod';

/** Codes the host adds to core's (core's NotebookError codes pass through unchanged): defined in `@rnb/core/wire`. */
export type { HostErrorCode } from '@rnb/core/wire';

/** An error of the host itself, with its HTTP status. */
export class HostError extends Error {
  constructor(
    readonly status: number,
    readonly code: HostErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HostError';
  }
}

export type { ErrorBody, ErrorDetails } from '@rnb/core/wire';

export interface MappedError {
  status: number;
  body: ErrorBody;
  /** True when this is our fault (500): worth a log line with details. */
  internal: boolean;
}

/**
 * Maps anything thrown to the wire shape `{ error: { code, message } }`.
 * Unknown errors become a generic 500: their message may hold internals, and
 * stack traces never leave the server.
 */
export function toErrorResponse(error: unknown): MappedError {
  if (error instanceof HostError) return { status: error.status, body: body(error.code, error.message), internal: error.status >= 500 };
  if (isNotebookError(error) || looksLikeNotebookError(error)) {
    return { status: error.status, body: body(error.code, error.message, detailsOf(error)), internal: error.status >= 500 };
  }
  if (error instanceof ZodError) return { status: 400, body: body('RNB_ERR_INVALID_INPUT', describeZodError(error)), internal: false };
  const status = (error as { status?: unknown; statusCode?: unknown } | null)?.status ?? (error as { statusCode?: unknown } | null)?.statusCode;
  const type = (error as { type?: unknown } | null)?.type;
  // Errors of the body reader (co-body / raw-body) carry a status and a type.
  if (status === 413 || type === 'entity.too.large') return { status: 413, body: body('RNB_ERR_PAYLOAD_TOO_LARGE', 'The request body is too large.'), internal: false };
  if (type === 'entity.parse.failed' || (status === 400 && error instanceof SyntaxError)) {
    return { status: 400, body: body('RNB_ERR_INVALID_JSON', 'The request body is not valid JSON.'), internal: false };
  }
  if (status === 415 || type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return { status: 415, body: body('RNB_ERR_UNSUPPORTED_MEDIA_TYPE', 'Send the body as UTF-8 JSON (Content-Type: application/json).'), internal: false };
  }
  if (status === 400 || type === 'request.aborted' || type === 'request.size.invalid') {
    return { status: 400, body: body('RNB_ERR_INVALID_INPUT', 'The request body could not be read.'), internal: false };
  }
  return { status: 500, body: body('RNB_ERR_INTERNAL', 'Internal server error.'), internal: true };
}

/**
 * A NotebookError from another copy of @rnb/core (a third-party plugin that
 * bundles its own): same shape, different class, same meaning.
 */
function looksLikeNotebookError(error: unknown): error is { code: ErrorCode; status: number; message: string } {
  const e = error as { code?: unknown; status?: unknown; message?: unknown } | null;
  return error instanceof Error && typeof e?.code === 'string' && e.code.startsWith('RNB_ERR_') && typeof e.status === 'number' && e.status >= 400 && e.status < 600 && typeof e.message === 'string';
}

function body(code: ErrorCode, message: string, details?: ErrorDetails): ErrorBody {
  return { error: { ...details, code, message } };
}

/** A NotebookError's `details` (also carried by a forwarded cluster error), scalars only. */
export function detailsOf(error: unknown): ErrorDetails | undefined {
  const details = (error as { details?: unknown } | null)?.details;
  if (typeof details !== 'object' || details === null || Array.isArray(details)) return undefined;
  const scalars = Object.entries(details).filter(([, v]) => v === null || ['string', 'number', 'boolean'].includes(typeof v));
  return scalars.length > 0 ? Object.fromEntries(scalars) as ErrorDetails : undefined;
}

/** "name: expected string, received number; cells.0.code: required" */
export function describeZodError(error: ZodError): string {
  const parts = error.issues.slice(0, 5).map((issue) => {
    const where = issue.path.length > 0 ? issue.path.join('.') : 'body';
    return `${where}: ${issue.message}`;
  });
  return `Invalid request: ${parts.join('; ')}.`;
}
