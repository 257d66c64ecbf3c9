import pg from 'pg';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createClaims, type Claims } from '../../../src/replicas/claims.js';
import { createClaimScanner } from '../../../src/replicas/claim-scanner.js';
import { createMembership, type Membership } from '../../../src/replicas/membership.js';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.js';
import { insertWorkflowRows } from '../../support/workflow-rows.js';
import { describeIfAvailable, postgresMissing } from '../../support/requirements.js';
import { migratePostgres } from '../../../src/store/postgres-schema.js';

const logger = pino({ level: 'silent' });

/** A new, unconnected client of the test database, named for pg_stat_activity. */
let client: (applicationName: string) => pg.Client;

describeIfAvailable('replica leases and workflow claims', postgresMissing(), () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let claims: Claims;
  const members: Membership[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = db.pool({ max: 6 });
    // DROP DATABASE … WITH (FORCE) at the end may end a pooled session before the pool has closed it.
    pool.on('error', () => undefined);
    await migratePostgres(pool);
    client = (applicationName) => new pg.Client({ connectionString: db.url, application_name: applicationName });
    claims = createClaims(pool);
  });
  afterEach(async () => {
    await Promise.all(members.splice(0).map((m) => m.close()));
    await pool.query('TRUNCATE workflows CASCADE; TRUNCATE replicas');
  });
  afterAll(async () => {
    await db?.drop();
  });

  async function member(name: string, ttlMs = 2000, renewMs = 200): Promise<Membership> {
    const m = createMembership({ connect: () => client(`lease:${name}`), name, ttlMs, renewMs, logger });
    await m.start();
    members.push(m);
    return m;
  }

  async function rows(count: number): Promise<void> {
    const ids = Array.from({ length: count }, (_, i) => `wf${i + 1}`);
    await insertWorkflowRows(pool, ids, { stateType: 'RUNNING', sequence: 2, handle: { jobId: '1' } });
  }

  it('registers each incarnation under a new id and renews the lease on the database clock', async () => {
    const a = await member('pod-a');
    const { replicaId, epoch } = a.current();
    expect(replicaId).toMatch(/^pod-a-[0-9a-f]{8}$/);
    expect(epoch).toBe(1);
    const before = await pool.query<{ until: Date }>('SELECT lease_until AS until FROM replicas WHERE replica_id = $1', [replicaId]);
    await expect
      .poll(async () => (await pool.query<{ until: Date }>('SELECT lease_until AS until FROM replicas WHERE replica_id = $1', [replicaId])).rows[0]!.until.getTime())
      .toBeGreaterThan(before.rows[0]!.until.getTime());
    expect(a.live()).toBe(true);
  });

  it('ends the incarnation when its lease expired (a pause), and registers a new one', async () => {
    const a = await member('pod-a');
    const first = a.current();
    const next = new Promise<number>((resolve) => a.onIncarnation((i) => resolve(i.epoch)));
    await pool.query(`UPDATE replicas SET lease_until = clock_timestamp() - interval '1 second' WHERE replica_id = $1`, [first.replicaId]);
    await expect.poll(() => first.signal.aborted).toBe(true);
    expect(await next).toBe(2);
    expect(a.current().replicaId).not.toBe(first.replicaId);
    expect(a.live()).toBe(true);
  });

  it('lets competing replicas claim every unsettled row exactly once, each with a fencing token', async () => {
    await rows(300);
    // Settled (ended, job done) and local rows are never claimed as Slurm work.
    await insertWorkflowRows(pool, ['done'], { stateType: 'SUCCESS', sequence: 3, handle: { jobId: '1' }, jobDone: true });
    await insertWorkflowRows(pool, ['local'], { engine: 'local', stateType: 'RUNNING', sequence: 2, handle: { pid: 1 } });
    const ms = await Promise.all(['a', 'b', 'c'].map((n) => member(n)));
    const taken = await Promise.all(
      ms.map(async (m) => {
        const mine: string[] = [];
        for (;;) {
          const got = await claims.claim(m.current().replicaId, ['slurm'], 7);
          if (got.length === 0) return mine;
          expect(got.every((c) => c.epoch === 1 && c.previousFollower === undefined)).toBe(true);
          mine.push(...got.map((c) => c.workflowId));
        }
      }),
    );
    const all = taken.flat();
    expect(all).toHaveLength(300);
    expect(new Set(all).size).toBe(300);
    const byFollower = await pool.query<{ n: string }>('SELECT count(*) AS n FROM workflows WHERE follower IS NOT NULL');
    expect(Number(byFollower.rows[0]!.n)).toBe(300);
  });

  it('hands a dead replica\'s rows to a live one with a new token, and never claims for a dead replica', async () => {
    await rows(5);
    const a = await member('a');
    const b = await member('b');
    expect(await claims.claim(a.current().replicaId, ['slurm'], 100)).toHaveLength(5);
    expect(await claims.claim(b.current().replicaId, ['slurm'], 100)).toEqual([]);
    // a's lease runs out (as after a SIGKILL): b takes everything, with epoch 2.
    await pool.query(`UPDATE replicas SET lease_until = clock_timestamp() - interval '1 second' WHERE replica_id = $1`, [a.current().replicaId]);
    const oldA = a.current().replicaId;
    const takeover = await claims.claim(b.current().replicaId, ['slurm'], 100);
    expect(takeover).toHaveLength(5);
    expect(takeover.every((c) => c.epoch === 2 && c.previousFollower === oldA)).toBe(true);
    // The old holder is not live: it claims nothing.
    expect(await claims.claim(oldA, ['slurm'], 100)).toEqual([]);
  });

  it('releases claims on drain so that another replica takes them at once; a stale release is refused', async () => {
    await rows(4);
    const a = await member('a');
    const b = await member('b');
    const got = await claims.claim(a.current().replicaId, ['slurm'], 100);
    expect(await claims.release(a.current().replicaId, got[0]!.workflowId, got[0]!.epoch + 1)).toBe(false);
    expect(await claims.releaseAll(a.current().replicaId, ['slurm'])).toBe(4);
    expect(await claims.claim(b.current().replicaId, ['slurm'], 100)).toHaveLength(4);
  });

  it('removes its lease on close, so its claims are free at once', async () => {
    await rows(2);
    const a = await member('a');
    const b = await member('b');
    await claims.claim(a.current().replicaId, ['slurm'], 100);
    expect(await claims.stranded(['slurm'])).toEqual([]);
    await a.close();
    expect((await claims.stranded(['slurm'])).sort()).toEqual(['wf1', 'wf2']);
    expect(await claims.claim(b.current().replicaId, ['slurm'], 100)).toHaveLength(2);
  });

  it('scans for work every interval and takes a dead replica\'s rows, each handed over once', async () => {
    await rows(3);
    const a = await member('a');
    const b = await member('b');
    const handed: string[] = [];
    const scanner = (m: Membership, into: string[]) =>
      createClaimScanner({ membership: m, claims, engines: ['slurm'], intervalMs: 50, logger, onClaimed: async (c) => void into.push(`${c.workflowId}@${c.epoch}`) });
    const fromA: string[] = [];
    const scanA = scanner(a, fromA);
    expect(await scanA.scan()).toBe(3);
    const scanB = scanner(b, handed);
    scanB.start();
    await insertWorkflowRows(pool, ['new']);
    await expect.poll(() => handed).toEqual(['new@1']);
    // a's lease runs out: b's next scans take its rows with the next token.
    await pool.query(`UPDATE replicas SET lease_until = clock_timestamp() - interval '1 second' WHERE replica_id = $1`, [a.current().replicaId]);
    await expect.poll(() => [...handed].sort()).toEqual(['new@1', 'wf1@2', 'wf2@2', 'wf3@2']);
    await scanB.close();
    await scanA.close();
    expect(fromA.sort()).toEqual(['wf1@1', 'wf2@1', 'wf3@1']);
  });
});
