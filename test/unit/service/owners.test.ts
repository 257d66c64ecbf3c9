/**
 * Ownership in the transport-free service: a workflow answers only its owner and callers that see
 * all; another owner's workflow answers exactly like an unknown id; lists hold the caller's own;
 * idempotency keys are the owner's.
 */
import { describe, expect, it } from 'vitest';
import { AlreadyExistsError, WorkflowNotFoundError } from '../../../src/errors.js';
import { ANONYMOUS_OWNER, type Caller } from '../../../src/model/owner.js';
import { createFakeEngine } from '../../support/fake-engine.js';
import { serviceFixture, trivialRequest } from '../../support/service.js';

const start = serviceFixture();
const alice: Caller = { owner: 'token:alice', seesAll: false };
const bob: Caller = { owner: 'token:bob', seesAll: false };
const admin: Caller = { owner: 'token:root', seesAll: true };

/** The error a call throws (synchronously or as a rejection), or undefined. */
async function errorOf(call: () => unknown): Promise<unknown> {
  try {
    await call();
    return undefined;
  } catch (err) {
    return err;
  }
}

describe('workflow owners', () => {
  it("answers another owner's workflow exactly like an unknown id, on every workflow operation", async () => {
    const engine = createFakeEngine();
    const { service } = start([engine]);
    const { workflow } = await service.createWorkflow(trivialRequest('r1'), alice);
    expect(workflow.owner).toBe('token:alice');
    const id = workflow.workflowId;
    const never = new AbortController().signal;
    const operations: Record<string, (wfId: string, caller: Caller) => unknown> = {
      getWorkflow: (wfId, caller) => service.getWorkflow(wfId, caller),
      getWorkflowState: (wfId, caller) => service.getWorkflowState(wfId, undefined, caller),
      getProgress: (wfId, caller) => service.getProgress(wfId, caller),
      stopWorkflow: (wfId, caller) => service.stopWorkflow(wfId, 'x', 0, never, caller),
      // A cursor far ahead would be OUT_OF_RANGE on one's own workflow: it must not show through.
      watchState: (wfId, caller) => service.watchState(wfId, 1000, never, { caller }),
      watchLogs: (wfId, caller) => service.watchLogs({ workflowId: wfId, follow: false, startOffsets: [] }, never, caller),
      openDownload: (wfId, caller) => service.openDownload(wfId, 'out.txt', 0, caller),
    };
    for (const [name, call] of Object.entries(operations)) {
      const foreign = await errorOf(() => call(id, bob));
      const unknown = await errorOf(() => call('0'.repeat(32), bob));
      expect(foreign, name).toBeInstanceOf(WorkflowNotFoundError);
      expect(unknown, name).toBeInstanceOf(WorkflowNotFoundError);
      expect((foreign as WorkflowNotFoundError).metadata, name).toEqual({ workflow_id: id });
    }
    // The owner reads it; the fake engine starts it once its submission is committed.
    await expect.poll(async () => (await service.getWorkflowState(id, undefined, alice)).state.type).toBe('RUNNING');
    expect((await service.getWorkflow(id, admin)).owner).toBe('token:alice');
    expect((await service.getWorkflow(id)).owner).toBe('token:alice');
    expect(engine.calls.stop).toBe(0);
    expect((await service.stopWorkflow(id, 'admin stops it', 0, never, admin)).type).toBe('CANCELED');
  });

  it("lists only the caller's own workflows; a caller that sees all lists everyone's", async () => {
    const { service } = start([createFakeEngine()]);
    await service.createWorkflow(trivialRequest('a1'), alice);
    await service.createWorkflow(trivialRequest('b1'), bob);
    await service.createWorkflow(trivialRequest('a2'), alice);
    const runIds = async (caller?: Caller) => (await service.listWorkflows({}, caller)).workflows.map((w) => w.runId);
    expect(await runIds(alice)).toEqual(['a2', 'a1']);
    expect(await runIds(bob)).toEqual(['b1']);
    expect(await runIds({ owner: 'token:carol', seesAll: false })).toEqual([]);
    expect(await runIds(admin)).toEqual(['a2', 'b1', 'a1']);
    const page = await service.listWorkflows({ pageSize: 1 }, alice);
    expect(page.workflows.map((w) => w.runId)).toEqual(['a2']);
    expect(await service.listWorkflows({ pageSize: 1, pageToken: page.nextPageToken }, alice)).toMatchObject({ workflows: [{ runId: 'a1' }], nextPageToken: '' });
  });

  it("replays only the owner's own request: another owner's request id is theirs, another owner's run id is taken", async () => {
    const { service } = start([createFakeEngine()]);
    const first = await service.createWorkflow(trivialRequest('r1', { requestId: 'req-1' }), alice);
    const replay = await service.createWorkflow(trivialRequest('r1', { requestId: 'req-1' }), alice);
    expect(replay).toMatchObject({ replayed: true, workflow: { workflowId: first.workflow.workflowId } });
    // The identical request from bob: the run id is alice's, so it is refused without naming her workflow.
    const clash = await errorOf(() => service.createWorkflow(trivialRequest('r1', { requestId: 'req-1' }), bob));
    expect(clash).toBeInstanceOf(AlreadyExistsError);
    expect((clash as AlreadyExistsError).metadata).toEqual({ run_id: 'r1' });
    expect((clash as AlreadyExistsError).message).not.toContain(first.workflow.workflowId);
    // Bob's own request with the same request id and his own run id is a new workflow, not alice's.
    const own = await service.createWorkflow(trivialRequest('r2', { requestId: 'req-1' }), bob);
    expect(own.replayed).toBe(false);
    expect(own.workflow).toMatchObject({ owner: 'token:bob', runId: 'r2' });
    expect((await service.createWorkflow(trivialRequest('r2', { requestId: 'req-1' }), bob)).workflow.workflowId).toBe(own.workflow.workflowId);
  });

  it('creates anonymous workflows when no caller is given (a server without authentication)', async () => {
    const { service } = start([createFakeEngine()]);
    const { workflow } = await service.createWorkflow(trivialRequest('r1'));
    expect(workflow.owner).toBe(ANONYMOUS_OWNER);
    const anonymous: Caller = { owner: ANONYMOUS_OWNER, seesAll: true };
    expect((await service.createWorkflow(trivialRequest('r1'), anonymous)).replayed).toBe(true);
  });
});
