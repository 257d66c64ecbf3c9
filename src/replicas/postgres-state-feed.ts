/**
 * The state feed of a replica sharing a PostgreSQL database with others. The persisted log is the
 * truth; notifications only say where to look:
 *
 * - a local commit goes to the local hub at once and is announced (state-notifier.ts);
 * - an announcement of another replica for a workflow watched here is queued; one reader at a
 *   time fetches every queued workflow's states after the last one delivered here, in one query,
 *   and publishes them in order (so a lost announcement in the middle leaves no gap);
 * - after the LISTEN session was lost and restored, every watched workflow is checked at once
 *   (as below);
 * - every `checkIntervalMs` (the watch heartbeat), the latest sequence of every watched workflow
 *   is compared with what was delivered, which bounds a lost last announcement (a sender that died
 *   right after its commit) by one interval.
 *
 * Watchers drop sequences they have sent and re-read the log on a gap (watch-states.ts), so a
 * state delivered twice or out of order is never sent twice or skipped.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import type { StateFeed } from '../service/state-feed.js';
import type { WatchHub } from '../service/watch-hub.js';
import { decodeState } from '../store/state-codec.js';
import type { AnnouncementDrops } from './announcement-faults.js';
import { sleep } from '../util/abort.js';
import { createStateListener } from './state-listener.js';
import { createStateNotifier } from './state-notifier.js';

/** What the feed needs. */
export interface PostgresStateFeedOptions {
  readonly hub: WatchHub;
  /** The replica's pool, for the reads. */
  readonly pool: pg.Pool;
  /** A new, unconnected client: the notifier and the listener each get a session of their own. */
  readonly connect: (purpose: 'notify' | 'listen') => pg.Client;
  readonly logger: Logger;
  /** Interval of the safety check, in ms (the watch heartbeat interval). */
  readonly checkIntervalMs: number;
  /** Fault injection for tests: announcements the notifier drops (announcement-faults.ts). */
  readonly dropAnnouncements?: AnnouncementDrops | undefined;
}

/** Counters of the feed (tests, benchmark). */
export interface StateFeedCounts {
  readonly announcementsSent: number;
  /** Announcements not sent: the send failed twice, or the fault hook dropped them. */
  readonly announcementsDropped: number;
  readonly reads: number;
  readonly statesRead: number;
  readonly checks: number;
  readonly listenSessions: number;
}

/**
 * The feed with its counters. Its start() opens the LISTEN session and starts the safety check,
 * and rejects when the database is unreachable.
 */
export interface PostgresStateFeed extends StateFeed {
  /** Runs the safety check now (tests; the timer runs it every interval). */
  check(): Promise<void>;
  counts(): StateFeedCounts;
}

interface StateRow {
  workflow_id: string;
  state: string;
}

/** Reads every listed workflow's states after the given sequence, in order. */
const READ_TAILS = `
  SELECT s.workflow_id, s.state FROM workflow_states s
  JOIN unnest($1::text[], $2::bigint[]) AS q(workflow_id, after_sequence)
    ON s.workflow_id = q.workflow_id AND s.sequence > q.after_sequence
  ORDER BY s.workflow_id, s.sequence`;

/** Creates the feed (not started). */
export function createPostgresStateFeed(options: PostgresStateFeedOptions): PostgresStateFeed {
  const { hub, pool, logger } = options;
  const lifetime = new AbortController();
  /** Per watched workflow, the highest sequence this feed delivered to the hub. */
  const delivered = new Map<string, number>();
  /**
   * Workflows to read, each with where to start when nothing was delivered here yet: just before
   * the announced state. A watcher that lacks earlier states sees a gap and reads them itself.
   */
  let queued = new Map<string, number>();
  let reading: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const counts = { reads: 0, statesRead: 0, checks: 0 };

  const notifier = createStateNotifier({ connect: () => options.connect('notify'), logger, dropAnnouncements: options.dropAnnouncements });
  const listener = createStateListener({
    connect: () => options.connect('listen'),
    logger,
    onAnnounced(workflowId, sequence, senderPid) {
      if (senderPid === notifier.backendPid()) return;
      if (hub.subscriberCount(workflowId) === 0) return;
      if (sequence <= (delivered.get(workflowId) ?? 0)) return;
      enqueue(workflowId, sequence - 1);
    },
    // Whatever was announced while the session was down is lost: compare with the log now.
    onReconnected: () => void check().catch((err: unknown) => logger.warn({ err }, 're-reading watched workflows after a LISTEN break failed')),
  });

  function deliver(workflowId: string, state: ReturnType<typeof decodeState>): void {
    if ((delivered.get(workflowId) ?? 0) < state.sequence) delivered.set(workflowId, state.sequence);
    hub.publish(workflowId, state);
  }

  async function readQueued(): Promise<void> {
    for (let delayMs = 50; queued.size > 0 && !lifetime.signal.aborted; ) {
      const batch = [...queued].filter(([id]) => hub.subscriberCount(id) > 0);
      queued = new Map();
      if (batch.length === 0) continue;
      const ids = batch.map(([id]) => id);
      try {
        const result = await pool.query<StateRow>(READ_TAILS, [ids, batch.map(([id, from]) => delivered.get(id) ?? from)]);
        counts.reads++;
        counts.statesRead += result.rows.length;
        for (const row of result.rows) deliver(row.workflow_id, decodeState(row.state));
        delayMs = 50;
      } catch (err) {
        for (const [id, from] of batch) enqueue(id, from, false);
        logger.warn({ err, workflows: ids.length, retryInMs: delayMs }, 'reading announced states failed; retrying');
        if (!(await sleep(delayMs, lifetime.signal))) return;
        delayMs = Math.min(delayMs * 2, 2000);
      }
    }
  }

  function enqueue(workflowId: string, from: number, start = true): void {
    queued.set(workflowId, Math.min(from, queued.get(workflowId) ?? from));
    if (start) reading ??= readQueued().finally(() => (reading = undefined));
  }

  async function check(): Promise<void> {
    const watched = hub.watchedIds();
    const watchedSet = new Set(watched);
    for (const id of delivered.keys()) if (!watchedSet.has(id)) delivered.delete(id);
    if (watched.length === 0) return;
    counts.checks++;
    const result = await pool.query<{ workflow_id: string; sequence: string }>(
      'SELECT workflow_id, sequence FROM workflows WHERE workflow_id = ANY($1::text[])',
      [watched],
    );
    for (const row of result.rows) {
      const latest = Number(row.sequence);
      if (latest > (delivered.get(row.workflow_id) ?? 0)) enqueue(row.workflow_id, latest - 1);
    }
  }

  return {
    committed(workflowId, state) {
      if (hub.subscriberCount(workflowId) > 0 && (delivered.get(workflowId) ?? 0) < state.sequence) delivered.set(workflowId, state.sequence);
      hub.publish(workflowId, state);
      notifier.announce(workflowId, state.sequence);
    },
    async start() {
      await Promise.all([listener.start(), notifier.open()]);
      const tick = (): void => {
        timer = setTimeout(() => {
          check()
            .catch((err: unknown) => logger.warn({ err }, 'checking watched workflows against the log failed'))
            .finally(() => !lifetime.signal.aborted && tick());
        }, options.checkIntervalMs);
        timer.unref();
      };
      tick();
    },
    check,
    counts: () => ({
      announcementsSent: notifier.counts().sent,
      announcementsDropped: notifier.counts().dropped,
      ...counts,
      listenSessions: listener.sessions(),
    }),
    async close() {
      lifetime.abort();
      clearTimeout(timer);
      await Promise.allSettled([listener.close(), notifier.close(), reading]);
    },
  };
}
