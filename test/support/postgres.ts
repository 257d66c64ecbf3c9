/**
 * Helpers for the tests against the throwaway PostgreSQL that `scripts/postgres-dev.sh up`
 * starts (CI runs it before the tests; locally, run it yourself). Each test file gets a fresh,
 * empty database of its own, so files run in parallel and leave nothing behind. A file that
 * restarts the database starts a whole cluster of its own instead (startOwnCluster).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { REPO_ROOT } from './fixtures.js';
import { postgresUrl } from './requirements.js';

const execFileAsync = promisify(execFile);

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

/** Debian's PostgreSQL 15 server binaries (what scripts/postgres-dev.sh runs). */
const PG_CTL = '/usr/lib/postgresql/15/bin/pg_ctl';

/** A throwaway cluster of one test file's own (scripts/postgres-dev.sh in a directory of its own). */
export interface OwnCluster {
  /** URL of its `postgres` database (Unix socket). */
  readonly url: string;
  /** `pg_ctl restart -m fast`: every session ends; resolves once it accepts connections again, with the time it took in ms. */
  restart(): Promise<number>;
  /** Stops the cluster and deletes it. */
  down(): Promise<void>;
}

/**
 * Why a test file cannot start a cluster of its own here, or undefined when it can: the script
 * runs the server as user `postgres` (root needed) with the binaries of Debian's postgresql-15.
 */
export function ownClusterMissing(): string | undefined {
  if (process.getuid?.() !== 0) return 'starting a PostgreSQL cluster of its own needs root (scripts/postgres-dev.sh)';
  if (!existsSync(PG_CTL)) return `${PG_CTL} is missing (scripts/postgres-dev.sh up installs postgresql-15)`;
  return undefined;
}

/**
 * Starts a cluster of the caller's own, for a test that stops or restarts the database: the
 * cluster the other test files share must never go away under them.
 */
export async function startOwnCluster(): Promise<OwnCluster> {
  const dir = join(tmpdir(), `flowserv-pg-own-${randomBytes(4).toString('hex')}`);
  const script = join(REPO_ROOT, 'scripts', 'postgres-dev.sh');
  const run = async (verb: string): Promise<string> =>
    (await execFileAsync('bash', [script, verb], { env: { ...process.env, FLOWSERV_PG_DEV_DIR: dir }, timeout: 120_000 })).stdout.trim();
  const url = await run('up');
  return {
    url,
    async restart() {
      const started = performance.now();
      await run('restart');
      return Math.round(performance.now() - started);
    },
    down: async () => void (await run('down')),
  };
}
