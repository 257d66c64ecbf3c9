/**
 * `flowserv-remote migrate` as a process (what the migration Job of deploy/kubernetes-ha runs):
 * on an empty PostgreSQL database it applies every migration and exits 0, a second run finds
 * nothing to do, an unreachable database exits 1 naming the failure, a bad setting exits 2; on
 * the SQLite default it creates the database file.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { POSTGRES_MIGRATIONS } from '../../../src/store/postgres-schema.js';
import { scratch } from '../../support/fixtures.js';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.js';
import { describeIfAvailable, postgresMissing } from '../../support/requirements.js';
import { runCliProcess } from '../../support/server-process.js';

const logLines = (stdout: string): { msg?: string; applied?: number[]; version?: number }[] =>
  stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg?: string });

describeIfAvailable('flowserv-remote migrate on PostgreSQL', postgresMissing(), () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('applies every migration once, then finds nothing to do', async () => {
    const latest = POSTGRES_MIGRATIONS.at(-1)!.version;
    // Serve's settings, as the Job gets them: the local engine must be pinned or not the default.
    const first = await runCliProcess(['migrate', '--data-dir', scratch(), '--local-engine', 'pinned'], { FLOWSERV_REMOTE_STORE: 'postgres', FLOWSERV_REMOTE_DATABASE_URL: db.url });
    expect(first.code, first.stderr + first.stdout).toBe(0);
    expect(logLines(first.stdout)).toContainEqual(expect.objectContaining({ msg: 'database schema migrated', applied: POSTGRES_MIGRATIONS.map((m) => m.version), version: latest }));
    const { rows } = await db.pool().query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version));

    const again = await runCliProcess(['migrate', '--store', 'postgres', '--database-url', db.url, '--local-engine', 'pinned', '--data-dir', scratch()]);
    expect(again.code).toBe(0);
    expect(logLines(again.stdout)).toContainEqual(expect.objectContaining({ msg: 'database schema up to date', applied: [], version: latest }));
  });

  it('exits 1 naming the failure when the database cannot be reached', async () => {
    const url = new URL(db.url);
    url.pathname = '/flowserv_no_such_database';
    const failed = await runCliProcess(['migrate', '--store', 'postgres', '--database-url', url.toString(), '--local-engine', 'pinned', '--data-dir', scratch()]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('migrating the database failed');
    expect(failed.stdout).toContain('flowserv_no_such_database');
  });
});

it('migrate exits 2 naming a bad setting, and on the SQLite default creates the database file', async () => {
  const bad = await runCliProcess(['migrate', '--store', 'mysql']);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('store');
  const dataDir = scratch();
  const sqlite = await runCliProcess(['migrate', '--data-dir', dataDir]);
  expect(sqlite.code, sqlite.stderr).toBe(0);
  expect(existsSync(join(dataDir, 'flowserv.db'))).toBe(true);
});
