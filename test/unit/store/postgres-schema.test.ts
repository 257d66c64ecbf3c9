/**
 * The PostgreSQL schema and its migrations, against the throwaway cluster of
 * scripts/postgres-dev.sh: replicas starting together migrate once; a failed migration leaves
 * nothing behind; the tables carry the columns the replicas rely on.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ANONYMOUS_OWNER } from '../../../src/model/owner.js';
import { migratePostgres, POSTGRES_MIGRATIONS } from '../../../src/store/postgres-schema.js';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.js';
import { describeIfAvailable, postgresMissing } from '../../support/requirements.js';

describeIfAvailable('postgres schema migrations', postgresMissing(), () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await db.drop();
  });

  it('lets several connections migrate an empty database at once: all succeed, exactly one migrates', async () => {
    const pools = Array.from({ length: 4 }, () => db.pool({ max: 1 }));
    // Every pool holds an open connection first, so the four migrations start as close together as possible.
    await Promise.all(pools.map((p) => p.query('SELECT 1')));
    const results = await Promise.all(pools.map((p) => migratePostgres(p)));
    const latest = POSTGRES_MIGRATIONS.at(-1)!.version;
    expect(results.every((r) => r.version === latest)).toBe(true);
    expect(results.filter((r) => r.applied.length > 0)).toEqual([{ applied: POSTGRES_MIGRATIONS.map((m) => m.version), version: latest }]);
    const rows = await pools[0]!.query('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.rows.map((r) => r.version)).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version));
    expect(await migratePostgres(pools[1]!)).toEqual({ applied: [], version: latest });
  });

  it('rolls a failing migration back entirely and keeps the earlier version', async () => {
    const pool = db.pool();
    const broken = [...POSTGRES_MIGRATIONS, { version: 99, name: 'broken', sql: 'CREATE TABLE half_done (x int); SELECT no_such_column FROM half_done' }];
    await expect(migratePostgres(pool, broken)).rejects.toThrow(/no_such_column/);
    const tables = await pool.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`);
    expect(tables.rows[0].n).toBe(0);
    const first = await migratePostgres(pool);
    expect(first.applied.length).toBe(POSTGRES_MIGRATIONS.length);
    await expect(migratePostgres(pool, broken)).rejects.toThrow(/no_such_column/);
    const half = await pool.query(`SELECT to_regclass('half_done') AS t, (SELECT max(version) FROM schema_migrations) AS v`);
    expect(half.rows[0]).toEqual({ t: null, v: POSTGRES_MIGRATIONS.at(-1)!.version });
  });

  it('creates the tables, replica columns and indexes of the design', async () => {
    const pool = db.pool();
    await migratePostgres(pool);
    const columns = await pool.query<{ table_name: string; column_name: string; data_type: string }>(
      `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public'`,
    );
    const has = (table: string, column: string) => columns.rows.find((c) => c.table_name === table && c.column_name === column)?.data_type;
    expect(has('workflows', 'labels')).toBe('jsonb');
    expect(has('workflows', 'created_at')).toBe('timestamp with time zone');
    expect(has('workflows', 'created_order')).toBe('bigint');
    expect(has('workflows', 'owner')).toBe('text');
    expect(has('workflows', 'job')).toBe('text');
    expect(has('workflows', 'follower')).toBe('text');
    expect(has('workflows', 'follower_epoch')).toBe('bigint');
    expect(has('workflows', 'stop_reason')).toBe('text');
    expect(has('workflows', 'stop_grace_ms')).toBe('integer');
    expect(has('workflow_states', 'state')).toBe('text');
    expect(has('blobs', 'size_bytes')).toBe('bigint');
    expect(has('replicas', 'lease_until')).toBe('timestamp with time zone');
    const indexes = await pool.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE tablename = 'workflows'`);
    expect(indexes.rows.map((r) => r.indexname)).toEqual(expect.arrayContaining(['workflows_by_created', 'workflows_unsettled', 'workflows_by_owner']));
    // created_order is assigned by the database in insertion order and cannot be written by hand.
    const insert = `INSERT INTO workflows (workflow_id, owner, run_id, engine, labels, payload_hash, output_files, job, state_type, sequence, created_at)
      VALUES ($1, 'anonymous', $1, 'slurm', '{}', 'h', '[]', '{}', 'PENDING', 1, now()) RETURNING created_order`;
    const a = await pool.query(insert, ['a']);
    const b = await pool.query(insert, ['b']);
    expect(Number(b.rows[0].created_order)).toBeGreaterThan(Number(a.rows[0].created_order));
    await expect(pool.query(`UPDATE workflows SET created_order = 1`)).rejects.toThrow(/created_order/);
  });

  it('gives every workflow an owner and makes request ids unique per owner, run ids across owners', async () => {
    const pool = db.pool();
    await migratePostgres(pool, POSTGRES_MIGRATIONS.filter((m) => m.version === 1));
    const insert = `INSERT INTO workflows (workflow_id, run_id, engine, labels, request_id, payload_hash, output_files, job, state_type, sequence, created_at, owner)
      VALUES ($1, $2, 'local', '{}', $3, 'h', '[]', '{}', 'PENDING', 1, now(), $4)`;
    await pool.query(insert, ['before', 'run-before', 'req-1', null]);
    await migratePostgres(pool);
    const owners = await pool.query(`SELECT owner FROM workflows WHERE workflow_id = 'before'`);
    expect(owners.rows).toEqual([{ owner: ANONYMOUS_OWNER }]);
    await pool.query(insert, ['bob-1', 'run-bob-1', 'req-1', 'token:bob']);
    await expect(pool.query(insert, ['bob-2', 'run-bob-2', 'req-1', 'token:bob'])).rejects.toThrow(/workflows_owner_request_id_key/);
    await expect(pool.query(insert, ['carol-1', 'run-bob-1', 'req-9', 'token:carol'])).rejects.toThrow(/workflows_run_id_key/);
    await expect(pool.query(`UPDATE workflows SET owner = NULL WHERE workflow_id = 'bob-1'`)).rejects.toThrow(/owner/);
    const indexes = await pool.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE tablename = 'workflows'`);
    expect(indexes.rows.map((r) => r.indexname)).toContain('workflows_by_owner');
  });

  it('keeps the job, its handle and the output keys of earlier rows when they become JSON text', async () => {
    const pool = db.pool();
    await migratePostgres(pool, POSTGRES_MIGRATIONS.filter((m) => m.version <= 2));
    await pool.query(
      `INSERT INTO workflows (workflow_id, owner, run_id, engine, labels, payload_hash, output_files, job, handle, state_type, sequence, created_at)
       VALUES ('old', 'anonymous', 'run-old', 'slurm', '{}', 'h', '["out.txt"]', '{"workflowId": "old", "steps": []}', '{"externalId": "42"}', 'RUNNING', 2, now())`,
    );
    expect((await migratePostgres(pool)).applied).toEqual([3]);
    const { rows } = await pool.query(`SELECT output_files, job, handle FROM workflows WHERE workflow_id = 'old'`);
    expect(JSON.parse(rows[0].output_files)).toEqual(['out.txt']);
    expect(JSON.parse(rows[0].job)).toEqual({ workflowId: 'old', steps: [] });
    expect(JSON.parse(rows[0].handle)).toEqual({ externalId: '42' });
  });
});
