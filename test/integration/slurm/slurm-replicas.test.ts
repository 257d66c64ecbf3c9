/**
 * Three real `serve` replicas on one PostgreSQL database, one data directory and one Slurm runs
 * directory, reached through the round-robin proxy: Slurm workflows created on any replica, the
 * replica following the most of them SIGKILLed mid-run. Every workflow ends in SUCCESS with
 * exactly one Slurm submission, watchers on the surviving replicas see every state once and in
 * order without a reconnect, and the survivors claim the dead replica's workflows within the
 * lease TTL (5 s here) plus 3 s. Runs in the Slurm project (one file at a time).
 */
import { credentials } from '@grpc/grpc-js';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RemoteWorkflowServiceClient, type WatchStateResponse } from '../../../src/gen/flowserv/remote/v1/service.js';
import { call } from '../../support/grpc-calls.js';
import { remoteClient } from '../../support/grpc-clients.js';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.js';
import { describeIfAvailable, postgresMissing } from '../../support/requirements.js';
import { startRoundRobinProxy, type RoundRobinProxy } from '../../support/round-robin-proxy.js';
import { spawnServerProcess, type ServerProcess } from '../../support/server-process.js';
import { makeTempRoot, slurmMissing } from './slurm-cluster.js';
import { cancelJobsUnder, slurmServerArgs, slurmShellRequest } from './slurm-grpc-support.js';

const TTL_MS = 5000;
const WORKFLOWS = 12;

function watch(client: RemoteWorkflowServiceClient, workflowId: string): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const sequences: number[] = [];
    const stream = client.watchState({ workflowId, afterSequence: 0 });
    stream.on('data', (r: WatchStateResponse) => {
      if (r.event?.$case === 'state') sequences.push(r.event.value.sequence);
    });
    stream.on('error', reject);
    stream.on('end', () => resolve(sequences));
  });
}

describeIfAvailable('Slurm workflows across three replicas, one SIGKILLed', slurmMissing() ?? postgresMissing(), () => {
  let root: { dir: string; cleanup(): Promise<void> };
  let db: TestDatabase;
  let proxy: RoundRobinProxy;
  const replicas = new Map<string, ServerProcess>();

  beforeAll(async () => {
    root = await makeTempRoot();
    db = await createTestDatabase();
    const args = (name: string) => [
      ...slurmServerArgs(join(root.dir, 'runs')),
      '--default-engine', 'slurm', '--store', 'postgres', '--database-url', db.url, '--replica-name', name,
      '--lease-ttl-ms', String(TTL_MS), '--lease-renew-ms', '1000', '--claim-scan-ms', '500', '--heartbeat-interval-ms', '1000',
      '--log-level', 'debug',
    ];
    const started = await Promise.all(['a', 'b', 'c'].map((name) => spawnServerProcess(join(root.dir, 'data'), args(name))));
    ['a', 'b', 'c'].forEach((name, i) => replicas.set(name, started[i]!));
    proxy = await startRoundRobinProxy(started.map((s) => s.address));
  });
  afterAll(async () => {
    await proxy?.close();
    for (const s of replicas.values()) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGTERM');
    await Promise.all([...replicas.values()].map((s) => s.exited));
    if (root) await cancelJobsUnder(root.dir);
    await db?.drop();
    await root?.cleanup();
  });

  it('every workflow ends SUCCESS with one submission; survivors\' watchers see each state once; following resumes within TTL + 3 s', async () => {
    const creators = Array.from({ length: 3 }, () => new RemoteWorkflowServiceClient(proxy.address, credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 }));
    const ids: string[] = [];
    for (let i = 0; i < WORKFLOWS; i++) {
      const created = await call(creators[i % 3]!, 'createWorkflow', slurmShellRequest(`ha-${i}`, [`sleep ${4 + (i % 4)}`]));
      ids.push(created.workflow!.workflowId);
    }
    const pool = db.pool();
    // The replica following the most workflows once every job was submitted.
    await expect
      .poll(async () => (await pool.query(`SELECT count(*)::int AS n FROM workflows WHERE handle IS NOT NULL AND state_type <> 'SUCCESS'`)).rows[0].n, { timeout: 60_000, interval: 200 })
      .toBe(WORKFLOWS);
    const top = await pool.query<{ follower: string }>('SELECT follower FROM workflows GROUP BY follower ORDER BY count(*) DESC LIMIT 1');
    const victimId = top.rows[0]!.follower;
    const victimName = victimId.replace(/-[0-9a-f]{8}$/, '');
    const survivors = [...replicas.keys()].filter((n) => n !== victimName);
    const watchers = survivors.flatMap((name) => {
      const client = remoteClient(replicas.get(name)!.address);
      return ids.map((id) => watch(client, id));
    });
    const victim = replicas.get(victimName)!;
    victim.child.kill('SIGKILL');
    const killedAt = Date.now();
    await victim.exited;
    await expect
      .poll(async () => (await pool.query(`SELECT count(*)::int AS n FROM workflows WHERE follower = $1 AND NOT job_done`, [victimId])).rows[0].n, { timeout: 30_000, interval: 100 })
      .toBe(0);
    const takeoverMs = Date.now() - killedAt;
    expect(takeoverMs).toBeLessThanOrEqual(TTL_MS + 3000);
    const seen = await Promise.all(watchers);
    for (const sequences of seen) expect(sequences).toEqual([1, 2, 3]);
    const final = await pool.query<{ state_type: string; n: number }>('SELECT state_type, count(*)::int AS n FROM workflows GROUP BY state_type');
    expect(final.rows).toEqual([{ state_type: 'SUCCESS', n: WORKFLOWS }]);
    const submissions = new Map<string, number>();
    for (const s of replicas.values()) for (const line of s.lines) if (line.msg === 'submitted') submissions.set(String(line.workflowId), (submissions.get(String(line.workflowId)) ?? 0) + 1);
    expect(ids.map((id) => submissions.get(id) ?? 0)).toEqual(ids.map(() => 1));
    console.log(`replica ${victimName} SIGKILLed; its workflows claimed by survivors after ${takeoverMs} ms (TTL ${TTL_MS} ms)`);
    for (const c of creators) c.close();
  }, 120_000);
});
