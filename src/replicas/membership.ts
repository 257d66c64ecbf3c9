/**
 * Replica membership on a shared PostgreSQL database: one lease row per live replica
 * incarnation in `replicas`, judged by the database's clock (so clock skew between replicas does
 * not matter). A replica registers under `<name>-<random>` with the next epoch, renews every
 * `renewMs`, and is dead for the others once `lease_until` passed. When a renewal finds its row
 * expired or gone, or no renewal succeeded for `ttlMs - renewMs` (self-fence: the database may
 * already consider it dead), the incarnation ends: its signal aborts, so everything it followed
 * stops at once, and a new incarnation registers with a new id. A paused process that wakes up
 * therefore never acts under an id the others have written off; its follower writes are fenced
 * in the database anyway (claims.ts).
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from 'pino';

/** One life of this replica in the membership. */
export interface Incarnation {
  /** The replica id, unique per incarnation; the `follower` of the rows it claims. */
  readonly replicaId: string;
  /** 1 for the process's first incarnation, then +1 per lost lease. */
  readonly epoch: number;
  /** Aborted when the lease is lost or given up. */
  readonly signal: AbortSignal;
}

/** The membership of one process. */
export interface Membership {
  /** Registers the first incarnation; rejects when the database is unreachable. */
  start(): Promise<void>;
  /** The current incarnation (after start; see registered()). */
  current(): Incarnation;
  /** True once the first incarnation registered. */
  registered(): boolean;
  /** True while the current incarnation surely holds its lease (renewed within ttl - renew). */
  live(): boolean;
  /** Called with each new incarnation after a lost lease (the dispatcher claims afresh under it). */
  onIncarnation(listener: (incarnation: Incarnation) => void): void;
  /** Ends the incarnation and deletes its row, so its claims are free at once (graceful drain). */
  close(): Promise<void>;
}

/** Settings and dependencies. */
export interface MembershipOptions {
  /** A new, unconnected client for the lease session (renewals never wait behind the pool). */
  readonly connect: () => pg.Client;
  /** The stable part of the replica id (pod name or host name). */
  readonly name: string;
  /** Lease time to live, in ms (default 15000). */
  readonly ttlMs: number;
  /** Renewal interval, in ms (default 5000); must be well below ttlMs. */
  readonly renewMs: number;
  readonly logger: Logger;
}

/** Creates the membership (not yet registered). */
export function createMembership(options: MembershipOptions): Membership {
  const { ttlMs, renewMs, logger } = options;
  if (!(renewMs > 0 && renewMs * 2 <= ttlMs)) throw new Error(`lease renewal (${renewMs} ms) must be at most half the TTL (${ttlMs} ms)`);
  const listeners: ((incarnation: Incarnation) => void)[] = [];
  let client: pg.Client | undefined;
  let epoch = 0;
  let incarnation: (Incarnation & { readonly abort: AbortController }) | undefined;
  /** performance.now() when the last successful renewal (or registration) was sent. */
  let heldSince = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  async function query(sql: string, params: unknown[]): Promise<number> {
    if (!client) {
      const fresh = options.connect();
      fresh.on('error', (err) => {
        logger.warn({ err }, 'lease session failed');
        if (client === fresh) client = undefined;
      });
      await fresh.connect();
      client = fresh;
    }
    try {
      return (await client.query(sql, params)).rowCount ?? 0;
    } catch (err) {
      const broken = client;
      client = undefined;
      void broken.end().catch(() => undefined);
      throw err;
    }
  }

  async function register(): Promise<void> {
    const sentAt = performance.now();
    const replicaId = `${options.name}-${randomBytes(4).toString('hex')}`;
    await query('DELETE FROM replicas WHERE lease_until < clock_timestamp() - interval \'1 hour\'', []);
    await query('INSERT INTO replicas (replica_id, epoch, lease_until) VALUES ($1, $2, clock_timestamp() + $3 * interval \'1 millisecond\')', [replicaId, epoch + 1, ttlMs]);
    epoch++;
    heldSince = sentAt;
    const abort = new AbortController();
    incarnation = { replicaId, epoch, signal: abort.signal, abort };
    logger.info({ replicaId, epoch, ttlMs, renewMs }, 'replica registered');
  }

  function end(reason: string): void {
    if (!incarnation || incarnation.signal.aborted) return;
    logger.warn({ replicaId: incarnation.replicaId, epoch: incarnation.epoch, reason }, 'replica lease lost; stopping everything this incarnation followed');
    incarnation.abort.abort(new Error(reason));
  }

  async function renew(): Promise<void> {
    const current = incarnation!;
    if (current.signal.aborted) {
      await register();
      for (const listener of listeners) listener(incarnation!);
      return;
    }
    const sentAt = performance.now();
    const renewed = await query(
      `UPDATE replicas SET lease_until = clock_timestamp() + $3 * interval '1 millisecond'
       WHERE replica_id = $1 AND epoch = $2 AND lease_until >= clock_timestamp()`,
      [current.replicaId, current.epoch, ttlMs],
    );
    if (renewed === 1) heldSince = sentAt;
    else end('the lease expired before it was renewed');
  }

  function schedule(): void {
    timer = setTimeout(() => {
      if (performance.now() - heldSince > ttlMs - renewMs) end(`no lease renewal for ${ttlMs - renewMs} ms`);
      renew()
        .catch((err: unknown) => {
          logger.warn({ err }, 'renewing the replica lease failed');
          if (performance.now() - heldSince > ttlMs - renewMs) end(`no lease renewal for ${ttlMs - renewMs} ms`);
        })
        .finally(() => !closed && schedule());
    }, renewMs);
    timer.unref();
  }

  return {
    async start() {
      await register();
      schedule();
    },
    current: () => incarnation!,
    registered: () => incarnation !== undefined,
    live: () => incarnation !== undefined && !incarnation.signal.aborted && performance.now() - heldSince <= ttlMs - renewMs,
    onIncarnation: (listener) => void listeners.push(listener),
    async close() {
      closed = true;
      clearTimeout(timer);
      const last = incarnation;
      if (last && !last.signal.aborted) last.abort.abort(new Error('the replica is shutting down'));
      try {
        if (last) await query('DELETE FROM replicas WHERE replica_id = $1', [last.replicaId]);
      } catch (err) {
        logger.warn({ err }, 'could not remove the replica lease; it expires by itself');
      }
      await client?.end().catch(() => undefined);
      client = undefined;
    },
  };
}
