/**
 * The dispatcher among several replicas, with a scripted coordination and a store that checks
 * fences the way the shared store does: the creating replica follows only what it claimed, every
 * follower write carries the claim's fence, a refused fence ends the following without another
 * write, a lost lease stops every follower, the claim scan's workflows are resumed as after a
 * restart, a pinned job of a lost replica ends in ERROR, and a stop works without the claim.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { cancelState } from '../../../src/model/state.js';
import { createPlanner } from '../../../src/service/plan-workflow.js';
import type { ClaimedWorkflow, ReplicaCoordination } from '../../../src/service/replica-coordination.js';
import { createLocalStateFeed } from '../../../src/service/state-feed.js';
import type { WatchHub } from '../../../src/service/watch-hub.js';
import { createWorkflowServiceWithTesting, type WorkflowService } from '../../../src/service/workflow-service.js';
import { createBlobStore } from '../../../src/store/blob-store.js';
import { createSqliteBlobIndex } from '../../../src/store/blob-index.js';
import { openDatabase } from '../../../src/store/database.js';
import { createSqliteWorkflowStore } from '../../../src/store/sqlite-workflow-store.js';
import { FenceLostError, type FollowerFence as Fence, type WorkflowStore } from '../../../src/store/workflow-store.js';
import { createFakeEngine, type FakeEngine } from '../../support/fake-engine.js';
import { memoryLogger } from '../../support/logger.js';
import { trivialRequest } from '../../support/service.js';

const services: WorkflowService[] = [];
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.close()));
});

/** A replica's view: the claims as the database would hold them, the writes' fences, the scan. */
function setup(options: { readonly pinned?: boolean; readonly othersFirst?: boolean; readonly retryDelayMs?: number; readonly claimAtInsert?: boolean } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'replicas-'));
  const db = openDatabase(join(dataDir, 'db.sqlite'));
  const inner = createSqliteWorkflowStore(db);
  /** The row's follower and epoch, as the shared database holds them. */
  const rows = new Map<string, Fence>();
  const writes: { workflowId: string; type: string; fence?: Fence }[] = [];
  const check = (workflowId: string, fence: Fence | undefined): void => {
    const held = rows.get(workflowId);
    if (fence && (held?.follower !== fence.follower || held.epoch !== fence.epoch)) throw new FenceLostError(workflowId, fence);
  };
  const claimsAfterInsert: string[] = [];
  const store: WorkflowStore = {
    ...inner,
    // As the PostgreSQL store does: the insert itself claims the row for a live replica.
    async insert(wf) {
      const result = await inner.insert(wf);
      if (!options.claimAtInsert || result.kind !== 'inserted' || wf.claimFor === undefined) return result;
      const claim = { follower: wf.claimFor, epoch: 1 };
      rows.set(wf.workflowId, claim);
      return { ...result, claim };
    },
    async appendState(workflowId, next, opts) {
      check(workflowId, opts?.fence);
      writes.push({ workflowId, type: next.type, ...(opts?.fence && { fence: opts.fence }) });
      return inner.appendState(workflowId, next, opts);
    },
    async setHandle(workflowId, handle, opts) {
      check(workflowId, opts?.fence);
      await inner.setHandle(workflowId, handle);
    },
  };
  let lease = new AbortController();
  let takeOver: ((claimed: ClaimedWorkflow) => Promise<void>) | undefined;
  const replicas: ReplicaCoordination & { closed: boolean } = {
    closed: false,
    current: () => ({ replicaId: 'me', lease: lease.signal }),
    async claimNew(workflowId) {
      claimsAfterInsert.push(workflowId);
      if (options.othersFirst) {
        rows.set(workflowId, { follower: 'other', epoch: 1 });
        return undefined;
      }
      rows.set(workflowId, { follower: 'me', epoch: 1 });
      return rows.get(workflowId);
    },
    startScan: (fn) => void (takeOver = fn),
    async close() {
      replicas.closed = true;
    },
  };
  const engine: FakeEngine = createFakeEngine({ name: 'slurm' });
  const local = createFakeEngine({ name: 'local' });
  const log = memoryLogger('debug');
  let hub: WatchHub | undefined;
  const { service, testing } = createWorkflowServiceWithTesting({
    store,
    blobs: createBlobStore(createSqliteBlobIndex(db), join(dataDir, 'blobs')),
    engines: new Map([
      ['slurm', engine],
      ['local', local],
    ]),
    defaultEngine: 'slurm',
    planWorkflow: createPlanner(),
    runsDirFor: (name) => join(dataDir, `${name}-runs`),
    limits: { maxUploadBytes: 1 << 20, uploadChunkBytes: 1 << 16, downloadChunkBytes: 1 << 16, heartbeatIntervalMs: 200, maxPageSize: 100, maxDirectoryEntries: 100, maxDirectoryBytes: 1 << 20 },
    logger: log.logger,
    replicas,
    ...(options.pinned && { pinnedEngines: ['local'] }),
    ...(options.retryDelayMs !== undefined && { retryDelayMs: options.retryDelayMs }),
    remoteStopGraceMs: 0,
    stateFeed: (h) => createLocalStateFeed((hub = h)),
  });
  services.push(service);
  return {
    service,
    testing,
    engine,
    local,
    rows,
    writes,
    claimsAfterInsert,
    log,
    replicas,
    loseLease: () => {
      lease.abort(new Error('lease lost'));
      lease = new AbortController();
    },
    scan: (claimed: Omit<ClaimedWorkflow, 'lease'>) => takeOver!({ ...claimed, lease: lease.signal }),
    /** Another replica cancels the workflow: its commit, then the state as this replica's feed brings it in. */
    async cancelElsewhere(workflowId: string): Promise<void> {
      const current = (await inner.get(workflowId))!.state;
      const stored = (await inner.appendState(workflowId, cancelState(current, new Date(), ['elsewhere'])))!;
      hub!.publish(workflowId, stored);
    },
  };
}

/** Starts the service, creates a workflow and lets its job finish: RUNNING, then SUCCESS. Returns its id. */
async function runToSuccess(r: ReturnType<typeof setup>): Promise<string> {
  await r.service.start();
  const { workflow } = await r.service.createWorkflow(trivialRequest('a'));
  const id = workflow.workflowId;
  await expect.poll(async () => (await r.service.getWorkflow(id)).state.type).toBe('RUNNING');
  r.engine.finish(id);
  await expect.poll(async () => (await r.service.getWorkflow(id)).state.type).toBe('SUCCESS');
  return id;
}

it('follows a created workflow under its claim; every follower write carries the fence', async () => {
  const r = setup();
  const id = await runToSuccess(r);
  expect(r.writes).toEqual([
    { workflowId: id, type: 'RUNNING', fence: { follower: 'me', epoch: 1 } },
    { workflowId: id, type: 'SUCCESS', fence: { follower: 'me', epoch: 1 } },
  ]);
  expect((await r.testing.record(id))!.jobDone).toBe(true);
  // A store that cannot claim in its insert: the dispatcher claims the row after it.
  expect(r.claimsAfterInsert).toEqual([id]);
});

it('follows under the claim its insert took, without claiming the row a second time', async () => {
  const r = setup({ claimAtInsert: true });
  const id = await runToSuccess(r);
  expect(r.writes.map((w) => w.fence)).toEqual([{ follower: 'me', epoch: 1 }, { follower: 'me', epoch: 1 }]);
  expect(r.claimsAfterInsert).toEqual([]);
});

it('leaves a created workflow to the replica whose scan claimed it first: no submission here', async () => {
  const r = setup({ othersFirst: true });
  const { workflow } = await r.service.createWorkflow(trivialRequest('a'));
  expect(r.engine.calls.submit).toBe(0);
  expect((await r.service.getWorkflow(workflow.workflowId)).state.type).toBe('PENDING');
});

it('stops following when a fenced write is refused, and writes nothing more', async () => {
  const r = setup();
  const { workflow } = await r.service.createWorkflow(trivialRequest('a'));
  const id = workflow.workflowId;
  await expect.poll(async () => (await r.service.getWorkflow(id)).state.type).toBe('RUNNING');
  r.rows.set(id, { follower: 'successor', epoch: 2 });
  r.engine.finish(id);
  await expect.poll(() => r.log.lines.some((l) => l.msg === 'stale follower write refused: another replica follows this workflow now' && l.workflowId === id)).toBe(true);
  expect((await r.service.getWorkflow(id)).state.type).toBe('RUNNING');
  expect(r.writes.map((w) => w.type)).toEqual(['RUNNING']);
  expect(r.testing.activeCount('slurm')).toBe(0);
});

it('stops every follower when the lease is lost; the job is left running for whoever claims it next', async () => {
  const r = setup();
  const { workflow } = await r.service.createWorkflow(trivialRequest('a'));
  const id = workflow.workflowId;
  await expect.poll(async () => (await r.service.getWorkflow(id)).state.type).toBe('RUNNING');
  r.loseLease();
  await expect.poll(() => r.testing.activeCount('slurm')).toBe(0);
  r.engine.finish(id);
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect((await r.service.getWorkflow(id)).state.type).toBe('RUNNING');
  expect(r.engine.calls.stop).toBe(0);
});

it('keeps the fence for a submission that returns after the lease was lost: a survivor\'s claim refuses its handle, and nothing is followed unfenced', async () => {
  const r = setup();
  const release = r.engine.holdSubmits();
  const { workflow } = await r.service.createWorkflow(trivialRequest('a'));
  const id = workflow.workflowId;
  await expect.poll(() => r.engine.calls.submit).toBe(1);
  r.loseLease();
  // A survivor claimed the workflow while the submission was under way.
  r.rows.set(id, { follower: 'successor', epoch: 2 });
  release();
  await expect.poll(() => r.log.lines.some((l) => l.msg === 'stale follower write refused: another replica follows this workflow now' && l.workflowId === id && l.write === 'handle of the job just submitted')).toBe(true);
  r.engine.finish(id);
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(r.writes).toEqual([]);
  expect((await r.service.getWorkflow(id)).state.type).toBe('PENDING');
});

it('kills a pinned local job when its lease is lost: no other replica can reach it, and a survivor ends the workflow in ERROR', async () => {
  const r = setup({ pinned: true });
  const { workflow } = await r.service.createWorkflow(trivialRequest('a', { engine: 'local' }));
  const id = workflow.workflowId;
  await expect.poll(async () => (await r.service.getWorkflow(id)).state.type).toBe('RUNNING');
  r.loseLease();
  await expect.poll(() => r.local.running()).toEqual([]);
  expect(r.local.calls.stop).toBe(1);
  expect(r.log.lines.some((l) => l.msg === 'stopped a pinned local job this replica can no longer follow' && l.workflowId === id)).toBe(true);
  // Its end is no follower write of this replica (the survivor writes ERROR under its claim).
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(r.writes.map((w) => w.type)).toEqual(['RUNNING']);
});

it('leaves a pinned local job running when the server closes (only a lost lease ends it)', async () => {
  const r = setup({ pinned: true });
  const { workflow } = await r.service.createWorkflow(trivialRequest('a', { engine: 'local' }));
  const id = workflow.workflowId;
  await expect.poll(async () => (await r.service.getWorkflow(id)).state.type).toBe('RUNNING');
  await r.service.close();
  expect(r.local.calls.stop).toBe(0);
  expect(r.local.running()).toEqual([id]);
});

it('resumes a workflow handed over by the claim scan under the new fence (here: never submitted, so it is submitted once)', async () => {
  const r = setup({ othersFirst: true });
  await r.service.start();
  const { workflow } = await r.service.createWorkflow(trivialRequest('a'));
  const id = workflow.workflowId;
  // The replica that claimed it died before submitting; this one's scan takes it with epoch 2.
  r.rows.set(id, { follower: 'me', epoch: 2 });
  await r.scan({ workflowId: id, fence: { follower: 'me', epoch: 2 }, previousFollower: 'other' });
  await expect.poll(async () => (await r.service.getWorkflow(id)).state.type).toBe('RUNNING');
  expect(r.engine.calls.submit).toBe(1);
  expect(r.writes).toEqual([{ workflowId: id, type: 'RUNNING', fence: { follower: 'me', epoch: 2 } }]);
});

it('ends a pinned local workflow of a lost replica in ERROR, job done', async () => {
  const r = setup({ pinned: true, othersFirst: true });
  await r.service.start();
  const { workflow } = await r.service.createWorkflow(trivialRequest('a', { engine: 'local' }));
  const id = workflow.workflowId;
  r.rows.set(id, { follower: 'me', epoch: 2 });
  await r.scan({ workflowId: id, fence: { follower: 'me', epoch: 2 }, previousFollower: 'other' });
  expect((await r.service.getWorkflow(id)).state).toMatchObject({ type: 'ERROR', messages: ['the replica running this workflow was lost'] });
  expect((await r.testing.record(id))!.jobDone).toBe(true);
  expect(r.local.calls.submit).toBe(0);
});

it('stops a workflow another replica follows now: CANCELED is written without a fence and the job is stopped from here', async () => {
  const r = setup();
  const { workflow } = await r.service.createWorkflow(trivialRequest('a'));
  const id = workflow.workflowId;
  await expect.poll(async () => (await r.service.getWorkflow(id)).state.type).toBe('RUNNING');
  r.rows.set(id, { follower: 'successor', epoch: 2 });
  const state = await r.service.stopWorkflow(id, 'enough', 0);
  expect(state).toMatchObject({ type: 'CANCELED', messages: ['enough'] });
  expect(r.writes.at(-1)).toEqual({ workflowId: id, type: 'CANCELED' });
  expect(r.engine.calls.stop).toBe(1);
  expect((await r.testing.record(id))!.jobDone).toBe(true);
});

it('a follower stops the job and lets the workflow go when another replica ended it (a stop received there)', async () => {
  const r = setup();
  const { workflow } = await r.service.createWorkflow(trivialRequest('a'));
  const id = workflow.workflowId;
  await expect.poll(async () => (await r.service.getWorkflow(id)).state.type).toBe('RUNNING');
  await r.cancelElsewhere(id);
  await expect.poll(async () => (await r.testing.record(id))!.jobDone).toBe(true);
  expect(r.engine.calls.stop).toBe(1);
  expect(r.engine.running()).toEqual([]);
  expect(r.testing.activeCount('slurm')).toBe(0);
  expect(r.log.lines.filter((l) => l.msg === 'another replica ended the workflow; following ended').map((l) => l.workflowId)).toEqual([id]);
  // Nothing written here after the other replica's CANCELED.
  expect(r.writes.map((w) => w.type)).toEqual(['RUNNING']);
  expect((await r.service.getWorkflow(id)).state).toMatchObject({ type: 'CANCELED', messages: ['elsewhere'] });
});

it('a follower keeps stopping the job of a workflow ended elsewhere while the engine cannot be reached', async () => {
  const r = setup({ retryDelayMs: 20 });
  const { workflow } = await r.service.createWorkflow(trivialRequest('a'));
  const id = workflow.workflowId;
  await expect.poll(async () => (await r.service.getWorkflow(id)).state.type).toBe('RUNNING');
  r.engine.failStops(2);
  await r.cancelElsewhere(id);
  await expect.poll(async () => (await r.testing.record(id))!.jobDone).toBe(true);
  expect(r.engine.calls.stop).toBe(3);
  expect(r.engine.running()).toEqual([]);
});

it('a stop received by the follower itself is not taken for another replica\'s: the job is stopped once', async () => {
  const r = setup();
  const { workflow } = await r.service.createWorkflow(trivialRequest('a'));
  const id = workflow.workflowId;
  await expect.poll(async () => (await r.service.getWorkflow(id)).state.type).toBe('RUNNING');
  await r.service.stopWorkflow(id, 'here', 0);
  await expect.poll(() => r.testing.activeCount('slurm')).toBe(0);
  expect(r.engine.calls.stop).toBe(1);
  expect(r.log.lines.some((l) => l.msg === 'another replica ended the workflow; following ended')).toBe(false);
  expect((await r.testing.record(id))!.jobDone).toBe(true);
});

it('releases its claims when closed (graceful drain)', async () => {
  const r = setup();
  await r.service.start();
  await r.service.close();
  expect(r.replicas.closed).toBe(true);
});
