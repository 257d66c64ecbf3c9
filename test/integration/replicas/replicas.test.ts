/**
 * Several real `serve` processes on one PostgreSQL database and one data directory (the local
 * engine pinned to the replica that accepts a workflow, so no Slurm is needed): two replicas
 * started together on an empty database migrate it once and both serve; a workflow created on one
 * replica is watched on the other, every state once and in order, also after the watching
 * replica's LISTEN session was terminated mid-run; concurrent creates with one request id through
 * the round-robin proxy store one workflow; and when a replica is SIGKILLed, a survivor ends its
 * pinned workflow in ERROR once its lease expired.
 */
import { credentials } from '@grpc/grpc-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RemoteWorkflowServiceClient } from '../../../src/gen/flowserv/remote/v1/service.js';
import { WorkflowStateType } from '../../../src/gen/flowserv/remote/v1/workflow.js';
import { scratch } from '../../support/fixtures.js';
import { call } from '../../support/grpc-calls.js';
import { remoteClient } from '../../support/grpc-clients.js';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.js';
import { describeIfAvailable, postgresMissing } from '../../support/requirements.js';
import { startRoundRobinProxy, type RoundRobinProxy } from '../../support/round-robin-proxy.js';
import { startReplicas, stopReplicas, typesAndSequences, watchToEnd } from '../../support/replica-servers.js';
import type { ServerProcess } from '../../support/server-process.js';
import { shellRequest, stepsRequest } from '../../support/shell-request.js';

const LEASE = ['--lease-ttl-ms', '2000', '--lease-renew-ms', '500', '--claim-scan-ms', '200', '--heartbeat-interval-ms', '500'];

describeIfAvailable('several replicas on one PostgreSQL database (local engine pinned)', postgresMissing(), () => {
  let db: TestDatabase;
  let a: ServerProcess;
  let b: ServerProcess;
  let proxy: RoundRobinProxy;
  const dataDir = scratch();

  beforeAll(async () => {
    db = await createTestDatabase();
    // Started together on an empty database: both migrate at once.
    [a, b] = (await startReplicas(db.url, dataDir, [{ name: 'a', args: LEASE }, { name: 'b', args: LEASE }])) as [ServerProcess, ServerProcess];
    proxy = await startRoundRobinProxy([a.address, b.address]);
  });
  afterAll(async () => {
    await proxy?.close();
    await stopReplicas([a, b]);
    await db?.drop();
  });

  it('migrates an empty database once when two replicas start together; both hold a lease', async () => {
    const pool = db.pool();
    const migrations = await pool.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(migrations.rows.map((r) => r.version)).toEqual([...new Set(migrations.rows.map((r) => r.version))]);
    expect(migrations.rows.length).toBeGreaterThan(0);
    const leases = await pool.query<{ replica_id: string }>('SELECT replica_id FROM replicas WHERE lease_until > clock_timestamp() ORDER BY replica_id');
    expect(leases.rows.map((r) => r.replica_id.replace(/-[0-9a-f]{8}$/, ''))).toEqual(['a', 'b']);
  });

  it('streams a workflow created on one replica to a watcher on the other: every state once, in order, as in the log', async () => {
    const onA = remoteClient(a.address);
    const onB = remoteClient(b.address);
    const created = await call(onA, 'createWorkflow', shellRequest('cross-watch', ['sleep 0.5'], { engine: 'local' }));
    const id = created.workflow!.workflowId;
    const { states } = watchToEnd(onB, id);
    expect(typesAndSequences(await states)).toEqual([
      ['PENDING', 1],
      ['RUNNING', 2],
      ['SUCCESS', 3],
    ]);
    const log = await db.pool().query<{ sequence: number }>('SELECT sequence FROM workflow_states WHERE workflow_id = $1 ORDER BY sequence', [id]);
    expect(log.rows.map((r) => r.sequence)).toEqual([1, 2, 3]);
    onA.close();
    onB.close();
  });

  it('loses no state when the watching replica\'s LISTEN session is terminated mid-run', async () => {
    const onA = remoteClient(a.address);
    const onB = remoteClient(b.address);
    const created = await call(onA, 'createWorkflow', stepsRequest('listen-loss', [['one', ['sleep 0.6']], ['two', ['sleep 0.6']]], { engine: 'local' }));
    const id = created.workflow!.workflowId;
    const { states } = watchToEnd(onB, id);
    await expect.poll(async () => (await call(onB, 'getWorkflowState', { workflowId: id })).state?.type).toBe(WorkflowStateType.WORKFLOW_STATE_TYPE_RUNNING);
    const killed = await db.pool().query<{ ok: boolean }>(
      `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'flowserv-listen:b-%'`,
    );
    expect(killed.rows).toEqual([{ ok: true }]);
    expect(typesAndSequences(await states)).toEqual([
      ['PENDING', 1],
      ['RUNNING', 2],
      ['SUCCESS', 3],
    ]);
    await expect
      .poll(async () => (await db.pool().query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'flowserv-listen:b-%'`)).rowCount)
      .toBe(1);
    onA.close();
    onB.close();
  });

  it('stores one workflow when the same request id is created concurrently on both replicas', async () => {
    // A subchannel pool per client: one connection each, so the proxy spreads them over both replicas.
    const clients = Array.from({ length: 6 }, () => new RemoteWorkflowServiceClient(proxy.address, credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 }));
    const request = shellRequest('same-request', ['true'], { engine: 'local', requestId: 'req-concurrent' });
    const answers = await Promise.all(clients.map((c) => call(c, 'createWorkflow', request)));
    expect(new Set(answers.map((r) => r.workflow!.workflowId)).size).toBe(1);
    expect(new Set(proxy.routes.slice(-6)).size).toBe(2);
    const rows = await db.pool().query<{ n: number }>(`SELECT count(*)::int AS n FROM workflows WHERE request_id = 'req-concurrent'`);
    expect(rows.rows).toEqual([{ n: 1 }]);
    for (const c of clients) c.close();
  });

  it('ends a pinned workflow in ERROR on a survivor once its replica was SIGKILLed and its lease expired', async () => {
    const onA = remoteClient(a.address);
    const onB = remoteClient(b.address);
    const created = await call(onA, 'createWorkflow', shellRequest('pinned-lost', ['sleep 60'], { engine: 'local' }));
    const id = created.workflow!.workflowId;
    await expect.poll(async () => (await call(onB, 'getWorkflowState', { workflowId: id })).state?.type).toBe(WorkflowStateType.WORKFLOW_STATE_TYPE_RUNNING);
    const { states } = watchToEnd(onB, id);
    a.child.kill('SIGKILL');
    await a.exited;
    const seen = typesAndSequences(await states);
    expect(seen.at(-1)).toEqual(['ERROR', 3]);
    const last = await call(onB, 'getWorkflowState', { workflowId: id });
    expect(last.state?.messages).toEqual(['the replica running this workflow was lost']);
    onA.close();
    onB.close();
  });
});
