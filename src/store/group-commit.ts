/**
 * Group commit for the SQLite store: writes asked for in the same turn of the event loop run in
 * one IMMEDIATE transaction, so many workflows' inserts and transitions share one fsync'd commit
 * instead of paying one each. Durability is unchanged: a write's promise settles only after the
 * commit that holds it (or its failure), so nothing is acknowledged or published to watchers
 * before it is on disk. Each write runs as its own savepoint (better-sqlite3 nests transaction
 * functions that way, and a single statement is atomic by itself): one that throws (an invalid
 * transition, a constraint) rolls back alone and rejects alone; the others still commit.
 */
import type { SqliteDatabase } from './database.js';

/** A write queued for the next commit. */
interface Pending {
  readonly run: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: unknown) => void;
}

type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/** Thrown inside the batch when SQLite ended the whole transaction (disk full, I/O error): nothing of it commits. */
class TransactionLost extends Error {
  constructor(readonly original: unknown) {
    super('the group commit transaction was rolled back');
  }
}

/** Queues a write for the next group commit; resolves with its result once committed. */
export type GroupCommit = <T>(write: () => T) => Promise<T>;

/** Creates the batcher of `db`'s writes; the batch of a turn is committed in the check phase (setImmediate). */
export function createGroupCommit(db: SqliteDatabase): GroupCommit {
  let queue: Pending[] = [];
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
    batch.forEach((write, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) write.resolve(outcome.value);
      else write.reject(outcome.error);
    });
  };
  return <T>(write: () => T) =>
    new Promise<T>((resolve, reject) => {
      if (queue.length === 0) setImmediate(flush);
      queue.push({ run: write, resolve: resolve as (value: unknown) => void, reject });
    });
}
