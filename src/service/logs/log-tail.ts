/**
 * One shared reader of a job's log files per server, however many follow them. It lists the
 * files once per check for all followers, and hands out each range it reads as one chunk record
 * that every follower at that offset sends (the server layer encodes a record once), so N
 * followers of one log cost about one in file work and encoding.
 *
 * Change detection adapts to the job, because a watch is not free for the job: with a directory
 * watched, every write() the job makes queues a kernel event and wakes this process (a step
 * printing 50 MB makes thousands, and on a busy machine each wake-up takes CPU from the job).
 * So the tail watches while the logs grow slowly, for a line to arrive at once; once a check
 * finds bulk output (many writes or many bytes since the last one), it drops the watch and looks
 * every `batchIntervalMs`, reading whatever accumulated in one go, until a check finds nothing
 * new and the watch is armed again (with one more look, for what was written in between). Such a
 * check takes a stat of the files that grew at the last one, not a full listing (log-growth.ts).
 *
 * While the job prints in bulk, its followers also keep off the CPU it needs: each sends one
 * chunk per turn of the tail (every `bulkTurnMs`, all of them at the same moment, so at the same
 * offsets sharing one read), and they catch up once the output slows down or the workflow ends.
 * Sending as it is written would take the job's CPU for output no follower can keep up with.
 */
import { join } from 'node:path';
import { listLogFiles, type LogFileInfo } from '../../engines/runner/job-logs.js';
import { RUNNER_FILES } from '../../engines/runner/job-runner.js';
import { sleep } from '../../util/abort.js';
import type { DirChanges, DirWatchers } from '../dir-changes.js';
import { createChunkCache, type ChunkCache } from './chunk-cache.js';
import { fingerprint, grownPaths, restat } from './log-growth.js';
import type { LogChunkRecord } from './log-types.js';
import { createPacer, type Pacer } from './pacer.js';

/** The job's log files as one check found them; `version` grows with every check that saw a change. */
export interface LogListing {
  readonly files: readonly LogFileInfo[];
  readonly version: number;
}

/** A follower's handle on the shared reader of one job's logs; `release()` when done. */
export interface LogTail {
  /** The latest listing (sizes as of the last check). */
  current(): LogListing;
  /** Resolves once a listing newer than `version` exists, `timeoutMs` passed or `signal` aborted. */
  changed(version: number, timeoutMs: number, signal: AbortSignal): Promise<void>;
  /**
   * The bytes of `file` from `offset` up to `end` (at most one chunk) as a record shared with
   * every other follower asking for the same range start while it is cached.
   */
  chunk(file: LogFileInfo, offset: number, end: number): Promise<LogChunkRecord>;
  /**
   * Resolves at once unless the job prints in bulk; then at the tail's next turn (the same
   * moment for every follower), once the output slows down, or when `signal` aborts. True when
   * it let the follower go at a turn: the turn is its pacing, one chunk per follower.
   */
  bulkTurn(signal: AbortSignal): Promise<boolean>;
  /** The job's send budget, shared by its followers (see pacer.ts); undefined when unpaced. */
  readonly pacer: Pacer | undefined;
  release(): void;
}

/** Hands out tails: one per control directory while anyone follows it. */
export interface LogTails {
  acquire(controlDir: string): LogTail;
  /** Control directories being tailed (for tests). */
  openCount(): number;
}

/** Settings of the tails. */
export interface LogTailOptions {
  readonly dirs: DirWatchers;
  /** Longest wait between checks while quiet (no change events on some filesystems), in ms. */
  readonly pollIntervalMs: number;
  /** Wait between checks while the logs grow (no watch then), in ms: the added line latency. */
  readonly batchIntervalMs: number;
  /** Largest chunk record, in bytes. */
  readonly chunkBytes: number;
  /** Bytes of recently read chunks kept for followers that ask for them next, per tail. */
  readonly cacheBytes: number;
  /** Bytes per second all followers of a job together send while it runs, beyond a burst; 0 = unpaced. */
  readonly paceBytesPerSecond?: number;
  readonly paceBurstBytes?: number;
  /** While the job prints in bulk, how often its followers may each send a chunk, in ms (default 250). */
  readonly bulkTurnMs?: number;
}

/**
 * What one check may find before the tail stops watching and reads in batches: this many change
 * events (writes) since the last check, or this many new bytes. A step printing a line now and
 * then stays watched (its lines arrive at once); one printing in bulk is read in batches.
 */
const BULK_EVENTS = 16;
const BULK_BYTES = 64 * 1024;

/** Least time between two checks while watching, in ms: bounds the checks a busy job causes. */
const MIN_CHECK_GAP_MS = 2;

interface Shared {
  refs: number;
  listing: LogListing;
  readonly cache: ChunkCache;
  readonly pacer: Pacer | undefined;
  readonly waiters: Set<() => void>;
  /** Set while the tail reads in batches (bulk output); followers then wait for turns. */
  bulk: boolean;
  readonly turnWaiters: Set<() => void>;
  readonly stop: AbortController;
}

/** Creates the registry of shared tails. */
export function createLogTails(options: LogTailOptions): LogTails {
  const tails = new Map<string, Shared>();
  const bulkTurnMs = options.bulkTurnMs ?? 250;

  /** Checks and publishes until the last follower leaves; see the module comment. */
  async function run(controlDir: string, shared: Shared): Promise<void> {
    const dirs = [controlDir, join(controlDir, RUNNER_FILES.logs)];
    const signal = shared.stop.signal;
    let changes: DirChanges | undefined;
    // The last follower's release closes the watch at once, not at the loop's next turn.
    signal.addEventListener('abort', () => changes?.close(), { once: true });
    let batching = false;
    let seen = '';
    let seenBytes = 0;
    let eventsSeen = 0;
    let checkedAt = 0;
    let turnAt = 0;
    let listed: readonly LogFileInfo[] = [];
    let listedAt = 0;
    let growing = new Set<string>();
    try {
      while (!signal.aborted) {
        if (batching) {
          await sleep(options.batchIntervalMs, signal);
        } else {
          // A fresh watch reports a change at once: the look that covers writes made unwatched.
          changes ??= options.dirs.watch(dirs, options.pollIntervalMs);
          await changes.wait(options.pollIntervalMs, signal);
          const gapMs = MIN_CHECK_GAP_MS - (Date.now() - checkedAt);
          if (gapMs > 0) await sleep(gapMs, signal);
        }
        if (signal.aborted) return;
        checkedAt = Date.now();
        const events = changes ? changes.eventCount() - eventsSeen : 0;
        eventsSeen = changes?.eventCount() ?? 0;
        // While bulk, the growing files alone; the directory at each turn and once they stopped.
        let files = batching && growing.size > 0 && checkedAt - listedAt < bulkTurnMs ? await restat(listed, growing) : undefined;
        if (files === undefined || fingerprint(files) === seen) {
          files = await listLogFiles(controlDir);
          listedAt = checkedAt;
        }
        growing = grownPaths(listed, files);
        listed = files;
        const now = fingerprint(files);
        const bytes = files.reduce((sum, f) => sum + f.sizeBytes, 0);
        const grew = now !== seen;
        const grewBytes = bytes - seenBytes;
        seen = now;
        seenBytes = bytes;
        const wasBatching = batching;
        if (!batching && grew && (events >= BULK_EVENTS || grewBytes >= BULK_BYTES)) {
          batching = true;
          changes?.close();
          changes = undefined;
          eventsSeen = 0;
          turnAt = checkedAt;
        } else if (batching && !grew) {
          batching = false;
        }
        // Set before the followers wake, so that they hold back from the first bulk listing on.
        shared.bulk = batching;
        // While watching, every check wakes the followers (they look at the workflow's state too).
        if (grew || !wasBatching) publish(shared, files);
        if (!batching || checkedAt - turnAt >= bulkTurnMs) {
          turnAt = checkedAt;
          wakeTurns(shared);
        }
      }
    } finally {
      changes?.close();
      shared.bulk = false;
      wakeTurns(shared);
    }
  }

  function wakeTurns(shared: Shared): void {
    for (const wake of [...shared.turnWaiters]) wake();
  }

  function publish(shared: Shared, files: readonly LogFileInfo[]): void {
    shared.listing = { files, version: shared.listing.version + 1 };
    for (const wake of [...shared.waiters]) wake();
  }

  return {
    openCount: () => tails.size,
    acquire(controlDir) {
      let shared = tails.get(controlDir);
      if (!shared) {
        const created: Shared = {
          refs: 0,
          listing: { files: [], version: 0 },
          cache: createChunkCache(options.chunkBytes, options.cacheBytes),
          pacer: options.paceBytesPerSecond ? createPacer(options.paceBytesPerSecond, options.paceBurstBytes ?? 0) : undefined,
          waiters: new Set(),
          bulk: false,
          turnWaiters: new Set(),
          stop: new AbortController(),
        };
        shared = created;
        tails.set(controlDir, created);
        void run(controlDir, created).catch(() => {
          // Listing tolerates a missing directory; anything else ends the checks, and the
          // followers' own timeouts keep them going on the workflow's state.
        });
      }
      const own = shared;
      own.refs++;
      let released = false;
      return {
        current: () => own.listing,
        async changed(version, timeoutMs, signal) {
          if (own.listing.version > version || signal.aborted) return;
          await new Promise<void>((resolve) => {
            const done = (): void => {
              clearTimeout(timer);
              signal.removeEventListener('abort', done);
              own.waiters.delete(done);
              resolve();
            };
            const timer = setTimeout(done, Math.max(0, timeoutMs));
            signal.addEventListener('abort', done, { once: true });
            own.waiters.add(done);
          });
        },
        async bulkTurn(signal) {
          if (!own.bulk || signal.aborted) return false;
          await new Promise<void>((resolve) => {
            const done = (): void => {
              signal.removeEventListener('abort', done);
              own.turnWaiters.delete(done);
              resolve();
            };
            signal.addEventListener('abort', done, { once: true });
            own.turnWaiters.add(done);
          });
          return own.bulk && !signal.aborted;
        },
        chunk: (file, offset, end) => own.cache.chunk(file, offset, end),
        pacer: own.pacer,
        release() {
          if (released) return;
          released = true;
          if (--own.refs > 0) return;
          own.stop.abort();
          for (const wake of [...own.waiters]) wake();
          wakeTurns(own);
          if (tails.get(controlDir) === own) tails.delete(controlDir);
        },
      };
    },
  };
}
