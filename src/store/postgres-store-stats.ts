/**
 * The metrics scrape's figures read from the PostgreSQL store: the same indexed queries as the
 * SQLite ones (store-stats.ts), and the database's size as PostgreSQL reports it. Every
 * replica reports the shared figures (a sum over replicas would count them several times).
 */
import type { Pool } from 'pg';
import type { StoreStats } from './store-stats.js';

/** Creates the queries over a pool on a migrated database. */
export function createPostgresStoreStats(pool: Pool): StoreStats {
  const rows = async <T extends object>(name: string, text: string): Promise<T[]> => (await pool.query<T>({ name, text })).rows;
  return {
    activeWorkflows: async () =>
      (
        await rows<{ state: string; engine: string; count: string }>(
          'statsActive',
          `SELECT state_type AS state, engine, count(*) AS count FROM workflows
           WHERE state_type IN ('PENDING', 'RUNNING') GROUP BY state_type, engine`,
        )
      ).map((r) => ({ state: r.state, engine: r.engine, count: Number(r.count) })),
    queueDepth: async () =>
      (
        await rows<{ engine: string; count: string }>(
          'statsQueued',
          `SELECT engine, count(*) AS count FROM workflows WHERE state_type = 'PENDING' AND handle IS NULL GROUP BY engine`,
        )
      ).map((r) => ({ engine: r.engine, count: Number(r.count) })),
    oldestPending: async () =>
      (
        await rows<{ engine: string; created_at: Date }>(
          'statsOldest',
          `SELECT engine, min(created_at) AS created_at FROM workflows WHERE state_type = 'PENDING' GROUP BY engine`,
        )
      ).map((r) => ({ engine: r.engine, createdAt: r.created_at })),
    async blobStore() {
      const [row] = await rows<{ count: string; bytes: string | null }>('statsBlobs', 'SELECT count(*) AS count, sum(size_bytes) AS bytes FROM blobs');
      return { count: Number(row!.count), bytes: Number(row!.bytes ?? 0) };
    },
    async databaseBytes() {
      const [row] = await rows<{ bytes: string }>('statsDatabase', 'SELECT pg_database_size(current_database()) AS bytes');
      return Number(row!.bytes);
    },
  };
}
