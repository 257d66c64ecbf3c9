/**
 * StopWorkflow routed to a replica that does not follow the workflow's Slurm job (three real
 * `serve` replicas on one PostgreSQL database). The receiving replica commits CANCELED and
 * cancels the job itself; the follower learns of the terminal state through the state feed and
 * stops following (and stops the job itself when it is still there). With slurmctld down the
 * answer is CANCELED at once and the stop is retried until the controller is back, by the
 * follower alone when the receiving replica died meanwhile. Stops slurmctld: runs in the Slurm
 * project (one file at a time).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WorkflowStateType } from '../../../src/gen/flowserv/remote/v1/workflow.js';
import { call, unary } from '../../support/grpc-calls.js';
import { healthClient } from '../../support/grpc-clients.js';
import { describeIfAvailable, postgresMissing } from '../../support/requirements.js';
import { slurmDev, slurmMissing } from './slurm-cluster.js';
import { activeSlurmJob, followToEnd, slurmShellRequest, typeNames } from './slurm-grpc-support.js';
import { followerOf, replicaName, startSlurmReplicas, type SlurmReplicas } from './slurm-replicas-support.js';

const CANCELED = WorkflowStateType.WORKFLOW_STATE_TYPE_CANCELED;
/** The replicas' Slurm poll interval (slurmServerArgs). */
const POLL_MS = 300;

describeIfAvailable('StopWorkflow on a replica that does not follow the Slurm job', slurmMissing() ?? postgresMissing(), () => {
  let cluster: SlurmReplicas;

  beforeAll(async () => {
    cluster = await startSlurmReplicas({ extraArgs: ['--engine-health-interval-ms', '500'] });
  });
  afterAll(async () => {
    await cluster?.close();
  });

  /** A workflow created on `creator` whose job runs; its Slurm job id and the replica following it. */
  async function runningWorkflow(creator: string, runId: string): Promise<{ id: string; jobId: string; follower: string }> {
    const created = await call(cluster.client(creator), 'createWorkflow', slurmShellRequest(runId, ['sleep 300']));
    const id = created.workflow!.workflowId;
    await expect
      .poll(async () => (await cluster.pool.query(`SELECT state_type FROM workflows WHERE workflow_id = $1 AND handle IS NOT NULL`, [id])).rows[0]?.state_type, {
        timeout: 60_000,
        interval: 100,
      })
      .toBe('RUNNING');
    const row = await cluster.pool.query<{ job_id: string }>(`SELECT handle::jsonb ->> 'externalId' AS job_id FROM workflows WHERE workflow_id = $1`, [id]);
    return { id, jobId: row.rows[0]!.job_id, follower: replicaName((await followerOf(cluster.pool, id))!) };
  }

  const row = async (id: string) =>
    (await cluster.pool.query<{ state_type: string; sequence: number; job_done: boolean }>('SELECT state_type, sequence, job_done FROM workflows WHERE workflow_id = $1', [id]))
      .rows[0]!;
  /** Whether replica `name` logged that another replica ended `id` and it stopped following. */
  const followingEnded = (name: string, id: string) =>
    cluster.replicas.get(name)!.lines.some((l) => l.msg === 'another replica ended the workflow; following ended' && l.workflowId === id);

  it('answers CANCELED at once, the job leaves squeue within grace + poll, the job is marked done and the follower lets go', async () => {
    const { id, jobId, follower } = await runningWorkflow('a', 'stop-routed');
    const [stopper, third] = [...cluster.replicas.keys()].filter((n) => n !== follower) as [string, string];
    const graceMs = 2000;
    const t0 = Date.now();
    const stopped = await call(cluster.client(stopper), 'stopWorkflow', { workflowId: id, reason: 'routed', gracePeriod: { seconds: graceMs / 1000, nanos: 0 } });
    const answerMs = Date.now() - t0;
    expect(stopped.state).toMatchObject({ type: CANCELED, messages: ['routed'] });
    expect(await row(id)).toEqual({ state_type: 'CANCELED', sequence: 3, job_done: true });
    await expect.poll(() => activeSlurmJob(jobId), { timeout: 30_000, interval: 100 }).toBe('');
    const goneMs = Date.now() - t0;
    expect(goneMs).toBeLessThanOrEqual(graceMs + POLL_MS + 3000);
    // The follower learned of CANCELED from the feed and stopped following; nobody claims the row again.
    await expect.poll(() => followingEnded(follower, id), { timeout: 10_000 }).toBe(true);
    expect(typeNames(await followToEnd(cluster.client(third), id))).toEqual(['PENDING', 'RUNNING', 'CANCELED']);
    expect(cluster.started.flatMap((s) => s.lines).filter((l) => l.msg === 'claimed a workflow to follow' && l.workflowId === id)).toEqual([]);
    expect(await row(id)).toEqual({ state_type: 'CANCELED', sequence: 3, job_done: true });
    console.log(`[slurm-replicas-stop] routed stop on ${stopper} (follower ${follower}): answer ${answerMs} ms, job gone from squeue ${goneMs} ms (grace ${graceMs} ms)`);
  }, 90_000);

  it('with slurmctld down: CANCELED at once, the stop retried until the controller is back, by the follower alone when the receiving replica is gone', async () => {
    // Two running jobs; ideally followed by different replicas (each creator follows its own).
    const w1 = await runningWorkflow('a', 'stop-outage-1');
    const w2 = await runningWorkflow('b', 'stop-outage-2');
    const names = [...cluster.replicas.keys()];
    // `gone` follows neither and dies after taking w2's stop; w1's stop goes to a replica that stays.
    const gone = names.find((n) => n !== w1.follower && n !== w2.follower)!;
    const stopper1 = names.find((n) => n !== w1.follower && n !== gone)!;
    const health = new Map([stopper1, gone].map((name) => [name, healthClient(cluster.replicas.get(name)!.address)]));
    const slurmHealth = (name: string) => async () => (await unary<{ status: string }>(health.get(name)!, 'Check', { service: 'engine/slurm' })).status;
    let answers: number[] = [];
    let upAt = 0;
    try {
      await slurmDev('stop', 'slurmctld');
      for (const name of [stopper1, gone]) await expect.poll(slurmHealth(name), { timeout: 15_000, interval: 200 }).toBe('NOT_SERVING');
      const stops = [
        { w: w1, via: stopper1 },
        { w: w2, via: gone },
      ];
      answers = [];
      for (const { w, via } of stops) {
        const t0 = Date.now();
        const stopped = await call(cluster.client(via), 'stopWorkflow', { workflowId: w.id, reason: 'outage', gracePeriod: { seconds: 1, nanos: 0 } });
        answers.push(Date.now() - t0);
        expect(stopped.state).toMatchObject({ type: CANCELED, messages: ['outage'] });
        expect(await row(w.id)).toEqual({ state_type: 'CANCELED', sequence: 3, job_done: false });
      }
      // Every answer came before a single Slurm command could have failed (squeue takes 18 s, scancel 9 s here).
      for (const ms of answers) expect(ms).toBeLessThan(5000);
      for (const w of [w1, w2]) await expect.poll(() => followingEnded(w.follower, w.id), { timeout: 10_000 }).toBe(true);
      const victim = cluster.replicas.get(gone)!;
      victim.child.kill('SIGKILL');
      await victim.exited;
    } finally {
      for (const client of health.values()) client.close();
      upAt = Date.now();
      await slurmDev('up');
    }
    // Both jobs go once the controller is back: w2's only because its follower retries the stop.
    for (const w of [w1, w2]) {
      await expect.poll(() => activeSlurmJob(w.jobId), { timeout: 60_000, interval: 250 }).toBe('');
      await expect.poll(async () => (await row(w.id)).job_done, { timeout: 10_000, interval: 100 }).toBe(true);
      expect((await row(w.id)).state_type).toBe('CANCELED');
    }
    const goneAfterUpMs = Date.now() - upAt;
    console.log(
      `[slurm-replicas-stop] slurmctld down: stop answers ${answers.join(', ')} ms; both jobs gone ${goneAfterUpMs} ms after the controller was started again ` +
        `(w1 followed by ${w1.follower}, stopped via ${stopper1}; w2 followed by ${w2.follower}, stopped via ${gone}, SIGKILLed)`,
    );
  }, 180_000);
});
