/**
 * A lost announcement between real `serve` replicas on one PostgreSQL database (test plan item 7):
 * replica A runs with the fault hook that drops the announcement of every workflow's terminal
 * state (sequence 3 of a one-step workflow), as if A had died right after the commit. Replica B,
 * watching those workflows, has no later announcement that would make it read the log; only its
 * check against the log at every heartbeat can deliver the state. Each watcher must still get
 * every state once, in order, and the terminal one within one heartbeat interval (plus a margin
 * for a loaded machine) of the drop, which A logs right after the commit.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FAULT_DROP_ANNOUNCEMENTS_ENV } from '../../../src/replicas/announcement-faults.js';
import { scratch } from '../../support/fixtures.js';
import { call } from '../../support/grpc-calls.js';
import { remoteClient } from '../../support/grpc-clients.js';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.js';
import { startReplicas, stopReplicas, typesAndSequences, watchToEnd } from '../../support/replica-servers.js';
import { describeIfAvailable, postgresMissing } from '../../support/requirements.js';
import type { ServerProcess } from '../../support/server-process.js';
import { shellRequest } from '../../support/shell-request.js';

/** The watch heartbeat, which is also the interval of each replica's check against the log. */
const HEARTBEAT_MS = 1000;
/** Scheduling slack on a shared two-core machine (the check's own queries take a few ms). */
const MARGIN_MS = 1000;
const WORKFLOWS = 3;

describeIfAvailable('a lost state announcement between replicas (fault hook)', postgresMissing(), () => {
  let db: TestDatabase;
  let a: ServerProcess;
  let b: ServerProcess;

  beforeAll(async () => {
    db = await createTestDatabase();
    const args = ['--heartbeat-interval-ms', String(HEARTBEAT_MS)];
    [a, b] = (await startReplicas(db.url, scratch(), [
      { name: 'a', args, env: { [FAULT_DROP_ANNOUNCEMENTS_ENV]: `${WORKFLOWS}@3` } },
      { name: 'b', args },
    ])) as [ServerProcess, ServerProcess];
  });
  afterAll(async () => {
    await stopReplicas([a, b]);
    await db?.drop();
  });

  it('delivers a state whose announcement was dropped once, in order, by the next heartbeat check', async () => {
    const onA = remoteClient(a.address);
    const onB = remoteClient(b.address);
    const ids = await Promise.all(
      Array.from({ length: WORKFLOWS }, async (_, i) => (await call(onA, 'createWorkflow', shellRequest(`dropped-${i}`, ['sleep 1'], { engine: 'local' }))).workflow!.workflowId),
    );
    const watched = ids.map((id) => watchToEnd(onB, id).states);
    const seen = await Promise.all(watched);

    const drops = a.lines.filter((l) => l.msg === 'fault hook: announcement dropped');
    expect(drops.map((l) => [l.workflowId, l.sequence]).sort()).toEqual(ids.map((id) => [id, 3]).sort());
    const delays: number[] = [];
    for (const [i, id] of ids.entries()) {
      expect(typesAndSequences(seen[i]!)).toEqual([
        ['PENDING', 1],
        ['RUNNING', 2],
        ['SUCCESS', 3],
      ]);
      const log = await db.pool().query<{ sequence: number }>('SELECT sequence FROM workflow_states WHERE workflow_id = $1 ORDER BY sequence', [id]);
      expect(log.rows.map((r) => r.sequence)).toEqual([1, 2, 3]);
      // The watcher was live before the commit (it got RUNNING first), so the terminal state
      // came through B's feed, not through the log read at the start of the watch.
      const droppedAt = Date.parse(String(drops.find((l) => l.workflowId === id)!.time));
      const success = seen[i]![2]!;
      expect(seen[i]![1]!.at).toBeLessThanOrEqual(droppedAt + 50);
      delays.push(success.at - droppedAt);
    }
    console.info(`lost announcement: commit -> watcher on the other replica ${delays.map((d) => `${d} ms`).join(', ')} (heartbeat ${HEARTBEAT_MS} ms)`);
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(HEARTBEAT_MS + MARGIN_MS);
    }
    onA.close();
    onB.close();
  });
});
