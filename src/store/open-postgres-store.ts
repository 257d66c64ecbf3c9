/**
 * The PostgreSQL half of openStore (src/store/open-store.ts), in a module of its own so that a
 * server on SQLite never loads `pg` or the PostgreSQL store modules.
 */
import pg from 'pg';
import type { Logger } from 'pino';
import type { OpenedStore, StoreSettings } from './open-store.js';
import { createPostgresBlobIndex } from './postgres-blob-index.js';
import { migratePostgres } from './postgres-schema.js';
import { createPostgresStoreStats } from './postgres-store-stats.js';
import { createPostgresWorkflowStore } from './postgres-workflow-store.js';

/** Opens the PostgreSQL store through a `pg` pool; nothing connects until the first query. */
export function openPostgresStore(settings: StoreSettings, logger: Logger): OpenedStore {
  const pool = new pg.Pool({
    ...(settings.databaseUrl !== undefined && { connectionString: settings.databaseUrl }),
    max: settings.poolSize ?? 10,
    application_name: (settings.applicationName ?? 'flowserv-remote').slice(0, 63),
    connectionTimeoutMillis: 5_000,
  });
  // An idle connection the database closed (restart, failover) is replaced on the next query.
  pool.on('error', (err) => logger.warn({ err }, 'an idle database connection failed'));
  return {
    kind: 'postgres',
    pool,
    workflows: createPostgresWorkflowStore(pool),
    blobIndex: createPostgresBlobIndex(pool),
    stats: createPostgresStoreStats(pool),
    async prepare() {
      const { applied, version } = await migratePostgres(pool);
      logger.info({ applied, version }, applied.length > 0 ? 'database schema migrated' : 'database schema up to date');
    },
    async ping() {
      await pool.query('SELECT 1');
    },
    close: () => pool.end(),
  };
}
