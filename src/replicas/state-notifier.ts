/**
 * Announces committed states to the other replicas. Each announcement is a
 * `pg_notify('flowserv_states', '<workflow id>:<sequence>')` sent AFTER the state's commit, from a
 * session of its own with `synchronous_commit = off`: a NOTIFY inside the writing transaction
 * would serialize every notifying commit of the cluster (PostgreSQL holds one lock from NOTIFY
 * until after the commit), while a lost announcement only costs latency, because receivers read
 * the log itself and check it at every heartbeat. Everything announced while a send is in flight
 * goes out together in the next one (one statement, one transaction).
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import { FAULT_DROP_ANNOUNCEMENTS_ENV, type AnnouncementDrops } from './announcement-faults.js';

/** The channel every replica listens on. */
export const STATES_CHANNEL = 'flowserv_states';

/** `<workflow id>:<sequence>`, the whole payload (a state itself can exceed NOTIFY's 8000 bytes). */
export function statePayload(workflowId: string, sequence: number): string {
  return `${workflowId}:${sequence}`;
}

/** Parses a payload; undefined for anything else on the channel. */
export function parseStatePayload(payload: string | undefined): { workflowId: string; sequence: number } | undefined {
  const at = payload?.lastIndexOf(':') ?? -1;
  if (!payload || at <= 0) return undefined;
  const sequence = Number(payload.slice(at + 1));
  return Number.isSafeInteger(sequence) && sequence > 0 ? { workflowId: payload.slice(0, at), sequence } : undefined;
}

/** The notifier of one replica. */
export interface StateNotifier {
  /** Queues an announcement; sent at once, or with the next batch while one is in flight. */
  announce(workflowId: string, sequence: number): void;
  /** Opens the session ahead of the first announcement (which would otherwise wait for it). */
  open(): Promise<void>;
  /** Resolves once everything announced so far was sent (or given up after a failed retry). */
  flush(): Promise<void>;
  /** The notifier session's backend pid (listeners skip their own replica's announcements). */
  backendPid(): number | undefined;
  /** Announcements sent and batches used (for tests and the benchmark). */
  counts(): { readonly sent: number; readonly batches: number; readonly dropped: number };
  close(): Promise<void>;
}

/** What the notifier needs. */
export interface StateNotifierOptions {
  /** A new, unconnected client for the notifier's own session (never a pooled one). */
  readonly connect: () => pg.Client;
  readonly logger: Logger;
  /** Fault injection for tests (announcement-faults.ts): announcements to drop instead of sending. */
  readonly dropAnnouncements?: AnnouncementDrops | undefined;
}

/** Creates the notifier; its session is opened by the first announcement. */
export function createStateNotifier(options: StateNotifierOptions): StateNotifier {
  const { logger } = options;
  let pending: string[] = [];
  let running: Promise<void> | undefined;
  let client: pg.Client | undefined;
  let pid: number | undefined;
  let closed = false;
  const counts = { sent: 0, batches: 0, dropped: 0 };

  async function session(): Promise<pg.Client> {
    if (client) return client;
    const fresh = options.connect();
    // A broken session is replaced by the next send; the error must not crash the process.
    fresh.on('error', (err) => logger.warn({ err }, 'state notifier session failed'));
    fresh.on('end', () => {
      if (client === fresh) client = undefined;
    });
    await fresh.connect();
    await fresh.query('SET synchronous_commit = off');
    const result = await fresh.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    pid = result.rows[0]!.pid;
    client = fresh;
    return fresh;
  }

  async function send(batch: string[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const c = await session();
        await c.query('SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p', [STATES_CHANNEL, batch]);
        counts.sent += batch.length;
        counts.batches++;
        return;
      } catch (err) {
        const broken = client;
        client = undefined;
        void broken?.end().catch(() => undefined);
        if (attempt >= 2 || closed) {
          counts.dropped += batch.length;
          logger.warn({ err, dropped: batch.length }, 'could not announce states; other replicas read them at their next check');
          return;
        }
      }
    }
  }

  async function drain(): Promise<void> {
    while (pending.length > 0) {
      const batch = pending;
      pending = [];
      await send(batch);
    }
    running = undefined;
  }

  return {
    announce(workflowId, sequence) {
      if (closed) return;
      if (options.dropAnnouncements?.take(sequence)) {
        counts.dropped++;
        logger.warn({ workflowId, sequence, fault: FAULT_DROP_ANNOUNCEMENTS_ENV }, 'fault hook: announcement dropped');
        return;
      }
      pending.push(statePayload(workflowId, sequence));
      running ??= drain();
    },
    open: async () => void (await session()),
    flush: async () => {
      while (running) await running;
    },
    backendPid: () => pid,
    counts: () => ({ ...counts }),
    async close() {
      while (running) await running;
      closed = true;
      await client?.end().catch(() => undefined);
      client = undefined;
    },
  };
}
