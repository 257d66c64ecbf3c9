/**
 * What only the PostgreSQL store has: the follower fence on appends and handles, the log's
 * bytes (the same encoding as SQLite's), and many connections writing at once: concurrent
 * transitions of one workflow leave a gapless log with exactly one winner per step, and
 * concurrent creations with one request id insert once and replay for everyone else.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { InvalidRunStateError } from '../../../src/model/errors.js';
import type { NewState } from '../../../src/store/records.js';
import { createPostgresWorkflowStore } from '../../../src/store/postgres-workflow-store.js';
import { encodeState } from '../../../src/store/state-codec.js';
import { FenceLostError, type WorkflowStore } from '../../../src/store/workflow-store.js';
import { describeIfAvailable } from '../../support/requirements.js';
import { newWorkflow, storeBackends, type OpenedStore } from '../../support/store-backends.js';

const backend = storeBackends().find((b) => b.name === 'postgres')!;
const at = new Date(Date.UTC(2026, 0, 2));
const running: NewState = { type: 'RUNNING', createdAt: at, startedAt: at, messages: [], files: [] };
const ended = (type: 'SUCCESS' | 'ERROR' | 'CANCELED', message: string): NewState => ({ type, createdAt: at, startedAt: at, stoppedAt: at, messages: [message], files: [] });

describeIfAvailable('postgres workflow store', backend.missing, () => {
  let opened: OpenedStore;
  let store: WorkflowStore;
  beforeEach(async () => {
    opened = await backend.open();
    store = opened.store;
  });
  afterEach(async () => {
    await opened.close();
  });

  it('stores each state with exactly the bytes of the shared state encoding', async () => {
    await store.insert(newWorkflow(1));
    const state = ended('ERROR', 'quote " backslash \\ newline \n unicode é ✓ "sequence":-1,');
    const stored = await store.appendState('wf1', state);
    const { rows } = await opened.pool!().query('SELECT sequence, state FROM workflow_states WHERE workflow_id = $1 ORDER BY sequence', ['wf1']);
    expect(rows.map((r) => r.sequence)).toEqual([1, 2]);
    expect(rows[1].state).toBe(encodeState(stored!));
    expect(await store.statesAfter('wf1', 1)).toEqual([{ ...state, sequence: 2 }]);
  });

  it('claims a new row in the inserting statement for a replica whose lease is live, and for no other', async () => {
    const admin = opened.pool!();
    await admin.query(`INSERT INTO replicas (replica_id, lease_until) VALUES ('live', now() + interval '1 minute'), ('expired', now() - interval '1 second')`);
    const followerOf = async (id: string) => (await admin.query('SELECT follower, follower_epoch FROM workflows WHERE workflow_id = $1', [id])).rows[0];
    const live = await store.insert({ ...newWorkflow(1), claimFor: 'live' });
    expect(live).toMatchObject({ kind: 'inserted', claim: { follower: 'live', epoch: 1 } });
    expect(live.workflow).not.toHaveProperty('claimFor');
    expect(await followerOf('wf1')).toEqual({ follower: 'live', follower_epoch: '1' });
    for (const [i, claimFor] of [[2, 'expired'], [3, 'unknown'], [4, undefined]] as const) {
      const result = await store.insert({ ...newWorkflow(i), ...(claimFor && { claimFor }) });
      expect(result.kind).toBe('inserted');
      expect(result).not.toHaveProperty('claim');
      expect(await followerOf(`wf${i}`)).toEqual({ follower: null, follower_epoch: '0' });
    }
    // A replay claims nothing and leaves the holder's claim alone.
    const again = await store.insert({ ...newWorkflow(1), claimFor: 'live' });
    expect(again.kind).toBe('existing');
    expect(await followerOf('wf1')).toEqual({ follower: 'live', follower_epoch: '1' });
  });

  it('applies fenced writes only while the follower and epoch still hold', async () => {
    await store.insert(newWorkflow(1));
    const admin = opened.pool!();
    await admin.query(`UPDATE workflows SET follower = 'replica-a', follower_epoch = 3 WHERE workflow_id = 'wf1'`);
    const handle = { engine: 'slurm', externalId: '42', workDir: '/w', controlDir: '/c' };
    await store.setHandle('wf1', handle, { fence: { follower: 'replica-a', epoch: 3 } });
    expect((await store.appendState('wf1', running, { fence: { follower: 'replica-a', epoch: 3 } }))?.sequence).toBe(2);
    // Taken over: the claim moved to replica-b at epoch 4.
    await admin.query(`UPDATE workflows SET follower = 'replica-b', follower_epoch = 4 WHERE workflow_id = 'wf1'`);
    const stale = { fence: { follower: 'replica-a', epoch: 3 } };
    await expect(store.appendState('wf1', ended('ERROR', 'stale'), { ...stale, jobDone: true })).rejects.toThrow(FenceLostError);
    await expect(store.appendState('wf1', running, stale)).rejects.toThrow(FenceLostError);
    await expect(store.appendState('wf1', ended('ERROR', 'old epoch'), { fence: { follower: 'replica-b', epoch: 3 } })).rejects.toThrow(FenceLostError);
    await expect(store.setHandle('wf1', { ...handle, externalId: '43' }, stale)).rejects.toThrow(FenceLostError);
    expect(await store.get('wf1')).toMatchObject({ handle, jobDone: false, state: { type: 'RUNNING', sequence: 2 } });
    expect((await store.appendState('wf1', ended('SUCCESS', 'ok'), { fence: { follower: 'replica-b', epoch: 4 }, jobDone: true }))?.sequence).toBe(3);
    // An unfenced write (a user's stop) is judged by the transition rules alone.
    await expect(store.appendState('wf1', ended('CANCELED', 'late'))).rejects.toThrow(InvalidRunStateError);
    expect((await store.statesAfter('wf1', 0)).map((s) => s.type)).toEqual(['PENDING', 'RUNNING', 'SUCCESS']);
  });

  it('keeps each log gapless with one winner per step when several connections transition the same workflows at once', async () => {
    const writers = Array.from({ length: 4 }, () => createPostgresWorkflowStore(opened.pool!({ max: 4 })));
    const ids = Array.from({ length: 12 }, (_, i) => i + 1);
    for (const n of ids) await store.insert(newWorkflow(n));
    const outcome = (p: Promise<unknown>) =>
      p.then(
        (stored) => (stored === undefined ? 'noop' : 'stored'),
        (err: unknown) => (err instanceof InvalidRunStateError ? 'refused' : Promise.reject(err)),
      );
    const terminal = ['SUCCESS', 'ERROR', 'CANCELED', 'ERROR'] as const;
    const results = await Promise.all(
      ids.flatMap((n) =>
        writers.map(async (writer, w) => [
          await outcome(writer.appendState(`wf${n}`, running)),
          await outcome(writer.appendState(`wf${n}`, ended(terminal[w]!, `writer ${w}`), { jobDone: true })),
        ]),
      ),
    );
    expect(results.flat().filter((r) => r === 'stored')).toHaveLength(ids.length * 2);
    for (const n of ids) {
      const log = await store.statesAfter(`wf${n}`, 0);
      expect(log.map((s) => s.sequence)).toEqual([1, 2, 3]);
      expect(log.map((s) => s.type).slice(0, 2)).toEqual(['PENDING', 'RUNNING']);
      expect(await store.get(`wf${n}`)).toMatchObject({ jobDone: true, state: { sequence: 3, type: log[2]!.type } });
    }
  });

  it('inserts once when several connections create with one request id at once; the others replay or conflict', async () => {
    const writers = Array.from({ length: 6 }, () => createPostgresWorkflowStore(opened.pool!({ max: 2 })));
    const payloadOf = (w: number) => (w === 5 ? 'other-payload' : 'same-payload');
    const results = await Promise.all(writers.map((writer, w) => writer.insert(newWorkflow(100 + w, { requestId: 'same-request', payloadHash: payloadOf(w) }))));
    const inserted = results.filter((r) => r.kind === 'inserted');
    expect(inserted).toHaveLength(1);
    const winner = inserted[0]!.workflow;
    results.forEach((r, w) => {
      if (r.kind === 'inserted') return;
      expect(r.workflow.workflowId).toBe(winner.workflowId);
      expect(r.samePayload).toBe(payloadOf(w) === winner.payloadHash);
    });
    const { rows } = await opened.pool!().query(`SELECT count(*)::int AS n FROM workflows WHERE request_id = 'same-request'`);
    expect(rows[0].n).toBe(1);
    expect(await store.statesAfter(winner.workflowId, 0)).toHaveLength(1);
  });
});
