/**
 * Everything one replica runs beside the store when several share a PostgreSQL database, built
 * from the settings: the lease (membership.ts), the state feed (postgres-state-feed.ts) and the
 * coordination of claims (replication.ts). The app passes `feed` and `coordination` to the
 * service and calls start() before the service starts (the lease must exist before the first
 * claim); the service's close() ends the feed and, through the dispatcher, the coordination.
 * Every session of its own (lease, LISTEN, notifier) is named `flowserv-<purpose>:<replica id>`
 * in pg_stat_activity.
 */
import pg from 'pg';
import type { Logger } from 'pino';
import { componentLogger } from '../logging/logger.js';
import type { ReplicaCoordination } from '../service/replica-coordination.js';
import type { StateFeedFactory } from '../service/state-feed.js';
import { FAULT_DROP_ANNOUNCEMENTS_ENV, type AnnouncementDrops } from './announcement-faults.js';
import { createMembership, type Membership } from './membership.js';
import { createPostgresStateFeed } from './postgres-state-feed.js';
import { createReplication } from './replication.js';

/** What the runtime is built from. */
export interface ReplicaRuntimeOptions {
  /** The store's pool (reads of the feed, claims). */
  readonly pool: pg.Pool;
  /** Connection URL for the sessions of their own; undefined: libpq's PG* variables. */
  readonly databaseUrl?: string | undefined;
  /** Stable part of the replica id (pod name). */
  readonly name: string;
  readonly leaseTtlMs: number;
  readonly leaseRenewMs: number;
  readonly claimScanMs: number;
  /** Interval of the feed's check against the log (the watch heartbeat), in ms. */
  readonly heartbeatIntervalMs: number;
  /** Engines any replica can follow (Slurm). */
  readonly engines: readonly string[];
  /** Engines pinned to the creating replica (local, when allowed). */
  readonly pinnedEngines: readonly string[];
  readonly logger: Logger;
  /** Fault injection for tests only: state announcements to drop (announcement-faults.ts). */
  readonly dropAnnouncements?: AnnouncementDrops | undefined;
}

/** The replica's parts. */
export interface ReplicaRuntime {
  readonly membership: Membership;
  readonly feed: StateFeedFactory;
  readonly coordination: ReplicaCoordination;
  /** Registers the lease (rejects when the database is unreachable). */
  start(): Promise<void>;
}

/** Builds the runtime (nothing connects until start()). */
export function createReplicaRuntime(options: ReplicaRuntimeOptions): ReplicaRuntime {
  const logger = componentLogger(options.logger, 'replicas');
  let membership: Membership | undefined;
  const connect = (purpose: string) => (): pg.Client => {
    const id = membership?.registered() ? membership.current().replicaId : options.name;
    const client = new pg.Client({
      ...(options.databaseUrl !== undefined && { connectionString: options.databaseUrl }),
      application_name: `flowserv-${purpose}:${id}`.slice(0, 63),
      connectionTimeoutMillis: 5000,
    });
    return client;
  };
  const { dropAnnouncements } = options;
  if (dropAnnouncements) logger.warn({ fault: FAULT_DROP_ANNOUNCEMENTS_ENV }, 'fault hook on: some state announcements will be dropped');
  membership = createMembership({ connect: connect('lease'), name: options.name, ttlMs: options.leaseTtlMs, renewMs: options.leaseRenewMs, logger });
  const coordination = createReplication({
    pool: options.pool,
    membership,
    engines: options.engines,
    pinnedEngines: options.pinnedEngines,
    scanIntervalMs: options.claimScanMs,
    logger,
  });
  return {
    membership,
    coordination,
    feed: (hub) =>
      createPostgresStateFeed({
        hub,
        pool: options.pool,
        connect: (purpose) => connect(purpose)(),
        logger,
        checkIntervalMs: options.heartbeatIntervalMs,
        dropAnnouncements,
      }),
    start: () => membership!.start(),
  };
}
