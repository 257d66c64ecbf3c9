/**
 * A database restart under two real `serve` replicas (test plan item 8), on a PostgreSQL cluster
 * of this file's own (the shared one must not go away under the other files): `pg_ctl restart -m
 * fast` while jobs are finishing and clients keep creating workflows. Afterwards no state is lost
 * or repeated (every watcher's sequences equal the log, which is gapless), every client call that
 * failed failed with UNAVAILABLE and succeeded on retry (one workflow per request id), both
 * replicas still run under the leases they had (renewed after the restart), both LISTEN again,
 * and a workflow created on one is delivered to a watcher on the other.
 */
import { status } from '@grpc/grpc-js';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RemoteWorkflowServiceClient } from '../../../src/gen/flowserv/remote/v1/service.js';
import { scratch } from '../../support/fixtures.js';
import { remoteClient } from '../../support/grpc-clients.js';
import { ownClusterMissing, startOwnCluster, type OwnCluster } from '../../support/postgres.js';
import { callRetrying, startReplicas, stopReplicas, typesAndSequences, watchResuming, watchToEnd, type ResumingWatch } from '../../support/replica-servers.js';
import { describeIfAvailable } from '../../support/requirements.js';
import type { ServerProcess } from '../../support/server-process.js';
import { shellRequest } from '../../support/shell-request.js';

const LEASE_TTL_MS = 6000;
const ARGS = ['--lease-ttl-ms', String(LEASE_TTL_MS), '--lease-renew-ms', '1000', '--claim-scan-ms', '500', '--heartbeat-interval-ms', '500'];
/** Workflows whose jobs end around the restart, half created on each replica. */
const FINISHING = 12;

const COMPLETE = [
  ['PENDING', 1],
  ['RUNNING', 2],
  ['SUCCESS', 3],
];

describeIfAvailable('a database restart under two replicas (own cluster)', ownClusterMissing(), () => {
  let cluster: OwnCluster;
  let pool: pg.Pool;
  let a: ServerProcess;
  let b: ServerProcess;

  beforeAll(async () => {
    cluster = await startOwnCluster();
    pool = new pg.Pool({ connectionString: cluster.url, max: 2 });
    // The restart ends the pool's idle sessions too; the next query opens new ones.
    pool.on('error', () => undefined);
    [a, b] = (await startReplicas(cluster.url, scratch(), [
      { name: 'a', args: ARGS },
      { name: 'b', args: ARGS },
    ])) as [ServerProcess, ServerProcess];
  });
  afterAll(async () => {
    await stopReplicas([a, b]);
    await pool?.end();
    await cluster?.down();
  });

  it('loses and repeats no state, answers only UNAVAILABLE meanwhile, and both replicas keep serving', async () => {
    const clients: [RemoteWorkflowServiceClient, RemoteWorkflowServiceClient] = [remoteClient(a.address), remoteClient(b.address)];
    const leases = await pool.query<{ replica_id: string }>('SELECT replica_id FROM replicas ORDER BY replica_id');
    expect(leases.rows).toHaveLength(2);
    const failures: number[] = [];

    // Jobs that all end about 1.5 s after they start: the restart comes when the first ended.
    const finishing = await Promise.all(
      Array.from({ length: FINISHING }, async (_, i) => {
        const request = shellRequest(`finishing-${i}`, ['sleep 1.5'], { engine: 'local', requestId: `finishing-${i}` });
        return (await callRetrying(clients[i % 2]!, 'createWorkflow', request, failures)).workflow!.workflowId;
      }),
    );
    // Each workflow watched on both replicas.
    const watches: [string, ResumingWatch][] = finishing.flatMap((id) => clients.map((c): [string, ResumingWatch] => [id, watchResuming(c, id)]));

    // Creates that go on through the restart, alternating between the replicas.
    let creating = true;
    const created: string[] = [];
    let creatorFailed: unknown;
    const creator = (async () => {
      for (let i = 0; creating; i++) {
        const request = shellRequest(`steady-${i}`, ['true'], { engine: 'local', requestId: `steady-${i}` });
        created.push((await callRetrying(clients[i % 2]!, 'createWorkflow', request, failures)).workflow!.workflowId);
      }
    })().catch((err: unknown) => void (creatorFailed = err));

    await expect.poll(async () => (await pool.query(`SELECT 1 FROM workflows WHERE run_id LIKE 'finishing-%' AND state_type = 'SUCCESS'`)).rowCount, { timeout: 20_000, interval: 20 }).toBeGreaterThan(0);
    const restartMs = await cluster.restart();
    const { rows: restartedAt } = await pool.query<{ now: Date }>('SELECT clock_timestamp() AS now');
    const createdBefore = created.length;
    // Creates keep succeeding after the restart.
    await expect.poll(() => creatorFailed !== undefined || created.length >= createdBefore + 10, { timeout: 20_000 }).toBe(true);
    creating = false;
    await creator;
    expect(creatorFailed).toBeUndefined();

    for (const [id, watch] of watches) {
      expect(typesAndSequences(await watch.states), id).toEqual(COMPLETE);
    }
    // Every workflow created through the restart runs to its end, once per request id.
    await expect
      .poll(async () => (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM workflows WHERE run_id LIKE 'steady-%' AND state_type = 'SUCCESS' AND job_done`)).rows[0]!.n, { timeout: 30_000 })
      .toBe(created.length);
    const perRequest = await pool.query(`SELECT request_id FROM workflows GROUP BY request_id HAVING count(*) > 1`);
    expect(perRequest.rows).toEqual([]);
    const logs = await pool.query<{ workflow_id: string; sequences: number[] }>(
      'SELECT workflow_id, array_agg(sequence ORDER BY sequence) AS sequences FROM workflow_states GROUP BY workflow_id',
    );
    expect(logs.rows).toHaveLength(FINISHING + created.length);
    for (const { workflow_id: id, sequences } of logs.rows) expect(sequences, id).toEqual([1, 2, 3]);

    const watchFailures = watches.flatMap(([, w]) => w.failures);
    const retried = [a, b].flatMap((s) => s.lines).filter((l) => /failed: the database cannot be reached; retrying$/.test(l.msg ?? '')).length;
    console.info(
      `database restart: ${restartMs} ms; ${created.length} creates during the run, ${failures.length} create attempts failed (codes ${[...new Set(failures)].join(',') || 'none'}), ` +
        `${watchFailures.length} of ${watches.length} watch streams resumed (codes ${[...new Set(watchFailures)].join(',') || 'none'}), ${retried} dispatcher writes retried`,
    );
    expect([...new Set([...failures, ...watchFailures])].filter((c) => c !== status.UNAVAILABLE)).toEqual([]);

    // Both replicas run on, under the leases they had, renewed after the restart.
    for (const s of [a, b]) expect(s.child.exitCode, s.stderr()).toBeNull();
    const since = restartedAt[0]!.now;
    await expect
      .poll(async () => (await pool.query<{ replica_id: string }>(`SELECT replica_id FROM replicas WHERE lease_until > $1::timestamptz + $2 * interval '1 millisecond' ORDER BY replica_id`, [since, LEASE_TTL_MS])).rows)
      .toEqual(leases.rows);
    for (const s of [a, b]) expect(s.lines.filter((l) => l.msg === 'replica lease lost; stopping everything this incarnation followed')).toEqual([]);
    // Both LISTEN again, and a new workflow goes from one replica to a watcher on the other.
    await expect
      .poll(async () => (await pool.query(`SELECT 1 FROM pg_stat_activity WHERE application_name LIKE 'flowserv-listen:%' AND query = 'LISTEN flowserv_states'`)).rowCount)
      .toBe(2);
    const after = (await callRetrying(clients[0], 'createWorkflow', shellRequest('after-restart', ['sleep 0.3'], { engine: 'local' }), failures)).workflow!.workflowId;
    expect(typesAndSequences(await watchToEnd(clients[1], after).states)).toEqual(COMPLETE);
    for (const c of clients) c.close();
  });
});
