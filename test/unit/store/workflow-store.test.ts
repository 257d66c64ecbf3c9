import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/store/database.js';
import { createSqliteWorkflowStore } from '../../../src/store/sqlite-workflow-store.js';
import type { NewWorkflow, WorkflowStore } from '../../../src/store/workflow-store.js';
import { InvalidRunStateError } from '../../../src/model/errors.js';

function newWorkflow(n: number, overrides: Partial<NewWorkflow> = {}): NewWorkflow {
  return {
    workflowId: `wf${n}`,
    owner: 'token:alice',
    runId: `run${n}`,
    engine: 'local',
    labels: { team: n % 2 ? 'odd' : 'even' },
    payloadHash: `hash${n}`,
    outputFiles: ['results/out.txt'],
    job: { workflowId: `wf${n}`, workDir: '/w', controlDir: '/c', steps: [{ name: 's', commands: ['true'] }] },
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n)),
    ...overrides,
  };
}

describe('workflow store', () => {
  let store: WorkflowStore;
  let file: string;
  beforeEach(() => {
    file = join(mkdtempSync(join(tmpdir(), 'store-')), 'db.sqlite');
    store = createSqliteWorkflowStore(openDatabase(file));
  });

  it('inserts a workflow in PENDING with sequence 1', async () => {
    const result = await store.insert(newWorkflow(1));
    expect(result.kind).toBe('inserted');
    expect(result.workflow.state).toMatchObject({ type: 'PENDING', sequence: 1 });
    expect(await store.statesAfter('wf1', 0)).toHaveLength(1);
  });

  it('treats the same run id as a replay when the payload matches and a conflict otherwise', async () => {
    await store.insert(newWorkflow(1));
    const replay = await store.insert(newWorkflow(1, { workflowId: 'other' }));
    expect(replay).toMatchObject({ kind: 'existing', samePayload: true });
    expect(replay.workflow.workflowId).toBe('wf1');
    const conflict = await store.insert(newWorkflow(1, { workflowId: 'other', payloadHash: 'different' }));
    expect(conflict).toMatchObject({ kind: 'existing', samePayload: false });
  });

  it('finds an earlier workflow by request id', async () => {
    await store.insert(newWorkflow(1, { requestId: 'req-1' }));
    const again = await store.insert(newWorkflow(2, { requestId: 'req-1', payloadHash: 'hash1' }));
    expect(again).toMatchObject({ kind: 'existing', samePayload: true });
    expect(again.workflow.workflowId).toBe('wf1');
  });

  it('appends allowed transitions with growing sequence and refuses leaving a terminal state', async () => {
    await store.insert(newWorkflow(1));
    const at = new Date();
    expect((await store.appendState('wf1', { type: 'RUNNING', createdAt: at, startedAt: at, messages: [], files: [] }))?.sequence).toBe(2);
    expect(await store.appendState('wf1', { type: 'RUNNING', createdAt: at, startedAt: at, messages: [], files: [] })).toBeUndefined();
    await store.appendState('wf1', { type: 'CANCELED', createdAt: at, startedAt: at, stoppedAt: at, messages: ['bye'], files: [] });
    await expect(
      store.appendState('wf1', { type: 'SUCCESS', createdAt: at, startedAt: at, finishedAt: at, messages: [], files: [] }),
    ).rejects.toThrow(InvalidRunStateError);
    expect((await store.get('wf1'))?.state).toMatchObject({ type: 'CANCELED', sequence: 3, messages: ['bye'] });
    expect((await store.statesAfter('wf1', 1)).map((s) => s.type)).toEqual(['RUNNING', 'CANCELED']);
  });

  it('survives reopening the database', async () => {
    await store.insert(newWorkflow(1));
    const reopened = createSqliteWorkflowStore(openDatabase(file));
    expect((await reopened.get('wf1'))?.runId).toBe('run1');
  });

  it('lists newest first with keyset paging and filters by state, label and engine', async () => {
    for (let n = 1; n <= 5; n++) await store.insert(newWorkflow(n));
    const at = new Date();
    await store.appendState('wf2', { type: 'ERROR', createdAt: at, startedAt: at, stoppedAt: at, messages: [], files: [] });
    const page1 = await store.list({ pageSize: 2 });
    expect(page1.map((w) => w.workflowId)).toEqual(['wf5', 'wf4']);
    const last = page1[1]!;
    const page2 = await store.list({ pageSize: 2, after: { createdAt: last.state.createdAt.toISOString(), workflowId: last.workflowId } });
    expect(page2.map((w) => w.workflowId)).toEqual(['wf3', 'wf2']);
    expect((await store.list({ pageSize: 10, states: ['ERROR'] })).map((w) => w.workflowId)).toEqual(['wf2']);
    expect((await store.list({ pageSize: 10, labels: { team: 'odd' } })).map((w) => w.workflowId)).toEqual(['wf5', 'wf3', 'wf1']);
    expect(await store.list({ pageSize: 10, engine: 'slurm' })).toEqual([]);
  });

  it('reports unsettled workflows: active ones and terminal ones whose job is not confirmed done', async () => {
    await store.insert(newWorkflow(1));
    await store.insert(newWorkflow(2));
    const at = new Date();
    await store.setHandle('wf2', { engine: 'local', externalId: '1', workDir: '/w', controlDir: '/c' });
    await store.appendState('wf2', { type: 'CANCELED', createdAt: at, startedAt: at, stoppedAt: at, messages: [], files: [] });
    expect((await store.listUnsettled()).map((w) => w.workflowId)).toEqual(['wf1', 'wf2']);
    await store.markJobDone('wf2');
    expect((await store.listUnsettled()).map((w) => w.workflowId)).toEqual(['wf1']);
  });

  it('marks the job done in the same commit as the final state, and even when the state is refused', async () => {
    await store.insert(newWorkflow(1));
    await store.insert(newWorkflow(2));
    const at = new Date();
    const handle = { engine: 'local', externalId: '1', workDir: '/w', controlDir: '/c' };
    await store.setHandle('wf1', handle);
    await store.setHandle('wf2', handle);
    await store.appendState('wf1', { type: 'SUCCESS', createdAt: at, startedAt: at, finishedAt: at, messages: [], files: [] }, { jobDone: true });
    expect(await store.get('wf1')).toMatchObject({ jobDone: true, state: { type: 'SUCCESS' } });
    await store.appendState('wf2', { type: 'CANCELED', createdAt: at, startedAt: at, stoppedAt: at, messages: [], files: [] });
    await expect(
      store.appendState('wf2', { type: 'ERROR', createdAt: at, startedAt: at, stoppedAt: at, messages: [], files: [] }, { jobDone: true }),
    ).rejects.toThrow(InvalidRunStateError);
    expect((await store.get('wf2'))?.jobDone).toBe(false);
  });

  describe('owners', () => {
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
});
