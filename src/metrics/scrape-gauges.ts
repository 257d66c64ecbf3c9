/**
 * Gauges computed at scrape time from the store rather than counted on events, so they are
 * right from the first scrape after a restart: active workflows, queue depth, the oldest
 * PENDING workflow's age, blob store and database size.
 */
import type { Registry } from 'prom-client';
import { loadPromClient } from './prom-client.js';

/** Values read at scrape time rather than counted on events. */
export interface ScrapeSources {
  /** Workflows in PENDING or RUNNING, by state and engine. */
  activeWorkflows(): Figure<readonly { readonly state: string; readonly engine: string; readonly count: number }[]>;
  /** PENDING workflows whose job is not submitted yet (waiting for engine capacity), by engine. */
  queueDepth(): Figure<readonly { readonly engine: string; readonly count: number }[]>;
  /** Creation time of the oldest PENDING workflow, per engine that has one. */
  oldestPending(): Figure<readonly { readonly engine: string; readonly createdAt: Date }[]>;
  /** Uploaded and result blobs: how many and their total size in bytes. */
  blobStore(): Figure<{ readonly count: number; readonly bytes: number }>;
  /** Size of the database in bytes: SQLite's files (main, WAL), or the PostgreSQL database. */
  databaseBytes(): Figure<number>;
}

/** A value read at once or asynchronously (a store on the network); the scrape waits for it. */
type Figure<T> = T | Promise<T>;

/** Registers the gauges whose values `sources` gives at each scrape. */
export function registerScrapeGauges(registry: Registry, sources: ScrapeSources): void {
  const { Gauge } = loadPromClient();
  new Gauge({
    name: 'flowserv_workflows_active',
    help: 'Workflows not yet in a final state, by state (PENDING, RUNNING) and engine.',
    labelNames: ['state', 'engine'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await sources.activeWorkflows()) this.set({ state: row.state, engine: row.engine }, row.count);
    },
  });
  new Gauge({
    name: 'flowserv_workflow_queue_depth',
    help: 'Accepted workflows waiting for engine capacity before their job is submitted.',
    labelNames: ['engine'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await sources.queueDepth()) this.set({ engine: row.engine }, row.count);
    },
  });
  new Gauge({
    name: 'flowserv_workflow_oldest_pending_seconds',
    help: 'Age of the oldest workflow still PENDING, per engine (absent when none is pending), in seconds.',
    labelNames: ['engine'],
    registers: [registry],
    async collect() {
      this.reset();
      const now = Date.now();
      for (const row of await sources.oldestPending()) this.set({ engine: row.engine }, Math.max(0, (now - row.createdAt.getTime()) / 1000));
    },
  });
  new Gauge({
    name: 'flowserv_blob_store_bytes',
    help: 'Total size of the content-addressed blob store (uploads and result files), in bytes.',
    registers: [registry],
    async collect() {
      this.set((await sources.blobStore()).bytes);
    },
  });
  new Gauge({
    name: 'flowserv_blob_store_files',
    help: 'Number of blobs in the content-addressed store.',
    registers: [registry],
    async collect() {
      this.set((await sources.blobStore()).count);
    },
  });
  new Gauge({
    name: 'flowserv_store_database_bytes',
    help: 'Size of the database: the SQLite files (main and WAL), or the PostgreSQL database, in bytes.',
    registers: [registry],
    async collect() {
      this.set(await sources.databaseBytes());
    },
  });
}
