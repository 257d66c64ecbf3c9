/**
 * Read-only figures about the store for the metrics scrape: active workflows by state and
 * engine, workflows accepted but not yet submitted to their engine (the queue), the blob store's
 * size and the database files' size. Each is one indexed query or a stat, cheap enough to run
 * on every scrape; reading them from the store (not from counters) keeps them right across restarts.
 */
import { statSync } from 'node:fs';
import type { SqliteDatabase } from './database.js';

/** A figure, read at once (SQLite) or over the network (PostgreSQL). */
type Figure<T> = T | Promise<T>;

/** The figures; see the module comment. */
export interface StoreStats {
  activeWorkflows(): Figure<{ state: string; engine: string; count: number }[]>;
  /** PENDING workflows without a job handle: waiting for engine capacity or a retry. */
  queueDepth(): Figure<{ engine: string; count: number }[]>;
  /** Creation time of the oldest PENDING workflow, per engine that has one. */
  oldestPending(): Figure<{ engine: string; createdAt: Date }[]>;
  blobStore(): Figure<{ count: number; bytes: number }>;
  /** Bytes of the database: SQLite's file plus its WAL (0 for files that do not exist), or PostgreSQL's database. */
  databaseBytes(): Figure<number>;
}

/** Creates the queries over an open database stored at `file`. */
export function createStoreStats(db: SqliteDatabase, file: string): StoreStats {
  const active = db.prepare<[], { state: string; engine: string; count: number }>(
    `SELECT state_type AS state, engine, count(*) AS count FROM workflows
     WHERE state_type IN ('PENDING', 'RUNNING') GROUP BY state_type, engine`,
  );
  const queued = db.prepare<[], { engine: string; count: number }>(
    `SELECT engine, count(*) AS count FROM workflows WHERE state_type = 'PENDING' AND handle IS NULL GROUP BY engine`,
  );
  const oldest = db.prepare<[], { engine: string; created_at: string }>(
    `SELECT engine, min(created_at) AS created_at FROM workflows WHERE state_type = 'PENDING' GROUP BY engine`,
  );
  const blobs = db.prepare<[], { count: number; bytes: number | null }>('SELECT count(*) AS count, sum(size_bytes) AS bytes FROM blobs');
  const sizeOf = (path: string) => statSync(path, { throwIfNoEntry: false })?.size ?? 0;
  return {
    activeWorkflows: () => active.all(),
    queueDepth: () => queued.all(),
    oldestPending: () => oldest.all().map((row) => ({ engine: row.engine, createdAt: new Date(row.created_at) })),
    blobStore() {
      const row = blobs.get()!;
      return { count: row.count, bytes: row.bytes ?? 0 };
    },
    databaseBytes: () => sizeOf(file) + sizeOf(`${file}-wal`),
  };
}
