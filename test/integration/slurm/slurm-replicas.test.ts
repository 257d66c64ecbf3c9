/**
 * Three real `serve` replicas on one PostgreSQL database, one data directory and one Slurm runs
 * directory, reached through the round-robin proxy: Slurm workflows created on any replica, the
 * replica following the most of them SIGKILLed mid-run. Every workflow ends in SUCCESS with
 * exactly one Slurm submission, watchers on the surviving replicas see every state once and in
 * order without a reconnect, and the survivors claim the dead replica's workflows within the
 * lease TTL (5 s here) plus 3 s. Runs in the Slurm project (one file at a time).
 */
import { credentials } from '@grpc/grpc-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RemoteWorkflowServiceClient } from '../../../src/gen/flowserv/remote/v1/service.js';
import { call } from '../../support/grpc-calls.js';
import { describeIfAvailable, postgresMissing } from '../../support/requirements.js';
import { slurmMissing } from './slurm-cluster.js';
import { slurmShellRequest } from './slurm-grpc-support.js';
import { replicaName, startSlurmReplicas, submissionCounts, watchSequences, type SlurmReplicas } from './slurm-replicas-support.js';

const WORKFLOWS = 12;

describeIfAvailable('Slurm workflows across three replicas, one SIGKILLed', slurmMissing() ?? postgresMissing(), () => {
  let cluster: SlurmReplicas;

  beforeAll(async () => {
    cluster = await startSlurmReplicas();
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it('every workflow ends SUCCESS with one submission; survivors\' watchers see each state once; following resumes within TTL + 3 s', async () => {
    const { pool, replicas, leaseTtlMs } = cluster;
    const creators = Array.from({ length: 3 }, () => new RemoteWorkflowServiceClient(cluster.proxy.address, credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 }));
    const ids: string[] = [];
    for (let i = 0; i < WORKFLOWS; i++) {
      const created = await call(creators[i % 3]!, 'createWorkflow', slurmShellRequest(`ha-${i}`, [`sleep ${4 + (i % 4)}`]));
      ids.push(created.workflow!.workflowId);
    }
    // The replica following the most workflows once every job was submitted.
    await expect
      .poll(async () => (await pool.query(`SELECT count(*)::int AS n FROM workflows WHERE handle IS NOT NULL AND state_type <> 'SUCCESS'`)).rows[0].n, { timeout: 60_000, interval: 200 })
      .toBe(WORKFLOWS);
    const top = await pool.query<{ follower: string }>('SELECT follower FROM workflows GROUP BY follower ORDER BY count(*) DESC LIMIT 1');
    const victimId = top.rows[0]!.follower;
    const victimName = replicaName(victimId);
    const survivors = [...replicas.keys()].filter((n) => n !== victimName);
    const watchers = survivors.flatMap((name) => {
      const client = cluster.client(name);
      return ids.map((id) => watchSequences(client, id));
    });
    const victim = replicas.get(victimName)!;
    victim.child.kill('SIGKILL');
    const killedAt = Date.now();
    await victim.exited;
    await expect
      .poll(async () => (await pool.query(`SELECT count(*)::int AS n FROM workflows WHERE follower = $1 AND NOT job_done`, [victimId])).rows[0].n, { timeout: 30_000, interval: 100 })
      .toBe(0);
    const takeoverMs = Date.now() - killedAt;
    expect(takeoverMs).toBeLessThanOrEqual(leaseTtlMs + 3000);
    const seen = await Promise.all(watchers);
    for (const sequences of seen) expect(sequences).toEqual([1, 2, 3]);
    const final = await pool.query<{ state_type: string; n: number }>('SELECT state_type, count(*)::int AS n FROM workflows GROUP BY state_type');
    expect(final.rows).toEqual([{ state_type: 'SUCCESS', n: WORKFLOWS }]);
    const submissions = submissionCounts(cluster.started);
    expect(ids.map((id) => submissions.get(id) ?? 0)).toEqual(ids.map(() => 1));
    console.log(`replica ${victimName} SIGKILLed; its workflows claimed by survivors after ${takeoverMs} ms (TTL ${leaseTtlMs} ms)`);
    for (const c of creators) c.close();
  }, 120_000);
});
