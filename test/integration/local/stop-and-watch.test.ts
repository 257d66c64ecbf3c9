import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WatchStateResponse } from '../../../src/gen/flowserv/remote/v1/service.js';
import { WorkflowStateType } from '../../../src/gen/flowserv/remote/v1/workflow.js';
import { call, collect, waitForStateType } from '../../support/grpc-calls.js';
import { processesInGroup } from '../../support/processes.js';
import { shellRequest } from '../../support/shell-request.js';
import { startAppServer, type AppServer } from '../../support/app-server.js';

let server: AppServer;
beforeAll(async () => {
  server = await startAppServer();
});
afterAll(() => server.stop());

describe('StopWorkflow on the local engine', () => {
  it('leaves no process of the job alive and records CANCELED with the reason', async () => {
    const { client } = server;
    const created = await call(client, 'createWorkflow', shellRequest('stop-1', ['sleep 300 & sleep 300 & wait']));
    const id = created.workflow!.workflowId;
    await waitForStateType(server.client, id, WorkflowStateType.WORKFLOW_STATE_TYPE_RUNNING);
    const pgid = Number((await server.app.testing.record(id))!.handle!.externalId);
    await expect.poll(() => processesInGroup(pgid).length).toBeGreaterThanOrEqual(3);
    const stopped = await call(client, 'stopWorkflow', { workflowId: id, reason: 'no longer needed', gracePeriod: { seconds: 2, nanos: 0 } });
    expect(stopped.state).toMatchObject({ type: WorkflowStateType.WORKFLOW_STATE_TYPE_CANCELED, messages: ['no longer needed'] });
    expect(processesInGroup(pgid)).toEqual([]);
    const again = await call(client, 'stopWorkflow', { workflowId: id, reason: 'again', gracePeriod: undefined });
    expect(again.state).toEqual(stopped.state);
  });

  it('kills a job that ignores SIGTERM once the grace period is over', async () => {
    const { client } = server;
    const created = await call(client, 'createWorkflow', shellRequest('stop-2', ["trap '' TERM; touch trapped; sleep 300 & wait; sleep 300"]));
    const id = created.workflow!.workflowId;
    await waitForStateType(server.client, id, WorkflowStateType.WORKFLOW_STATE_TYPE_RUNNING);
    const { handle } = (await server.app.testing.record(id))!;
    const pgid = Number(handle!.externalId);
    await expect.poll(() => existsSync(join(handle!.workDir, 'trapped'))).toBe(true);
    const started = Date.now();
    await call(client, 'stopWorkflow', { workflowId: id, reason: '', gracePeriod: { seconds: 0, nanos: 300_000_000 } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(processesInGroup(pgid)).toEqual([]);
    expect((await server.app.service.getWorkflow(id)).state.messages).toEqual(['canceled at user request']);
  });

  it('cancels a workflow still queued, without ever starting it', async () => {
    const queued = await startAppServer({ args: ['--local-max-concurrent-jobs', '1'] });
    try {
      const { client } = queued;
      await call(client, 'createWorkflow', shellRequest('busy', ['sleep 300']));
      const second = await call(client, 'createWorkflow', shellRequest('waiting', ['touch started']));
      const id = second.workflow!.workflowId;
      expect(second.workflow!.state!.type).toBe(WorkflowStateType.WORKFLOW_STATE_TYPE_PENDING);
      const stopped = await call(client, 'stopWorkflow', { workflowId: id, reason: 'not needed', gracePeriod: undefined });
      expect(stopped.state!.type).toBe(WorkflowStateType.WORKFLOW_STATE_TYPE_CANCELED);
      expect((await queued.app.testing.record(id))!.handle).toBeUndefined();
      const busy = (await queued.app.service.listWorkflows({ states: ['RUNNING', 'PENDING'] })).workflows[0]!;
      await call(client, 'stopWorkflow', { workflowId: busy.workflowId, reason: '', gracePeriod: undefined });
    } finally {
      await queued.stop();
    }
  });
});

describe('WatchState', () => {
  it('reconnecting with the last sequence seen gives exactly the missing states, then ends', async () => {
    const { client } = server;
    const created = await call(client, 'createWorkflow', shellRequest('watch-1', ['sleep 1']));
    const id = created.workflow!.workflowId;
    const first = await waitForStateType(server.client, id, WorkflowStateType.WORKFLOW_STATE_TYPE_PENDING);
    expect(first.sequence).toBe(1);
    const rest = await collect<WatchStateResponse>(client.watchState({ workflowId: id, afterSequence: first.sequence }));
    const states = rest.flatMap((r) => (r.event?.$case === 'state' ? [r.event.value] : []));
    expect(states.map((s) => s.sequence)).toEqual([2, 3]);
    expect(states.map((s) => s.type)).toEqual([WorkflowStateType.WORKFLOW_STATE_TYPE_RUNNING, WorkflowStateType.WORKFLOW_STATE_TYPE_SUCCESS]);
    const heartbeats = rest.filter((r) => r.event?.$case === 'heartbeat');
    expect(heartbeats.length).toBeGreaterThanOrEqual(1);
    const replay = await collect<WatchStateResponse>(client.watchState({ workflowId: id, afterSequence: 2 }));
    expect(replay.map((r) => (r.event?.$case === 'state' ? r.event.value.sequence : -1))).toEqual([3]);
  });

  it('many watchers share one source and a cancelled watch releases its subscription', async () => {
    const { client } = server;
    const created = await call(client, 'createWorkflow', shellRequest('watch-2', ['sleep 300']));
    const id = created.workflow!.workflowId;
    const streams = Array.from({ length: 5 }, () => client.watchState({ workflowId: id, afterSequence: 0 }));
    const ended = streams.map(
      (s) =>
        new Promise<number>((resolve) => {
          s.on('error', (err: { code: number }) => resolve(err.code));
          s.on('data', () => undefined);
        }),
    );
    await expect.poll(() => server.app.testing.subscriberCount(id)).toBe(5);
    // The workflow must be running before the watches go, so that "still RUNNING" below means something.
    await expect.poll(async () => (await server.app.service.getWorkflow(id)).state.type).toBe('RUNNING');
    for (const s of streams) s.cancel();
    expect(await Promise.all(ended)).toEqual([1, 1, 1, 1, 1]);
    await expect.poll(() => server.app.testing.subscriberCount(id)).toBe(0);
    expect((await server.app.service.getWorkflow(id)).state.type).toBe('RUNNING');
    await call(client, 'stopWorkflow', { workflowId: id, reason: '', gracePeriod: undefined });
  });
});
