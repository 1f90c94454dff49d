import { isNotebookError, StorageError } from '@rnb/core';

export interface RetryPolicy {
  /** Attempts in all, the first included (default 8). */
  maxAttempts: number;
  /** First backoff ceiling in ms; it doubles with each attempt (default 50). */
  baseDelayMs: number;
  /** Largest backoff in ms (default 5000). */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 50, maxDelayMs: 5000 };

/** DynamoDB's answers that mean "too much, slow down": always safe to retry, nothing was written. */
const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'TransactionInProgressException',
]);

const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'TimeoutError', 'RequestTimeout']);

export type FailureKind = 'throttled' | 'transient' | 'final';

interface AwsErrorShape {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

export function classify(error: unknown, depth = 0): FailureKind {
  const e = (error ?? {}) as AwsErrorShape & { cause?: unknown; message?: string };
  if (e.name && THROTTLING.has(e.name)) return 'throttled';
  const status = e.$metadata?.httpStatusCode ?? 0;
  if (status >= 500 || e.name === 'InternalServerError' || e.name === 'ServiceUnavailable') return 'transient';
  if ((e.code && NETWORK.has(e.code)) || (e.name && NETWORK.has(e.name))) return 'transient';
  // The SDK wraps socket errors from another realm (e.g. under jest) as "AWS SDK error wrapper for ...".
  if (typeof e.message === 'string' && /socket hang up|ECONNRESET|ETIMEDOUT|EPIPE|ECONNREFUSED/.test(e.message)) return 'transient';
  if (e.cause !== undefined && depth < 5) return classify(e.cause, depth + 1);
  return 'final';
}

/**
 * Runs `attempt` again after throttling and transient failures, with
 * exponential backoff and full jitter (AWS's advice: spreads retrying
 * instances apart). `attempt` receives its number, from 1, so a conditional
 * write can tell that an earlier try may have been applied already.
 */
export async function withRetries<T>(policy: RetryPolicy, what: string, attempt: (n: number) => Promise<T>): Promise<T> {
  let throttled = 0;
  const started = Date.now();
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (isNotebookError(error)) throw error;
      const kind = classify(error);
      if (kind === 'final') throw error;
      if (kind === 'throttled') throttled++;
      if (n >= policy.maxAttempts) {
        const elapsed = Date.now() - started;
        if (throttled > 0) {
          throw new StorageError(
            `DynamoDB kept throttling ${what} (${n} attempts over ${elapsed} ms): raise the table's capacity or switch it to on-demand billing.`,
            { cause: error },
          );
        }
        throw new StorageError(`DynamoDB kept failing to ${what} (${n} attempts over ${elapsed} ms): ${(error as Error).message}`, { cause: error });
      }
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 1));
      await new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
    }
  }
}
