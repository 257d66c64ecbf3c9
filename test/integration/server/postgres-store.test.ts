/**
 * A real `serve` process on the PostgreSQL store (--store postgres --database-url): a workflow
 * is created on the local engine pinned to the replica, watched and downloaded through the CLI,
 * and lives in the database; the `store` health entry follows the database's reachability; with
 * the local engine off, CreateWorkflow on `local` is FAILED_PRECONDITION naming the setting.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import pg from 'pg';
import { runCliInProcess } from '../../support/cli.js';
import { HELLOWORLD_DIR, NAMES_FILE, scratch } from '../../support/fixtures.js';
import { callError } from '../../support/grpc-calls.js';
import { remoteClient } from '../../support/grpc-clients.js';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.js';
import { describeIfAvailable, postgresMissing, postgresUrl } from '../../support/requirements.js';
import { spawnServerProcess, type ServerProcess } from '../../support/server-process.js';
import { shellRequest } from '../../support/shell-request.js';

async function stop(server: ServerProcess | undefined): Promise<void> {
  if (!server || server.child.exitCode !== null) return;
  server.child.kill('SIGTERM');
  await server.exited;
}

describeIfAvailable('a server process on the PostgreSQL store', postgresMissing(), () => {
  let db: TestDatabase;
  let pinned: ServerProcess | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
    pinned = await spawnServerProcess(scratch(), ['--store', 'postgres', '--database-url', db.url, '--local-engine', 'pinned', '--engine-health-interval-ms', '200']);
  });
  afterAll(async () => {
    await stop(pinned);
    await db.drop();
  });

  const cli = (...argv: string[]) => runCliInProcess(argv, { FLOWSERV_REMOTE_SERVER: pinned!.address });

  it('creates, watches and downloads a workflow on the pinned local engine; the database holds it', async () => {
    const dir = scratch();
    const r = await cli('submit', HELLOWORLD_DIR, '--arg', 'sleeptime=0', '--file', `names=${NAMES_FILE}`, '--watch', '--download', dir);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const states = r.out.split('\n').map((l) => /^(PENDING|RUNNING|SUCCESS|ERROR|CANCELED)\b/.exec(l)?.[1]).filter(Boolean);
    expect(states).toEqual(['PENDING', 'RUNNING', 'SUCCESS']);
    expect(readFileSync(path.join(dir, 'results', 'greetings.txt'), 'utf8')).toBe('Hello Alice!\nHello Bob!\n');
    const id = /submitted workflow ([0-9a-f]{32})/.exec(r.out)![1]!;
    const rows = await db.pool().query(
      `SELECT w.state_type, w.job_done, (SELECT count(*)::int FROM workflow_states s WHERE s.workflow_id = w.workflow_id) AS states,
         (SELECT count(*)::int FROM blobs) AS blobs FROM workflows w WHERE w.workflow_id = $1`,
      [id],
    );
    expect(rows.rows).toEqual([{ state_type: 'SUCCESS', job_done: true, states: 3, blobs: expect.any(Number) }]);
    expect(rows.rows[0].blobs).toBeGreaterThanOrEqual(3);
    expect((await cli('status', id)).out).toMatch(/^state\s+SUCCESS/m);
  });

  it('reports the store NOT_SERVING while the database is unreachable, and SERVING once it is back', async () => {
    const probe = async () => (await cli('health-probe', '--service', 'store')).code;
    await expect.poll(probe, { timeout: 20_000 }).toBe(0);
    const name = new URL(db.url).pathname.slice(1);
    const admin = new pg.Client({ connectionString: postgresUrl() });
    await admin.connect();
    try {
      // Renamed (its sessions ended first), the database cannot be reached under its name.
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
      await admin.query(`ALTER DATABASE ${name} RENAME TO ${name}_away`);
      await expect.poll(probe, { timeout: 20_000 }).not.toBe(0);
      await admin.query(`ALTER DATABASE ${name}_away RENAME TO ${name}`);
      await expect.poll(probe, { timeout: 20_000 }).toBe(0);
    } finally {
      await admin.query(`ALTER DATABASE IF EXISTS ${name}_away RENAME TO ${name}`).catch(() => undefined);
      await admin.end();
    }
    expect((await cli('list', '--json')).code).toBe(0);
  });

  it('answers CreateWorkflow on the local engine with FAILED_PRECONDITION naming the setting when it is off', async () => {
    const other = await createTestDatabase();
    const server = await spawnServerProcess(scratch(), ['--store', 'postgres', '--database-url', other.url, '--enable-slurm', '--default-engine', 'slurm']);
    const client = remoteClient(server.address);
    try {
      const { err, details } = await callError(client, 'createWorkflow', shellRequest('local-off', ['true'], { engine: 'local' }));
      expect(err.code).toBe(9);
      expect(err.details).toContain('FLOWSERV_REMOTE_LOCAL_ENGINE=pinned');
      expect(details?.errorInfo).toMatchObject({ reason: 'FAILED_PRECONDITION', metadata: { engine: 'local', setting: 'FLOWSERV_REMOTE_LOCAL_ENGINE' } });
      expect((await other.pool().query('SELECT count(*)::int AS n FROM workflows')).rows[0].n).toBe(0);
    } finally {
      client.close();
      await stop(server);
      await other.drop();
    }
  });
});
