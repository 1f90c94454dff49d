import { ConfigError } from '@rnb/core';
import { createClient } from 'redis';
import type { Logger } from '../logger';

export type RedisClient = ReturnType<typeof createClient>;

export interface RedisConnectOptions {
  url: string;
  log: Logger;
  /** What this connection is for, in log lines ("commands", "adapter-pub"...). */
  role: string;
  /** Attempts at start before giving up with a clear error (default 5, about 2 s). */
  startAttempts?: number;
}

/** The URL without its password, for messages and logs. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable REDIS_URL)';
  }
}

/**
 * One Redis connection. At start a Redis that does not answer is a
 * configuration problem: a few quick attempts, then a ConfigError naming the
 * URL. Once started, a lost connection (Redis restarted, failover) is retried
 * forever with a capped back-off, so instances ride out a Redis restart.
 */
export async function connectRedis(options: RedisConnectOptions): Promise<RedisClient> {
  const attempts = options.startAttempts ?? 5;
  let started = false;
  let lastError = '';
  let warnedAt = 0;
  const client = createClient({
    url: options.url,
    socket: {
      connectTimeout: 3000,
      reconnectStrategy: (retries: number, cause: Error) => {
        lastError = cause?.message ?? String(cause);
        if (!started && retries >= attempts - 1) return new Error(lastError);
        return Math.min(100 * 2 ** retries, 2000);
      },
    },
  });
  client.on('error', (error: Error) => {
    // node-redis reports each failed attempt; one line every 10 s is enough to see an outage.
    const now = Date.now();
    if (started && now - warnedAt > 10_000) {
      warnedAt = now;
      options.log.warn('redis connection lost, reconnecting', { role: options.role, error: error.message });
    }
  });
  client.on('ready', () => {
    if (started && warnedAt !== 0) options.log.info('redis connection back', { role: options.role });
    warnedAt = 0;
  });
  try {
    await client.connect();
  } catch (error) {
    const reason = lastError || (error as Error)?.message || String(error);
    if (client.isOpen) client.destroy();
    throw new ConfigError(
      `REDIS_URL: cannot reach Redis at ${redactRedisUrl(options.url)} (${reason}). Cluster mode needs a running Redis: start it, fix REDIS_URL, or unset REDIS_URL to run a single instance.`,
    );
  }
  started = true;
  return client;
}

/** Closes a connection, waiting for pending replies only while Redis answers. */
export async function closeRedis(client: RedisClient): Promise<void> {
  if (!client.isOpen) return;
  if (!client.isReady) {
    client.destroy();
    return;
  }
  await Promise.race([client.close(), new Promise((resolve) => setTimeout(resolve, 1000).unref())]).catch(() => undefined);
  if (client.isOpen) client.destroy();
}
