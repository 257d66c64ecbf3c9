/**
 * The WorkflowStore contract, run against every implementation (SQLite; PostgreSQL when the test
 * cluster answers): idempotent creation, the transition rules and the gapless log, listing with
 * keyset paging and filters, unsettled workflows, owners.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { InvalidRunStateError } from '../../../src/model/errors.js';
import type { NewState } from '../../../src/store/records.js';
import type { WorkflowStore } from '../../../src/store/workflow-store.js';
import { describeIfAvailable } from '../../support/requirements.js';
import { newWorkflow, storeBackends, type OpenedStore } from '../../support/store-backends.js';

const at = new Date(Date.UTC(2026, 0, 2));
const running: NewState = { type: 'RUNNING', createdAt: at, startedAt: at, messages: [], files: [] };
const canceled = (messages: string[] = []): NewState => ({ type: 'CANCELED', createdAt: at, startedAt: at, stoppedAt: at, messages, files: [] });
const success: NewState = { type: 'SUCCESS', createdAt: at, startedAt: at, finishedAt: at, messages: [], files: [{ key: 'results/out.txt', sizeBytes: 3, sha256: 'a'.repeat(64) }] };
const failed: NewState = { type: 'ERROR', createdAt: at, startedAt: at, stoppedAt: at, messages: ['boom "quoted" \\ \n'], files: [] };

for (const backend of storeBackends()) {
  describeIfAvailable(`workflow store (${backend.name})`, backend.missing, () => {
    let opened: OpenedStore;
    let store: WorkflowStore;
    beforeEach(async () => {
      opened = await backend.open();
      store = opened.store;
    });
    afterEach(async () => {
      await opened.close();
    });

    it('inserts a workflow in PENDING with sequence 1, and reads back what it stored', async () => {
      const result = await store.insert(newWorkflow(1, { groupId: 'g', requestId: 'req-1', labels: { a: 'x', 'b.c/d': 'y' } }));
      expect(result.kind).toBe('inserted');
      expect(result.workflow.state).toMatchObject({ type: 'PENDING', sequence: 1 });
      expect(await store.statesAfter('wf1', 0)).toHaveLength(1);
      const { createdAt: _, ...fields } = newWorkflow(1, { groupId: 'g', requestId: 'req-1', labels: { a: 'x', 'b.c/d': 'y' } });
      expect(await store.get('wf1')).toEqual({ ...fields, jobDone: false, state: result.workflow.state });
      expect(result.workflow).toEqual(await store.get('wf1'));
      expect(await store.get('nope')).toBeUndefined();
      expect(await store.latestState('nope')).toBeUndefined();
    });

    it('treats the same run id as a replay when the payload matches and a conflict otherwise', async () => {
      await store.insert(newWorkflow(1));
      const replay = await store.insert(newWorkflow(1, { workflowId: 'other' }));
      expect(replay).toMatchObject({ kind: 'existing', samePayload: true });
      expect(replay.workflow.workflowId).toBe('wf1');
      const conflict = await store.insert(newWorkflow(1, { workflowId: 'other', payloadHash: 'different' }));
      expect(conflict).toMatchObject({ kind: 'existing', samePayload: false });
      expect(await store.get('other')).toBeUndefined();
    });

    it('finds an earlier workflow by request id', async () => {
      await store.insert(newWorkflow(1, { requestId: 'req-1' }));
      const again = await store.insert(newWorkflow(2, { requestId: 'req-1', payloadHash: 'hash1' }));
      expect(again).toMatchObject({ kind: 'existing', samePayload: true });
      expect(again.workflow.workflowId).toBe('wf1');
    });

    it('appends allowed transitions with growing sequence and refuses leaving a terminal state', async () => {
      await store.insert(newWorkflow(1));
      expect((await store.appendState('wf1', running))?.sequence).toBe(2);
      expect(await store.appendState('wf1', running)).toBeUndefined();
      expect(await store.appendState('wf1', canceled(['bye']))).toEqual({ ...canceled(['bye']), sequence: 3 });
      await expect(store.appendState('wf1', success)).rejects.toThrow(InvalidRunStateError);
      await expect(store.appendState('wf1', success)).rejects.toThrow('cannot change run in state CANCELED to state SUCCESS');
      expect((await store.get('wf1'))?.state).toMatchObject({ type: 'CANCELED', sequence: 3, messages: ['bye'] });
      expect((await store.statesAfter('wf1', 1)).map((s) => s.type)).toEqual(['RUNNING', 'CANCELED']);
      expect(await store.latestState('wf1')).toEqual({ ...canceled(['bye']), sequence: 3 });
    });

    it('refuses going back to PENDING and RUNNING after RUNNING moved on; an unknown workflow is an error', async () => {
      await store.insert(newWorkflow(1));
      await expect(store.appendState('wf1', { type: 'PENDING', createdAt: at, messages: [], files: [] })).resolves.toBeUndefined();
      await store.appendState('wf1', running);
      await expect(store.appendState('wf1', { type: 'PENDING', createdAt: at, messages: [], files: [] })).rejects.toThrow(InvalidRunStateError);
      await store.appendState('wf1', failed);
      await expect(store.appendState('wf1', running)).rejects.toThrow(InvalidRunStateError);
      await expect(store.appendState('missing', running)).rejects.toThrow(/unknown workflow 'missing'/);
      expect((await store.statesAfter('wf1', 0)).map((s) => [s.sequence, s.type])).toEqual([[1, 'PENDING'], [2, 'RUNNING'], [3, 'ERROR']]);
      expect((await store.statesAfter('wf1', 2))[0]).toEqual({ ...failed, sequence: 3 });
    });

    it('finds nothing by values no store can hold (NUL characters)', async () => {
      await store.insert(newWorkflow(1));
      expect(await store.get('wf1\0')).toBeUndefined();
      expect(await store.latestState('wf1\0')).toBeUndefined();
      expect(await store.statesAfter('wf1\0', 0)).toEqual([]);
      expect(await store.list({ pageSize: 10, labels: { team: 'odd\0' } })).toEqual([]);
      expect(await store.list({ pageSize: 10, engine: 'local\0' })).toEqual([]);
      expect((await store.findByRunOrRequest('token:alice', 'run1', 'req\0'))?.workflowId).toBe('wf1');
    });

    it('survives reopening', async () => {
      await store.insert(newWorkflow(1));
      await store.appendState('wf1', running);
      const reopened = await opened.reopen();
      expect((await reopened.get('wf1'))?.runId).toBe('run1');
      expect((await reopened.get('wf1'))?.state.type).toBe('RUNNING');
    });

    it('lists newest first with keyset paging and filters by state, label and engine', async () => {
      for (let n = 1; n <= 5; n++) await store.insert(newWorkflow(n));
      await store.appendState('wf2', failed);
      const page1 = await store.list({ pageSize: 2 });
      expect(page1.map((w) => w.workflowId)).toEqual(['wf5', 'wf4']);
      const last = page1[1]!;
      const page2 = await store.list({ pageSize: 2, after: { createdAt: last.state.createdAt.toISOString(), workflowId: last.workflowId } });
      expect(page2.map((w) => w.workflowId)).toEqual(['wf3', 'wf2']);
      expect((await store.list({ pageSize: 10, states: ['ERROR'] })).map((w) => w.workflowId)).toEqual(['wf2']);
      expect((await store.list({ pageSize: 10, states: ['ERROR', 'PENDING'], labels: { team: 'even' } })).map((w) => w.workflowId)).toEqual(['wf4', 'wf2']);
      expect((await store.list({ pageSize: 10, labels: { team: 'odd' } })).map((w) => w.workflowId)).toEqual(['wf5', 'wf3', 'wf1']);
      expect((await store.list({ pageSize: 10, labels: { team: 'odd', other: 'x' } })).map((w) => w.workflowId)).toEqual([]);
      expect(await store.list({ pageSize: 10, engine: 'slurm' })).toEqual([]);
    });

    it('pages through workflows created at the same instant in insertion order, newest first', async () => {
      const same = new Date(Date.UTC(2026, 0, 1));
      for (const n of [3, 1, 2]) await store.insert(newWorkflow(n, { createdAt: same }));
      const seen: string[] = [];
      let after: { createdAt: string; workflowId: string } | undefined;
      for (;;) {
        const page = await store.list({ pageSize: 1, ...(after && { after }) });
        if (page.length === 0) break;
        seen.push(page[0]!.workflowId);
        after = { createdAt: page[0]!.state.createdAt.toISOString(), workflowId: page[0]!.workflowId };
      }
      expect(seen).toEqual(['wf2', 'wf1', 'wf3']);
    });

    it('reports unsettled workflows: active ones and terminal ones whose job is not confirmed done', async () => {
      await store.insert(newWorkflow(1));
      await store.insert(newWorkflow(2));
      await store.insert(newWorkflow(3));
      await store.appendState('wf3', failed, { jobDone: true });
      await store.setHandle('wf2', { engine: 'local', externalId: '1', workDir: '/w', controlDir: '/c' });
      await store.appendState('wf2', canceled());
      expect((await store.listUnsettled()).map((w) => w.workflowId)).toEqual(['wf1', 'wf2']);
      expect((await store.get('wf2'))?.handle).toEqual({ engine: 'local', externalId: '1', workDir: '/w', controlDir: '/c' });
      await store.markJobDone('wf2');
      expect((await store.listUnsettled()).map((w) => w.workflowId)).toEqual(['wf1']);
    });

    it('marks the job done in the same commit as the final state, on a no-op too, but not when the state is refused', async () => {
      for (const n of [1, 2, 3]) await store.insert(newWorkflow(n));
      const handle = { engine: 'local', externalId: '1', workDir: '/w', controlDir: '/c' };
      for (const id of ['wf1', 'wf2', 'wf3']) await store.setHandle(id, handle);
      await store.appendState('wf1', success, { jobDone: true });
      expect(await store.get('wf1')).toMatchObject({ jobDone: true, state: { type: 'SUCCESS', files: success.files } });
      await store.appendState('wf2', canceled());
      await expect(store.appendState('wf2', failed, { jobDone: true })).rejects.toThrow(InvalidRunStateError);
      expect((await store.get('wf2'))?.jobDone).toBe(false);
      await store.appendState('wf3', canceled());
      expect(await store.appendState('wf3', canceled(['again']), { jobDone: true })).toBeUndefined();
      expect(await store.get('wf3')).toMatchObject({ jobDone: true, state: { sequence: 2, messages: [] } });
    });

    it('scopes request ids to the owner: another owner may reuse one, and finds only its own', async () => {
      await store.insert(newWorkflow(1, { requestId: 'req-1' }));
      const bob = await store.insert(newWorkflow(2, { owner: 'token:bob', requestId: 'req-1' }));
      expect(bob).toMatchObject({ kind: 'inserted', workflow: { owner: 'token:bob', requestId: 'req-1' } });
      expect((await store.findByRunOrRequest('token:bob', 'unused', 'req-1'))?.workflowId).toBe('wf2');
      expect((await store.findByRunOrRequest('token:alice', 'unused', 'req-1'))?.workflowId).toBe('wf1');
      expect(await store.findByRunOrRequest('token:carol', 'unused', 'req-1')).toBeUndefined();
    });

    it("finds a run id whoever owns it (run ids are unique across the service), preferring the owner's own match", async () => {
      await store.insert(newWorkflow(1));
      await store.insert(newWorkflow(2, { owner: 'token:bob', requestId: 'req-b' }));
      const clash = await store.insert(newWorkflow(3, { owner: 'token:bob', runId: 'run1' }));
      expect(clash).toMatchObject({ kind: 'existing', workflow: { workflowId: 'wf1', owner: 'token:alice' } });
      expect((await store.findByRunOrRequest('token:bob', 'run1', 'req-b'))?.workflowId).toBe('wf2');
      expect(await store.get('wf3')).toBeUndefined();
    });

    it("reads the latest state only for its owner when one is given, and lists one owner's workflows", async () => {
      await store.insert(newWorkflow(1));
      await store.insert(newWorkflow(2, { owner: 'token:bob' }));
      await store.insert(newWorkflow(3));
      expect((await store.latestState('wf2', 'token:bob'))?.type).toBe('PENDING');
      expect(await store.latestState('wf2', 'token:alice')).toBeUndefined();
      expect((await store.latestState('wf2'))?.type).toBe('PENDING');
      expect((await store.list({ pageSize: 10, owner: 'token:alice' })).map((w) => w.workflowId)).toEqual(['wf3', 'wf1']);
      expect((await store.list({ pageSize: 10, owner: 'token:bob' })).map((w) => w.workflowId)).toEqual(['wf2']);
      expect((await store.list({ pageSize: 10 })).map((w) => w.workflowId)).toEqual(['wf3', 'wf2', 'wf1']);
      const page1 = await store.list({ pageSize: 1, owner: 'token:alice' });
      const after = { createdAt: page1[0]!.state.createdAt.toISOString(), workflowId: page1[0]!.workflowId };
      expect((await store.list({ pageSize: 10, owner: 'token:alice', after })).map((w) => w.workflowId)).toEqual(['wf1']);
    });
  });
}
