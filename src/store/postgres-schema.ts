/**
 * The PostgreSQL schema (the store for several replicas on one database) and its migrations.
 * Same tables as the SQLite schema (database.ts) with PostgreSQL types (labels as jsonb for the
 * label filter; the job, its handle and the output keys as JSON text, read back as written),
 * plus what replicas need: an identity column as the listing's tie-break (there is no rowid), the follower claim
 * and its fencing epoch, a durable stop request, and one lease row per live replica.
 *
 * Migrations run in one transaction under a transaction-scoped advisory lock, so replicas that
 * start together against an empty database queue up: the first applies every pending migration,
 * the others then find nothing left to do. Applied versions are rows of `schema_migrations`.
 */
import type { Pool } from 'pg';
import { ANONYMOUS_OWNER } from '../model/owner.js';

/** Advisory lock key that serializes migrations (an arbitrary constant owned by this schema). */
export const MIGRATION_LOCK_KEY = 7_361_527_015_092n;

/** One schema change; `version`s are consecutive from 1 and never reused or edited once released. */
export interface PostgresMigration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** Every migration, in order. */
export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'workflows, state logs, blobs, replicas',
    sql: `
    CREATE TABLE workflows (
      workflow_id text PRIMARY KEY,
      run_id text NOT NULL UNIQUE,
      group_id text,
      flowserv_workflow_id text,
      engine text NOT NULL,
      labels jsonb NOT NULL,
      request_id text UNIQUE,
      payload_hash text NOT NULL,
      output_files jsonb NOT NULL,
      job jsonb NOT NULL,
      handle jsonb,
      job_done boolean NOT NULL DEFAULT false,
      state_type text NOT NULL,
      sequence integer NOT NULL,
      created_at timestamptz NOT NULL,
      created_order bigint GENERATED ALWAYS AS IDENTITY,
      owner text,
      follower text,
      follower_epoch bigint NOT NULL DEFAULT 0,
      stop_reason text,
      stop_grace_ms integer
    );
    CREATE INDEX workflows_by_created ON workflows (created_at DESC, created_order DESC);
    CREATE INDEX workflows_by_state ON workflows (state_type, engine);
    CREATE INDEX workflows_unsettled ON workflows (engine, follower)
      WHERE state_type IN ('PENDING', 'RUNNING') OR (handle IS NOT NULL AND NOT job_done);
    CREATE TABLE workflow_states (
      workflow_id text NOT NULL REFERENCES workflows (workflow_id) ON DELETE CASCADE,
      sequence integer NOT NULL,
      state text NOT NULL,
      PRIMARY KEY (workflow_id, sequence)
    );
    CREATE TABLE blobs (
      sha256 text PRIMARY KEY,
      size_bytes bigint NOT NULL,
      created_at timestamptz NOT NULL
    );
    CREATE TABLE replicas (
      replica_id text PRIMARY KEY,
      epoch bigint NOT NULL DEFAULT 0,
      lease_until timestamptz NOT NULL
    );
    `,
  },
  {
    version: 2,
    name: 'owners: request ids unique per owner',
    // As in the SQLite schema (database.ts): every workflow has an owner (rows without one belong
    // to the anonymous owner, see src/model/owner.ts), a request id is unique per owner, a run id
    // across the service, and the owner's list has an index of its own.
    sql: `
    UPDATE workflows SET owner = '${ANONYMOUS_OWNER}' WHERE owner IS NULL;
    ALTER TABLE workflows ALTER COLUMN owner SET DEFAULT '${ANONYMOUS_OWNER}', ALTER COLUMN owner SET NOT NULL;
    ALTER TABLE workflows DROP CONSTRAINT workflows_request_id_key;
    ALTER TABLE workflows ADD CONSTRAINT workflows_owner_request_id_key UNIQUE (owner, request_id);
    CREATE INDEX workflows_by_owner ON workflows (owner, created_at DESC, created_order DESC);
    `,
  },
  {
    version: 3,
    name: 'job, handle and output keys as JSON text',
    // The store reads them back whole and never queries inside them: as text they come back as
    // written (jsonb would reorder keys and refuse the escaped NUL a job's text may carry).
    sql: `
    ALTER TABLE workflows
      ALTER COLUMN output_files TYPE text USING output_files::text,
      ALTER COLUMN job TYPE text USING job::text,
      ALTER COLUMN handle TYPE text USING handle::text;
    `,
  },
];

/** What one migrate call did. */
export interface MigrationResult {
  /** Versions this call applied (empty when another process had already applied them). */
  readonly applied: readonly number[];
  /** The schema version afterwards. */
  readonly version: number;
}

/**
 * Brings the database to the latest schema version. Safe to call from several processes at
 * once (see the module comment); throws, leaving the database unchanged, if a migration fails.
 */
export async function migratePostgres(pool: Pool, migrations: readonly PostgresMigration[] = POSTGRES_MIGRATIONS): Promise<MigrationResult> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      const done = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
      const have = new Set(done.rows.map((r) => r.version));
      const applied: number[] = [];
      for (const m of migrations) {
        if (have.has(m.version)) continue;
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
        applied.push(m.version);
      }
      await client.query('COMMIT');
      return { applied, version: Math.max(0, ...have, ...applied) };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  } finally {
    client.release();
  }
}
