/**
 * Group commit for the SQLite store: writes asked for in the same turn of the event loop run in
 * one IMMEDIATE transaction, and the fsync that makes them durable runs in libuv's thread pool, so
 * the event loop keeps taking requests while the disk syncs. Writes committed while a sync is under
 * way share the next one: under load, many turns' batches cost one fsync.
 *
 * Durability is unchanged: a write's promise settles only after an fsync of the write-ahead log
 * that began after its commit (or with the failure), so nothing is acknowledged or published to
 * watchers before it is on disk. The connection runs with `synchronous=NORMAL`, under which SQLite
 * keeps the log consistent across a power loss but leaves the commit's own fsync out; this module
 * does that fsync (of the same file, so the same guarantee as `synchronous=FULL`). Reads must not
 * hand out what is committed but not yet synced either: they call {@link SqliteWriter.durable}
 * after reading.
 *
 * Each write runs as its own savepoint (better-sqlite3 nests transaction functions that way, and a
 * single statement is atomic by itself): one that throws (an invalid transition, a constraint)
 * rolls back alone and rejects alone; the others still commit.
 */
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SqliteDatabase } from './database.js';

/** A write queued for the next commit. */
interface Pending {
  readonly run: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: unknown) => void;
}

/** A committed write waiting for the fsync that makes it durable. */
interface Unsynced {
  readonly settle: () => void;
  readonly fail: (err: unknown) => void;
}

type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/** Thrown inside the batch when SQLite ended the whole transaction (disk full, I/O error): nothing of it commits. */
class TransactionLost extends Error {
  constructor(readonly original: unknown) {
    super('the group commit transaction was rolled back');
  }
}

/** Queues a write for the next group commit; resolves with its result once committed and synced. */
export type GroupCommit = <T>(write: () => T) => Promise<T>;

/** The one writer of a connection: its group commit and the barrier reads wait on. */
export interface SqliteWriter {
  readonly write: GroupCommit;
  /**
   * Resolves once everything committed so far is on disk (at once when it already is). A read
   * calls it after reading, so that it never answers with a commit a crash could still lose.
   */
  durable(): Promise<void>;
}

/** Fsyncs `path` (opened read-only: Linux syncs the file's data whatever the descriptor's mode). */
async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

const writers = new WeakMap<SqliteDatabase, SqliteWriter>();

/**
 * The writer of `db` (one per connection: every module writing to it shares the batches). Creating
 * it switches the connection to `synchronous=NORMAL`, the writer's fsync taking over the commit's.
 */
export function writerOf(db: SqliteDatabase): SqliteWriter {
  let writer = writers.get(db);
  if (!writer) {
    writer = createWriter(db);
    writers.set(db, writer);
  }
  return writer;
}

/** Syncs the write-ahead log of `db` (and, the first time, its directory entry, as SQLite does for a new log under FULL). */
function logSync(db: SqliteDatabase): () => Promise<void> {
  if (db.memory) return async () => undefined;
  const wal = `${db.name}-wal`;
  let directorySynced = false;
  return async () => {
    if (!directorySynced) {
      await fsyncFile(dirname(wal));
      directorySynced = true;
    }
    await fsyncFile(wal);
  };
}

/**
 * A writer over `db` whose commits are made durable by `sync` (the log's fsync; tests pass their
 * own to hold a sync open). Use {@link writerOf}: a connection must have one writer only.
 */
export function createWriter(db: SqliteDatabase, sync: () => Promise<void> = logSync(db)): SqliteWriter {
  if (!db.memory) db.pragma('synchronous = NORMAL');
  let queue: Pending[] = [];
  /** Committed writes not yet covered by a started sync. */
  let unsynced: Unsynced[] = [];
  /** The sync under way, if any (it rejects when the fsync failed); the next starts after it. */
  let inFlight: Promise<void> | undefined;
  /** Reads waiting for a sync that has not started yet (they saw commits made after the one under way). */
  let next: { promise: Promise<void>; resolve: () => void; reject: (err: unknown) => void } | undefined;

  const runBatch = db.transaction((batch: readonly Pending[]): Outcome[] =>
    batch.map((write) => {
      try {
        return { ok: true, value: write.run() };
      } catch (error) {
        // Some errors make SQLite roll back the whole transaction; what ran before is gone too.
        if (!db.inTransaction) throw new TransactionLost(error);
        return { ok: false, error };
      }
    }),
  );

  /** Starts a sync covering every commit so far, unless one is under way (then the next follows it). */
  const startSync = () => {
    if (inFlight) return;
    const covered = unsynced;
    const waiting = next;
    unsynced = [];
    next = undefined;
    const done = sync();
    inFlight = done;
    void done
      .then(
        () => {
          for (const write of covered) write.settle();
          waiting?.resolve();
        },
        (err: unknown) => {
          for (const write of covered) write.fail(err);
          waiting?.reject(err);
        },
      )
      .finally(() => {
        inFlight = undefined;
        if (unsynced.length > 0 || next) startSync();
      });
  };

  const flush = () => {
    const batch = queue;
    queue = [];
    let outcomes: Outcome[];
    try {
      outcomes = runBatch.immediate(batch);
    } catch (err) {
      const cause = err instanceof TransactionLost ? err.original : err;
      for (const write of batch) write.reject(cause);
      return;
    }
    // A refused write waits for the sync too: what it was refused on may be a commit not yet on disk.
    batch.forEach((write, i) => {
      const outcome = outcomes[i]!;
      const settle = outcome.ok ? () => write.resolve(outcome.value) : () => write.reject(outcome.error);
      unsynced.push({ settle, fail: write.reject });
    });
    startSync();
  };

  return {
    write: <T>(write: () => T) =>
      new Promise<T>((resolve, reject) => {
        if (queue.length === 0) setImmediate(flush);
        queue.push({ run: write, resolve: resolve as (value: unknown) => void, reject });
      }),
    durable() {
      if (unsynced.length === 0 && !next) {
        // Everything committed is on disk, or covered by the sync under way.
        return inFlight ?? Promise.resolve();
      }
      if (!next) {
        let resolve!: () => void;
        let reject!: (err: unknown) => void;
        const promise = new Promise<void>((res, rej) => {
          resolve = res;
          reject = rej;
        });
        next = { promise, resolve, reject };
      }
      const { promise } = next;
      startSync();
      return promise;
    },
  };
}
