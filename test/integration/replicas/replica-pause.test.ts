/**
 * A replica running a pinned local job (`--local-engine pinned`) is paused (SIGSTOP) until its
 * lease expired and the other replica ended the workflow in ERROR ("the replica running this
 * workflow was lost"). When it wakes (SIGCONT) it finds its lease lost and must kill the job it
 * still runs: no replica can follow it any more, and its outcome would contradict the recorded
 * ERROR. The state stays ERROR and nothing the woken replica tries is accepted.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WorkflowStateType } from '../../../src/gen/flowserv/remote/v1/workflow.js';
import { scratch } from '../../support/fixtures.js';
import { call } from '../../support/grpc-calls.js';
import { remoteClient } from '../../support/grpc-clients.js';
import { metricValue } from '../../support/metrics-endpoint.js';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.js';
import { processesUnder } from '../../support/processes.js';
import { describeIfAvailable, postgresMissing } from '../../support/requirements.js';
import { startReplicas, stopReplicas } from '../../support/replica-servers.js';
import type { ServerProcess } from '../../support/server-process.js';
import { shellRequest } from '../../support/shell-request.js';

const TTL_MS = 2000;
const LEASE = ['--lease-ttl-ms', String(TTL_MS), '--lease-renew-ms', '500', '--claim-scan-ms', '200', '--heartbeat-interval-ms', '500'];
const REFUSED = 'stale follower write refused: another replica follows this workflow now';

describeIfAvailable('a replica paused past its lease with a pinned local job', postgresMissing(), () => {
  let db: TestDatabase;
  let a: ServerProcess;
  let b: ServerProcess;
  let jobDir: string | undefined;
  const dataDir = scratch();

  beforeAll(async () => {
    db = await createTestDatabase();
    const args = ['--metrics-port', '0', ...LEASE];
    [a, b] = (await startReplicas(db.url, dataDir, [
      { name: 'a', args },
      { name: 'b', args },
    ])) as [ServerProcess, ServerProcess];
  });
  afterAll(async () => {
    // A replica left stopped acts on SIGTERM only once continued.
    if (a && a.child.exitCode === null && a.child.signalCode === null) a.child.kill('SIGCONT');
    await stopReplicas([a, b]);
    // A job the test found still running is not left behind.
    for (const pid of jobDir ? processesUnder(jobDir) : []) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    await db?.drop();
  });

  it('kills the still-running local job after SIGCONT; the survivor\'s ERROR stays, nothing stale is accepted', async () => {
    const onA = remoteClient(a.address);
    const onB = remoteClient(b.address);
    const pool = db.pool();
    const created = await call(onA, 'createWorkflow', shellRequest('pinned-paused', ['sleep 300'], { engine: 'local' }));
    const id = created.workflow!.workflowId;
    await expect.poll(async () => (await call(onB, 'getWorkflowState', { workflowId: id })).state?.type, { timeout: 30_000 }).toBe(WorkflowStateType.WORKFLOW_STATE_TYPE_RUNNING);
    const row = await pool.query<{ handle: string; follower: string }>('SELECT handle, follower FROM workflows WHERE workflow_id = $1', [id]);
    jobDir = (JSON.parse(row.rows[0]!.handle) as { workDir: string }).workDir;
    await expect.poll(() => processesUnder(jobDir!).length, { timeout: 10_000 }).toBeGreaterThan(0);

    a.child.kill('SIGSTOP');
    // b claims the stranded workflow once a's lease expired and ends it in ERROR.
    await expect
      .poll(async () => (await pool.query<{ state_type: string; follower: string }>('SELECT state_type, follower FROM workflows WHERE workflow_id = $1', [id])).rows[0], {
        timeout: 30_000,
        interval: 100,
      })
      .toMatchObject({ state_type: 'ERROR', follower: expect.stringMatching(/^b-/) });
    // The job still runs: only its replica can end it, and that one is stopped.
    expect(processesUnder(jobDir).length).toBeGreaterThan(0);
    const woke = a.lines.length;
    a.child.kill('SIGCONT');

    await expect.poll(() => processesUnder(jobDir!), { timeout: 15_000, interval: 100 }).toEqual([]);
    await expect
      .poll(() => a.lines.slice(woke).some((l) => l.msg === 'stopped a pinned local job this replica can no longer follow' && l.workflowId === id), { timeout: 10_000 })
      .toBe(true);
    await expect.poll(() => a.lines.slice(woke).some((l) => l.msg === 'replica registered'), { timeout: 10_000 }).toBe(true);

    const log = await pool.query<{ sequence: number; type: string }>(`SELECT sequence, state::jsonb ->> 'type' AS type FROM workflow_states WHERE workflow_id = $1 ORDER BY sequence`, [id]);
    expect(log.rows).toEqual([
      { sequence: 1, type: 'PENDING' },
      { sequence: 2, type: 'RUNNING' },
      { sequence: 3, type: 'ERROR' },
    ]);
    const last = await call(onA, 'getWorkflowState', { workflowId: id });
    expect(last.state?.messages).toEqual(['the replica running this workflow was lost']);
    // Whatever the woken replica tried to write was refused and counted (here it stops before writing).
    const counted = await metricValue(a, 'flowserv_replica_fenced_writes_rejected_total');
    expect(counted).toBe(a.lines.filter((l) => l.msg === REFUSED).length);
    console.log(`pinned job of the paused replica killed after SIGCONT; ${counted} stale writes refused`);
    onA.close();
    onB.close();
  });
});
