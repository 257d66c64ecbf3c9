/**
 * The core HA test: three real `serve` replicas on one PostgreSQL database, one data directory
 * and one Slurm runs directory, reached through the round-robin proxy. 60 Slurm workflows of
 * 2–10 s are created round robin; every workflow is watched on two replicas (raw streams) and
 * some on the third through the TypeScript client; the replica holding the most claims is
 * SIGKILLed mid-run. Every workflow ends in SUCCESS with exactly one Slurm job; every watcher sees
 * the log's states once and in order; the raw watchers on the survivors never reconnect; the
 * client's watchers on the dead replica resume on a survivor; the survivors claim the dead
 * replica's workflows within the lease TTL (5 s here) plus 3 s. The first state a survivor wrote
 * for them, the resume times and the lag of every state are printed.
 * Runs in the Slurm project (one file at a time).
 */
import { credentials } from '@grpc/grpc-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { GrpcRemoteClient } from '../../../src/client/grpc-remote-client.js';
import { followWorkflow } from '../../../src/client/state-follower.js';
import { RemoteWorkflowServiceClient } from '../../../src/gen/flowserv/remote/v1/service.js';
import { call } from '../../support/grpc-calls.js';
import { describeIfAvailable, postgresMissing } from '../../support/requirements.js';
import { startRoundRobinProxy, type RoundRobinProxy } from '../../support/round-robin-proxy.js';
import { slurmMissing } from './slurm-cluster.js';
import { slurmShellRequest } from './slurm-grpc-support.js';
import { replicaName, slurmJobCounts, startSlurmReplicas, submissionCounts, watchReceived, type SlurmReplicas } from './slurm-replicas-support.js';

const WORKFLOWS = 60;
/** Workflows watched through the client on the replica that is killed. */
const CLIENT_WATCHERS = 12;

/** The q-quantile of `values` (nearest rank). */
const quantile = (values: readonly number[], q: number): number => [...values].sort((a, b) => a - b)[Math.max(0, Math.ceil(q * values.length) - 1)]!;

/** A client-side follower (followWorkflow) on one workflow: its sequences and when it resumed after the kill. */
interface ClientWatcher {
  readonly id: string;
  readonly sequences: number[];
  /** Reconnections after the kill. */
  reconnects: number;
  /** When its stream's end was noticed after the kill (Date.now()). */
  droppedAt?: number;
  /** First message after the first reconnect that followed the kill (Date.now()). */
  resumedAt?: number;
  reconnectedAfterKill: boolean;
  /** Its workflow ended before the kill: nothing to resume. */
  endedBeforeKill: boolean;
  /** The first state (connected to the doomed replica). */
  readonly connected: Promise<void>;
  readonly done: Promise<void>;
}

describeIfAvailable('60 Slurm workflows across three replicas, the busiest SIGKILLed', slurmMissing() ?? postgresMissing(), () => {
  let cluster: SlurmReplicas;
  let victimProxy: RoundRobinProxy | undefined;
  const clients: GrpcRemoteClient[] = [];

  beforeAll(async () => {
    cluster = await startSlurmReplicas();
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await victimProxy?.close();
    await cluster?.close();
  });

  it('every workflow ends SUCCESS with one Slurm job; watchers see each state once; client watchers resume; following resumes within TTL + 3 s', async () => {
    const { pool, replicas, leaseTtlMs } = cluster;
    const t0 = Date.now();
    const creators = Array.from({ length: 3 }, () => new RemoteWorkflowServiceClient(cluster.proxy.address, credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 }));
    // Round robin over the proxy's three connections, one create at a time on each.
    const ids: string[] = new Array<string>(WORKFLOWS);
    await Promise.all(
      creators.map(async (creator, k) => {
        for (let i = k; i < WORKFLOWS; i += creators.length) {
          const created = await call(creator, 'createWorkflow', slurmShellRequest(`ha-${i}`, [`sleep ${2 + (i % 9)}`]));
          ids[i] = created.workflow!.workflowId;
        }
      }),
    );
    for (const c of creators) c.close();
    const createdMs = Date.now() - t0;
    // Every job submitted (the short ones may have ended already).
    await expect
      .poll(async () => (await pool.query(`SELECT count(*)::int AS n FROM workflows WHERE handle IS NOT NULL`)).rows[0].n, { timeout: 60_000, interval: 200 })
      .toBe(WORKFLOWS);
    const top = await pool.query<{ follower: string; n: number }>(
      'SELECT follower, count(*)::int AS n FROM workflows WHERE NOT job_done GROUP BY follower ORDER BY count(*) DESC LIMIT 1',
    );
    const victimId = top.rows[0]!.follower;
    const victimName = replicaName(victimId);
    const victim = replicas.get(victimName)!;
    const survivors = [...replicas.keys()].filter((n) => n !== victimName);
    // Raw watchers on the two other replicas for every workflow (from the start: each replays the log, then follows live).
    const raw = survivors.flatMap((name) => {
      const client = cluster.client(name);
      return ids.map((id) => ({ id, received: watchReceived(client, id) }));
    });
    const heldBefore = await pool.query<{ workflow_id: string }>('SELECT workflow_id FROM workflows WHERE follower = $1 AND NOT job_done', [victimId]);

    // Client watchers connected to the victim alone, the survivors behind it in the proxy's
    // rotation. At the kill the proxy stops routing to the victim, as a Service does once the pod
    // is gone (the time Kubernetes takes to remove an endpoint is not part of this test): the
    // resumed streams go to the survivors.
    victimProxy = await startRoundRobinProxy([victim.address]);
    const watched = heldBefore.rows.map((r) => r.workflow_id).slice(0, CLIENT_WATCHERS);
    let killedAt = Number.POSITIVE_INFINITY;
    /** Why client watchers reconnected after the kill, with counts. */
    const reasons = new Map<string, number>();
    const clientWatchers: ClientWatcher[] = watched.map((id) => {
      const client = new GrpcRemoteClient(victimProxy!.address);
      clients.push(client);
      let connected!: () => void;
      const w: ClientWatcher = { id, sequences: [], reconnectedAfterKill: false, endedBeforeKill: false, reconnects: 0, connected: new Promise((r) => (connected = r)), done: Promise.resolve() };
      const onReconnect = (_n: number, err: unknown): void => {
        if (Date.now() < killedAt) return;
        w.reconnects += 1;
        const reason = `${(err as Error).name}: ${(err as Error).message}`;
        reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
        if (w.reconnectedAfterKill) return;
        w.reconnectedAfterKill = true;
        w.droppedAt = Date.now();
      };
      return Object.assign(w, {
        done: (async () => {
          for await (const event of followWorkflow(client, id, { onReconnect })) {
            if (w.reconnectedAfterKill && w.resumedAt === undefined) w.resumedAt = Date.now();
            if (event.kind === 'state') {
              w.sequences.push(event.sequence);
              connected();
            }
          }
          w.endedBeforeKill = Date.now() < killedAt;
          connected();
        })(),
      });
    });
    await Promise.all(clientWatchers.map((w) => w.connected));
    for (const name of survivors) victimProxy.addBackend(replicas.get(name)!.address);

    killedAt = Date.now();
    victim.child.kill('SIGKILL');
    victimProxy.dropBackend(victim.address);
    await victim.exited;
    const exitedMs = Date.now() - killedAt;
    // What the victim held when it died, and the last state it wrote of each.
    const held = await pool.query<{ workflow_id: string; sequence: number }>('SELECT workflow_id, sequence FROM workflows WHERE follower = $1 AND NOT job_done', [victimId]);
    const heldAtKill = new Map(held.rows.map((r) => [r.workflow_id, r.sequence]));
    const runningAtKill = (await pool.query(`SELECT count(*)::int AS n FROM workflows WHERE state_type = 'RUNNING'`)).rows[0].n as number;
    // The survivors claim every workflow the victim held.
    await expect
      .poll(async () => (await pool.query(`SELECT count(*)::int AS n FROM workflows WHERE follower = $1 AND NOT job_done`, [victimId])).rows[0].n, { timeout: 30_000, interval: 100 })
      .toBe(0);
    const claimedMs = Date.now() - killedAt;

    const survivorWatches = await Promise.all(raw.map(async (w) => ({ id: w.id, received: await w.received })));
    await Promise.all(clientWatchers.map((w) => w.done));

    // The figures first (printed also when an assertion below fails).
    const resumed = clientWatchers.filter((w) => !w.endedBeforeKill);
    const resumeMs = resumed.flatMap((w) => (w.resumedAt === undefined ? [] : [w.resumedAt - killedAt]));
    const droppedMs = resumed.flatMap((w) => (w.droppedAt === undefined ? [] : [w.droppedAt - killedAt]));
    // The client's part: from its stream's end (the dead process's sockets closed) to the first message on a survivor.
    const resumeAfterDropMs = resumed.flatMap((w) => (w.droppedAt === undefined || w.resumedAt === undefined ? [] : [w.resumedAt - w.droppedAt]));
    // States of the victim's workflows after its last write, all written by the survivors.
    const victimStates = survivorWatches.flatMap((w) => (heldAtKill.has(w.id) ? w.received.filter((s) => s.sequence > heldAtKill.get(w.id)!) : []));
    // From the engine's event (or the kill, for what happened before it) to a survivor's watcher.
    const lagMs = victimStates.map((s) => s.receivedAt - Math.max(s.happenedAt ?? killedAt, killedAt));
    const firstStateMs = Math.min(...victimStates.map((s) => s.receivedAt)) - killedAt;
    // The others' states that happened after the kill (not the replays of older ones).
    const otherLagMs = survivorWatches
      .filter((w) => !heldAtKill.has(w.id))
      .flatMap((w) => w.received.filter((s) => s.happenedAt !== undefined && s.happenedAt >= killedAt).map((s) => s.receivedAt - s.happenedAt!));
    const figures = (values: number[]): string => `p50 ${quantile(values, 0.5)} / p99 ${quantile(values, 0.99)} / max ${Math.max(...values)} ms (${values.length})`;
    console.log(
      [
        `[slurm-replicas] ${WORKFLOWS} workflows created in ${createdMs} ms; replica ${victimName} SIGKILLed holding ${heldAtKill.size} unsettled workflows (${runningAtKill} RUNNING overall); it was gone ${exitedMs} ms after the signal`,
        `  claimed by survivors ${claimedMs} ms after the kill (TTL ${leaseTtlMs} ms); first state of its workflows by a survivor after ${firstStateMs} ms`,
        `  engine event -> state at a survivor's watcher: its workflows ${figures(lagMs)}; the others' ${figures(otherLagMs)}`,
        `  client watchers on ${victimName}: stream drop noticed ${figures(droppedMs)}; first message on a survivor ${figures(resumeMs)}, ${figures(resumeAfterDropMs)} after the drop (heartbeat 1000 ms), ${resumed.reduce((n, w) => n + w.reconnects, 0)} reconnections (${[...reasons].map(([r, n]) => `${n}× ${r}`).join('; ')})`,
        `  whole scenario ${Date.now() - t0} ms`,
      ].join('\n'),
    );

    const final = await pool.query<{ state_type: string; n: number }>('SELECT state_type, count(*)::int AS n FROM workflows GROUP BY state_type');
    expect(final.rows).toEqual([{ state_type: 'SUCCESS', n: WORKFLOWS }]);
    const logs = await pool.query<{ workflow_id: string; sequences: number[] }>(
      'SELECT workflow_id, array_agg(sequence ORDER BY sequence) AS sequences FROM workflow_states GROUP BY workflow_id',
    );
    const log = new Map(logs.rows.map((r) => [r.workflow_id, r.sequences.map(Number)]));
    expect(log.size).toBe(WORKFLOWS);
    // Raw watchers on the survivors: never reconnected (a stream error would have failed them), every state once, in order.
    for (const w of survivorWatches) expect({ id: w.id, sequences: w.received.map((s) => s.sequence) }).toEqual({ id: w.id, sequences: log.get(w.id) });
    for (const w of clientWatchers) expect({ id: w.id, sequences: w.sequences }).toEqual({ id: w.id, sequences: log.get(w.id) });
    // One Slurm job per workflow, by the servers' logs and by Slurm itself.
    const submissions = submissionCounts(cluster.started);
    expect(ids.filter((id) => submissions.get(id) !== 1)).toEqual([]);
    const jobs = await slurmJobCounts(cluster);
    expect(ids.map((id) => jobs.get(id) ?? 0)).toEqual(ids.map(() => 1));
    expect(jobs.size).toBe(WORKFLOWS);
    // Client watchers on the victim: each resumed on a survivor (their sequences are checked
    // above). How long that took, and the lag of every state, are printed, not asserted: on this
    // shared 2-core machine a loaded test process alone stalls for seconds (its silence watchdog
    // then fires before the data it has not read yet).
    expect(resumed.length).toBeGreaterThanOrEqual(Math.min(6, watched.length));
    expect(resumed.filter((w) => !w.reconnectedAfterKill || w.resumedAt === undefined).map((w) => w.id)).toEqual([]);
    // Following resumed: the survivors claimed the victim's workflows within the lease TTL + 3 s
    // of the kill and wrote their later states (when the first came is printed: it adds a Slurm
    // poll, seconds on a loaded machine).
    expect(claimedMs).toBeLessThanOrEqual(leaseTtlMs + 3000);
    expect(victimStates.length).toBeGreaterThan(0);
  }, 300_000);
});
