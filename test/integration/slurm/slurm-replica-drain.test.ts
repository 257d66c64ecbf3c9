/**
 * A rolling restart (the design's test 9): three real `serve` replicas on one PostgreSQL database
 * follow Slurm workflows; the one following the most gets SIGTERM while its jobs run, and the
 * Service (the round-robin proxy) stops routing to it, as Kubernetes does for a terminating pod.
 * Draining releases its claims, so the others take its workflows at their next claim scan
 * instead of after the lease TTL: the hand-over, from SIGTERM until every workflow it followed
 * has another live follower, must stay within the design's 3 s. Watchers through the proxy (the
 * client's followWorkflow, some of them on the drained replica) see every state once, and every
 * workflow ends SUCCESS with exactly one Slurm job.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { followWorkflow, GrpcRemoteClient } from '../../../src/client/index.js';
import { describeIfAvailable, postgresMissing } from '../../support/requirements.js';
import { slurmMissing } from './slurm-cluster.js';
import {
  createSlurmWorkflows,
  startSlurmReplicas,
  stateLogs,
  submissionCounts,
  submittedAndRunning,
  topFollower,
  type SlurmReplicas,
} from './slurm-replicas-support.js';

const TTL_MS = 5000;
const WORKFLOWS = 12;
/** The design's bound for the hand-over after SIGTERM (claims released, taken at the next scan). */
const HANDOVER_BOUND_MS = 3000;

describeIfAvailable('a rolling restart: SIGTERM of a Slurm follower among three replicas', slurmMissing() ?? postgresMissing(), () => {
  let cluster: SlurmReplicas;
  const clients: GrpcRemoteClient[] = [];

  beforeAll(async () => {
    cluster = await startSlurmReplicas({ leaseTtlMs: TTL_MS });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await cluster?.close();
  });

  it(`hands its workflows over within ${HANDOVER_BOUND_MS} ms; watchers through the Service see each state once; every workflow SUCCESS with one Slurm job`, async () => {
    const { pool, proxy, replicas } = cluster;
    const ids = await createSlurmWorkflows(cluster, 'drain', WORKFLOWS, (i) => `sleep ${6 + (i % 3)}`);
    await expect.poll(() => submittedAndRunning(pool, ids), { timeout: 60_000, interval: 200 }).toBe(WORKFLOWS);
    const top = await topFollower(pool, ids);
    const victim = replicas.get(top.name)!;
    const held = [...top.held.keys()];

    // One client (one connection) per replica through the Service; each follows a third of the workflows.
    const routed = proxy.routes.length;
    for (let i = 0; i < replicas.size; i++) clients.push(new GrpcRemoteClient(proxy.address, { channelOptions: { 'grpc.use_local_subchannel_pool': 1 } }));
    let reconnects = 0;
    const seen = ids.map(() => [] as number[]);
    const watchers = ids.map(async (id, i) => {
      for await (const event of followWorkflow(clients[i % clients.length]!, id, { onReconnect: () => void (reconnects += 1) })) {
        if (event.kind === 'state') seen[i]!.push(event.sequence);
      }
    });
    await expect.poll(() => seen.every((s) => s.length > 0), { timeout: 30_000 }).toBe(true);
    // Some of the watches run on the replica about to drain.
    expect(proxy.routes.slice(routed)).toContain(victim.address);

    proxy.dropBackend(victim.address);
    victim.child.kill('SIGTERM');
    const termAt = performance.now();
    await expect
      .poll(
        async () =>
          (
            await pool.query(
              `SELECT 1 FROM workflows w WHERE w.workflow_id = ANY($1::text[]) AND NOT w.job_done AND NOT EXISTS (
                 SELECT 1 FROM replicas r WHERE r.replica_id = w.follower AND r.replica_id <> $2 AND r.lease_until >= clock_timestamp())`,
              [held, top.replicaId],
            )
          ).rowCount,
        { timeout: 30_000, interval: 25 },
      )
      .toBe(0);
    const handoverMs = performance.now() - termAt;
    expect(await victim.exited).toBe(0);

    await Promise.all(watchers);
    for (const sequences of seen) expect(sequences).toEqual([1, 2, 3]);
    const logs = await stateLogs(pool, ids);
    for (const id of ids) expect(logs.get(id)).toEqual([{ sequence: 1, type: 'PENDING' }, { sequence: 2, type: 'RUNNING' }, { sequence: 3, type: 'SUCCESS' }]);
    const submissions = submissionCounts(cluster.started);
    expect(ids.map((id) => submissions.get(id) ?? 0)).toEqual(ids.map(() => 1));
    const released = victim.lines.find((l) => l.msg === "released this replica's claims for the other replicas");
    console.log(
      `replica ${top.name} (following ${held.length} of ${WORKFLOWS}) SIGTERMed: ${String(released?.released)} claims released, ` +
        `all taken over ${handoverMs.toFixed(0)} ms after SIGTERM (bound ${HANDOVER_BOUND_MS} ms, claim scan 500 ms); ${reconnects} watch reconnects through the Service`,
    );
    expect(handoverMs).toBeLessThanOrEqual(HANDOVER_BOUND_MS);
  }, 120_000);
});
