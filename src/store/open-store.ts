/**
 * Opens the store the settings choose: SQLite in the data directory (the single-node default)
 * or PostgreSQL through a `pg` pool (several replicas on one database). Either way the caller
 * gets the same parts: the workflow store, the blob index, the figures for the metrics scrape, a
 * reachability check for the `store` health entry, and close(). The PostgreSQL pool connects
 * lazily; prepare() applies pending migrations (safe when replicas start together). The
 * PostgreSQL modules (and `pg`, several MB of resident memory) are loaded only for that store.
 */
import { join } from 'node:path';
import type pg from 'pg';
import type { Logger } from 'pino';
import { createSqliteBlobIndex, type BlobIndex } from './blob-index.js';
import { openDatabase } from './database.js';
import { writerOf } from './group-commit.js';
import { createSqliteWorkflowStore } from './sqlite-workflow-store.js';
import { createStoreStats, type StoreStats } from './store-stats.js';
import type { WorkflowStore } from './workflow-store.js';

/** Which store and where; see the settings `store` and `databaseUrl`. */
export interface StoreSettings {
  readonly store: 'sqlite' | 'postgres';
  /** SQLite: the database lives in `<dataDir>/flowserv.db`. */
  readonly dataDir: string;
  /** PostgreSQL connection URL; undefined: `pg` reads libpq's PG* environment variables. */
  readonly databaseUrl?: string | undefined;
  /** Connections of the PostgreSQL pool (default 10). */
  readonly poolSize?: number;
  /**
   * The pool's sessions' `application_name` (default `flowserv-remote`), so that
   * pg_stat_activity and the database's logs tell which replica a session belongs to.
   */
  readonly applicationName?: string;
}

/** The opened store. */
export interface OpenedStore {
  readonly kind: StoreSettings['store'];
  readonly workflows: WorkflowStore;
  readonly blobIndex: BlobIndex;
  readonly stats: StoreStats;
  /** The PostgreSQL pool (for the replica modules: leases, claims, the state feed); undefined for SQLite. */
  readonly pool?: pg.Pool;
  /** Brings the schema up to date (PostgreSQL); resolves at once for SQLite (migrated on open). */
  prepare(): Promise<void>;
  /** Resolves when the database answers a query; rejects with why not. */
  ping(signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the store; nothing connects to PostgreSQL until the first query. Asynchronous only to load
 * the PostgreSQL modules on demand: a SQLite server never loads them.
 */
export async function openStore(settings: StoreSettings, logger: Logger): Promise<OpenedStore> {
  if (settings.store === 'sqlite') {
    const file = join(settings.dataDir, 'flowserv.db');
    const db = openDatabase(file);
    return {
      kind: 'sqlite',
      workflows: createSqliteWorkflowStore(db),
      blobIndex: createSqliteBlobIndex(db),
      stats: createStoreStats(db, file),
      prepare: async () => undefined,
      ping: async () => void db.prepare('SELECT 1').get(),
      // A log sync still under way finishes first: closing removes the log it syncs.
      close: async () => {
        await writerOf(db)
          .durable()
          .catch(() => undefined);
        db.close();
      },
    };
  }
  const { openPostgresStore } = await import('./open-postgres-store.js');
  return openPostgresStore(settings, logger);
}
