import { randomUUID } from 'node:crypto';
import * as os from 'node:os';
import type { NotebookService, NotebookStore } from '@rnb/core';
import { createAdapter } from '@socket.io/redis-adapter';
import type { CommandRouter } from '../commands/command-router';
import type { NotebookEventBus } from '../events/event-bus';
import type { Logger } from '../logger';
import type { SocketGatewayOptions } from '../realtime/socket-gateway';
import { ClusterCommandRouter } from './cluster-command-router';
import { CommandBus } from './command-bus';
import { LeaseFencedStore } from './fenced-store';
import { OwnedEventBus } from './owned-event-bus';
import { closeRedis, connectRedis, redactRedisUrl, type RedisClient } from './redis-connection';
import { RedisLeases } from './redis-lease';

export interface ClusterOptions {
  redisUrl: string;
  /** Lease time to live: how long a dead owner keeps its notebooks (CLUSTER_LEASE_MS, default 5 s). */
  leaseMs: number;
  log: Logger;
  /** Default: host name, pid and a random part, so restarts never reuse one. */
  instanceId?: string;
}

/** What the host plugs into createNotebookServer and attach() to run as one instance of a cluster. */
export interface Cluster {
  readonly instanceId: string;
  readonly adapter: NonNullable<SocketGatewayOptions['adapter']>;
  readonly eventBus: NotebookEventBus;
  wrapStore(store: NotebookStore): NotebookStore;
  commandRouter(context: { service: NotebookService; events: NotebookEventBus; log: Logger }): CommandRouter;
  onNotebookReleased(notebookId: string): void;
  /**
   * Called when this instance's socket.io subscriber is back after its connection to Redis was lost:
   * events other instances published for this instance's clients meanwhile are gone (pub/sub keeps nothing).
   */
  onEventsMissed(listener: () => void): void;
  /** Releases the leases still held and closes the Redis connections (after the notebook server closed). */
  close(): Promise<void>;
}

/**
 * Connects to Redis (a clear error when it does not answer) and builds the
 * cluster-mode parts: the socket.io Redis adapter for events, kernel leases,
 * the command bus between instances and the lease-fenced store.
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const log = options.log.child({ component: 'cluster' });
  const instanceId = options.instanceId ?? `${os.hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const connect = (role: string): Promise<RedisClient> => connectRedis({ url: options.redisUrl, log, role });
  const settled = await Promise.allSettled([connect('main'), connect('adapter-sub'), connect('commands-sub')]);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(settled.map((s) => (s.status === 'fulfilled' ? closeRedis(s.value) : undefined)));
    throw failed.reason;
  }
  const [main, adapterSub, commandsSub] = settled.map((s) => (s as PromiseFulfilledResult<RedisClient>).value) as [RedisClient, RedisClient, RedisClient];

  let router: ClusterCommandRouter | null = null;
  const leases = new RedisLeases({
    redis: main,
    instanceId,
    ttlMs: options.leaseMs,
    log,
    onLost: (notebookId) => router?.leaseLost(notebookId),
  });
  const bus = new CommandBus({ pub: main, sub: commandsSub, instanceId, log });
  // Until the notebook server exists this instance owns nothing: requesters look elsewhere.
  await bus.start((request, accept) => (router ? router.handleRemote(request, accept) : Promise.resolve({ kind: 'not_owner' })));
  const adapter = createAdapter(main, adapterSub, { key: 'rnb-socket.io' });
  log.info('cluster mode', { instance: instanceId, redis: redactRedisUrl(options.redisUrl), leaseMs: options.leaseMs });

  const missedListeners: (() => void)[] = [];
  let subscriberLost = false;
  // Lost: an error on the connection or a reconnection attempt; back: ready again (resubscribed before it says so).
  adapterSub.on('error', () => (subscriberLost = true));
  adapterSub.on('reconnecting', () => (subscriberLost = true));
  adapterSub.on('ready', () => {
    if (!subscriberLost) return;
    subscriberLost = false;
    log.warn('events published while this instance was cut off from Redis were lost: its clients reload their notebooks');
    for (const listener of missedListeners) listener();
  });

  let closed: Promise<void> | null = null;
  return {
    instanceId,
    adapter,
    eventBus: new OwnedEventBus(leases, log),
    wrapStore: (store) => new LeaseFencedStore(store, leases),
    commandRouter({ service, events }) {
      router = new ClusterCommandRouter({ service, events, log, leases, bus });
      return router;
    },
    onNotebookReleased: (notebookId) => router?.notebookReleased(notebookId),
    onEventsMissed: (listener) => missedListeners.push(listener),
    close() {
      closed ??= (async () => {
        leases.stop();
        await leases.releaseAll();
        await bus.close();
        await Promise.all([main, adapterSub, commandsSub].map(closeRedis));
      })();
      return closed;
    },
  };
}
