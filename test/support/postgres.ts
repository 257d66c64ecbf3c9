/**
 * Helpers for the tests against the throwaway PostgreSQL that `scripts/postgres-dev.sh up`
 * starts (CI runs it before the tests; locally, run it yourself). Each test file gets a fresh,
 * empty database of its own, so files run in parallel and leave nothing behind.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { postgresUrl } from './requirements.js';

/** A database of its own for one test file; `drop()` removes it (connections are closed first). */
export interface TestDatabase {
  readonly url: string;
  /** A pool on the database (closed by drop()). */
  pool(options?: pg.PoolConfig): pg.Pool;
  drop(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Creates an empty database named `flowserv_test_<random>` on the test cluster. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const admin = postgresUrl();
  if (admin === undefined) throw new Error('no PostgreSQL URL (see postgresMissing)');
  const name = `flowserv_test_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = withDatabase(admin, name);
  const pools: pg.Pool[] = [];
  return {
    url,
    pool(options) {
      const pool = new pg.Pool({ connectionString: url, ...options });
      // drop() ends the pools, then forces the database away; a client still closing then gets
      // the server's 'terminating connection' as an error event, which would be uncaught. A test
      // that ends the database's sessions itself does the same to idle clients, which the pool
      // reports as its own error event.
      pool.on('connect', (client) => client.on('error', () => {}));
      pool.on('error', () => {});
      pools.push(pool);
      return pool;
    },
    async drop() {
      await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
