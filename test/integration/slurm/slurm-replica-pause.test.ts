/**
 * A replica paused past its lease (the design's test 4): three real `serve` replicas on one
 * PostgreSQL database follow Slurm workflows whose jobs wait in Slurm's queue; the replica
 * following the most is SIGSTOPped, the jobs start, and it stays stopped for more than TTL + 5 s
 * while the others take its workflows over and record the jobs running. Woken (SIGCONT) with its
 * old claims, it tries to record what it finds, and every such write is refused by the fence:
 * none is accepted, each refusal is a warning in its log and counts in
 * `flowserv_replica_fenced_writes_rejected_total` on its metrics endpoint, and the database's own
 * audit shows every state written by the replica that held the claim at the time. Every workflow
 * then ends SUCCESS with one Slurm job.
 *
 * The process is stopped right after it sent a lease renewal (the test holds the lease row's lock
 * until the process is stopped, so the renewal is in flight then): on waking it takes the
 * renewal's late answer as current and acts until its next lease check, as any process paused
 * between a renewal and its answer does. Stopped at any other moment, it finds its lease lost
 * when it wakes and stops following before writing anything; and a terminal state the others
 * wrote meanwhile reaches it through the state feed before its own poll of Slurm does. The fence
 * is for the case that remains: a running state the others recorded while it slept.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { metricValue } from '../../support/metrics-endpoint.js';
import { auditStateWrites, stateWrites } from '../../support/state-audit.js';
import { describeIfAvailable, postgresMissing } from '../../support/requirements.js';
import { slurmMissing, squeue } from './slurm-cluster.js';
import {
  createSlurmWorkflows,
  replicaName,
  startSlurmReplicas,
  stateLogs,
  submissionCounts,
  submittedAndRunning,
  topFollower,
  watchSequences,
  type SlurmReplicas,
} from './slurm-replicas-support.js';

const TTL_MS = 5000;
/** One job per CPU of the single node (8), so that all of them start together. */
const WORKFLOWS = 8;
/** Long enough to run past the pause: the woken follower finds its jobs running. */
const JOB_SECONDS = 16;
const run = promisify(execFile);
const REFUSED = 'stale follower write refused: another replica follows this workflow now';
const REJECTED_METRIC = 'flowserv_replica_fenced_writes_rejected_total';

describeIfAvailable('a Slurm follower paused past its lease among three replicas', slurmMissing() ?? postgresMissing(), () => {
  let cluster: SlurmReplicas;

  beforeAll(async () => {
    cluster = await startSlurmReplicas({ leaseTtlMs: TTL_MS, extraArgs: ['--metrics-port', '0'] });
    await auditStateWrites(cluster.pool);
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it('accepts no write with the old claim after SIGSTOP for TTL + 5 s; counts and logs each refusal; every workflow SUCCESS with one Slurm job', async () => {
    const { pool, replicas } = cluster;
    // A job of the test's own holds the whole node, so the workflows' jobs wait in Slurm's queue:
    // they start only once the follower is stopped.
    const blocker = (await run('sbatch', ['--parsable', '--exclusive', '--chdir', cluster.dir, '--output', '/dev/null', '--wrap', 'sleep 600'])).stdout.trim();
    await expect.poll(() => squeue('-j', blocker, '-o', '%T'), { timeout: 30_000, interval: 200 }).toBe('RUNNING');
    const ids = await createSlurmWorkflows(cluster, 'pause', WORKFLOWS, () => `sleep ${JOB_SECONDS}`);
    await expect.poll(() => submittedAndRunning(pool, ids), { timeout: 60_000, interval: 200 }).toBe(WORKFLOWS);
    expect((await pool.query(`SELECT 1 FROM workflows WHERE workflow_id = ANY($1::text[]) AND state_type <> 'PENDING'`, [ids])).rowCount).toBe(0);
    const top = await topFollower(pool, ids);
    const { held } = top;
    const victim = replicas.get(top.name)!;
    const survivors = [...replicas.keys()].filter((n) => n !== top.name);
    const watchers = survivors.flatMap((name) => {
      const client = cluster.client(name);
      return ids.map((id) => watchSequences(client, id));
    });

    // Hold the lease row until the victim's next renewal waits on it, stop the victim, let the renewal through.
    const lock = await pool.connect();
    await lock.query('BEGIN');
    await lock.query('SELECT 1 FROM replicas WHERE replica_id = $1 FOR UPDATE', [top.replicaId]);
    await expect
      .poll(
        async () =>
          (await pool.query(`SELECT 1 FROM pg_stat_activity WHERE application_name LIKE $1 AND wait_event_type = 'Lock'`, [`flowserv-lease:${top.name}%`])).rowCount,
        { timeout: 10_000, interval: 50 },
      )
      .toBe(1);
    victim.child.kill('SIGSTOP');
    const stoppedAt = Date.now();
    await lock.query('ROLLBACK');
    lock.release();
    await run('scancel', [blocker]);

    // Paused for TTL + 5 s at least, and until the survivors took over every workflow it followed
    // and recorded its job running.
    await expect
      .poll(
        async () =>
          Date.now() - stoppedAt >= TTL_MS + 5000 &&
          (await pool.query(`SELECT 1 FROM workflows WHERE workflow_id = ANY($1::text[]) AND (follower = $2 OR state_type <> 'RUNNING')`, [[...held.keys()], top.replicaId]))
            .rowCount === 0,
        { timeout: 60_000, interval: 200 },
      )
      .toBe(true);
    const pausedMs = Date.now() - stoppedAt;
    const woke = victim.lines.length;
    victim.child.kill('SIGCONT');
    // It acts on its old claims until its next lease check, then finds the lease lost and registers anew.
    await expect.poll(() => victim.lines.slice(woke).some((l) => l.msg === 'replica registered'), { timeout: 20_000, interval: 100 }).toBe(true);

    // Every write it tried with the old claims was refused, logged and counted.
    const refused = victim.lines.slice(woke).filter((l) => l.msg === REFUSED);
    const counted = await metricValue(victim, REJECTED_METRIC);
    expect(counted).toBe(refused.length);
    expect(refused.length).toBeGreaterThan(0);
    const rows = new Map(
      (await pool.query<{ workflow_id: string; follower: string; follower_epoch: string }>('SELECT workflow_id, follower, follower_epoch FROM workflows WHERE workflow_id = ANY($1::text[])', [ids])).rows.map(
        (r) => [r.workflow_id, r],
      ),
    );
    for (const line of refused) {
      const id = String(line.workflowId);
      expect(held.get(id)).toBe(line.epoch);
      expect(line.follower).toBe(top.replicaId);
      // A real takeover: another replica holds the row under a newer epoch.
      expect(replicaName(rows.get(id)!.follower)).not.toBe(top.name);
      expect(Number(rows.get(id)!.follower_epoch)).toBeGreaterThan(Number(line.epoch));
    }

    // Watchers on the survivors saw every state once; then every workflow has ended.
    for (const sequences of await Promise.all(watchers)) expect(sequences).toEqual([1, 2, 3]);
    // The database's account: every state after PENDING was written by the replica holding the claim then.
    const writes = (await stateWrites(pool, ids)).filter((w) => w.sequence > 1);
    expect(writes.length).toBe(2 * WORKFLOWS);
    for (const w of writes) expect({ ...w, writer: w.writer.replace(/^flowserv-store:/, '') }).toEqual({ ...w, writer: replicaName(w.follower!) });
    const takenOver = writes.filter((w) => held.has(w.workflowId) && w.epoch > held.get(w.workflowId)!);
    expect(takenOver.every((w) => replicaName(w.follower!) !== top.name)).toBe(true);

    const logs = await stateLogs(pool, ids);
    for (const id of ids) expect(logs.get(id)).toEqual([{ sequence: 1, type: 'PENDING' }, { sequence: 2, type: 'RUNNING' }, { sequence: 3, type: 'SUCCESS' }]);
    const submissions = submissionCounts(cluster.started);
    expect(ids.map((id) => submissions.get(id) ?? 0)).toEqual(ids.map(() => 1));
    for (const name of survivors) expect(await metricValue(replicas.get(name)!, REJECTED_METRIC)).toBe(0);
    console.log(
      `replica ${top.name} (following ${held.size} of ${WORKFLOWS}) SIGSTOPped for ${pausedMs} ms (TTL ${TTL_MS} ms); ` +
        `after SIGCONT ${refused.length} stale writes refused, ${counted} counted in ${REJECTED_METRIC}, ` +
        `${takenOver.length} states written by the replicas that took over, 0 accepted from the paused one`,
    );
  }, 180_000);
});
