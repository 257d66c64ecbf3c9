/**
 * A fresh PostgreSQL database per test file for the replica modules (feed, membership, claims),
 * on the throwaway cluster of scripts/postgres-dev.sh. The URL comes from
 * FLOWSERV_TEST_DATABASE_URL, else from the file the script writes; without either the suites
 * skip locally (and fail in CI, see requirements.ts).
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { REPLICA_SCHEMA } from './replica-schema.js';

/** The URL of the test cluster, or undefined. */
export function testClusterUrl(): string | undefined {
  if (process.env.FLOWSERV_TEST_DATABASE_URL) return process.env.FLOWSERV_TEST_DATABASE_URL;
  try {
    return readFileSync(`${process.env.FLOWSERV_PG_DEV_DIR ?? '/tmp/flowserv-postgres-dev'}/url`, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Why the PostgreSQL suites cannot run, or undefined when they can. */
export const postgresMissing: string | undefined = testClusterUrl() === undefined
  ? 'no PostgreSQL test cluster (run scripts/postgres-dev.sh up, or set FLOWSERV_TEST_DATABASE_URL)'
  : undefined;

/** The same URL pointing at another database of the cluster. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** A scratch database with the schema; `drop()` removes it (ending any session left on it). */
export interface ScratchDatabase {
  readonly url: string;
  readonly name: string;
  /** A new, unconnected client with the given application_name. */
  client(applicationName?: string): pg.Client;
  drop(): Promise<void>;
}

/** Creates a database named after `prefix` with the replica schema. */
export async function createScratchDatabase(prefix: string): Promise<ScratchDatabase> {
  const base = testClusterUrl()!;
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = withDatabase(base, name);
  const setup = new pg.Client({ connectionString: url });
  await setup.connect();
  await setup.query(REPLICA_SCHEMA);
  await setup.end();
  return {
    url,
    name,
    client: (applicationName) => new pg.Client({ connectionString: url, ...(applicationName && { application_name: applicationName }) }),
    async drop() {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
