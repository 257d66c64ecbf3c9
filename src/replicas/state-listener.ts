/**
 * One replica's LISTEN session on the states channel. It is a direct client of its own (never
 * the pool, never through a transaction-pooling proxy, where LISTEN does not work). `pg` does not
 * reconnect by itself: when the session breaks (the server ended the backend, a restart, a
 * network fault) this reconnects with a doubling backoff and LISTENs again, then tells the owner,
 * which re-reads what it may have missed meanwhile.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import { sleep } from '../util/abort.js';
import { parseStatePayload, STATES_CHANNEL } from './state-notifier.js';

/** What the listener needs and whom it tells. */
export interface StateListenerOptions {
  /** A new, unconnected client (the listener's own session). */
  readonly connect: () => pg.Client;
  readonly logger: Logger;
  /** An announcement of another session: `sequence` of `workflowId` is committed. */
  readonly onAnnounced: (workflowId: string, sequence: number, senderPid: number) => void;
  /** LISTEN is in place again after a break: anything announced meanwhile was lost. */
  readonly onReconnected: () => void;
  /** First delay before reconnecting, in ms (default 100); doubles up to `maxBackoffMs`. */
  readonly initialBackoffMs?: number;
  /** Longest delay between reconnect attempts, in ms (default 5000). */
  readonly maxBackoffMs?: number;
}

/** The running listener. */
export interface StateListener {
  /** Connects and LISTENs; rejects when the first attempt fails. */
  start(): Promise<void>;
  /** True while a LISTEN session is up. */
  listening(): boolean;
  /** Sessions opened so far (1 after start; each reconnect adds one). */
  sessions(): number;
  close(): Promise<void>;
}

/** Creates the listener (not yet connected). */
export function createStateListener(options: StateListenerOptions): StateListener {
  const { logger } = options;
  const initialMs = options.initialBackoffMs ?? 100;
  const maxMs = options.maxBackoffMs ?? 5000;
  const lifetime = new AbortController();
  let client: pg.Client | undefined;
  let opened = 0;
  let reconnecting: Promise<void> | undefined;

  async function open(): Promise<void> {
    const fresh = options.connect();
    let broken = false;
    const lost = (err?: Error): void => {
      if (broken) return;
      broken = true;
      if (client === fresh) client = undefined;
      void fresh.end().catch(() => undefined);
      if (lifetime.signal.aborted) return;
      logger.warn({ err }, 'LISTEN session lost; reconnecting');
      reconnecting ??= reconnect().finally(() => (reconnecting = undefined));
    };
    fresh.on('error', lost);
    fresh.on('end', () => lost());
    fresh.on('notification', (msg) => {
      if (msg.channel !== STATES_CHANNEL) return;
      const announced = parseStatePayload(msg.payload);
      if (announced) options.onAnnounced(announced.workflowId, announced.sequence, msg.processId);
    });
    try {
      await fresh.connect();
      await fresh.query(`LISTEN ${STATES_CHANNEL}`);
    } catch (err) {
      broken = true;
      void fresh.end().catch(() => undefined);
      throw err;
    }
    client = fresh;
    opened++;
  }

  async function reconnect(): Promise<void> {
    for (let delayMs = initialMs; !lifetime.signal.aborted; delayMs = Math.min(delayMs * 2, maxMs)) {
      if (!(await sleep(delayMs, lifetime.signal))) return;
      try {
        await open();
        logger.info({ sessions: opened }, 'LISTEN session restored');
        options.onReconnected();
        return;
      } catch (err) {
        logger.warn({ err, retryInMs: Math.min(delayMs * 2, maxMs) }, 'reconnecting the LISTEN session failed');
      }
    }
  }

  return {
    start: open,
    listening: () => client !== undefined,
    sessions: () => opened,
    async close() {
      lifetime.abort();
      await reconnecting;
      const last = client;
      client = undefined;
      await last?.end().catch(() => undefined);
    },
  };
}
