import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WatchStateResponse } from '../../../src/gen/flowserv/remote/v1/service.js';
import { WorkflowStateType } from '../../../src/gen/flowserv/remote/v1/workflow.js';
import { call, collect } from '../../support/grpc-calls.js';
import { stepsRequest } from '../../support/log-stream.js';
import { jobGates } from '../../support/job-sandbox.js';
import { startAppServer as startTestServer, type AppServer as TestServer } from '../../support/app-server.js';

let server: TestServer;
const { dir: gates, serverArgs: gateArgs } = jobGates();
beforeAll(async () => {
  server = await startTestServer({ args: gateArgs });
});
afterAll(() => server.stop());

const waitFor = (name: string): string => `while [ ! -f '${join(gates, name)}' ]; do sleep 0.02; done`;

describe('step progress', () => {
  it('GetWorkflow tells the running step, then how each step ended, without touching the states', async () => {
    const created = await call(
      server.client,
      'createWorkflow',
      stepsRequest('progress-get', [['prepare', ['true']], ['analyze', [waitFor('get')]], ['report', ['exit 3']], ['never', ['true']]]),
    );
    const id = created.workflow!.workflowId;
    await expect.poll(async () => (await call(server.client, 'getWorkflow', { workflowId: id })).workflow?.progress?.runningStepIndex, { timeout: 10_000 }).toBe(1);
    const running = (await call(server.client, 'getWorkflow', { workflowId: id })).workflow!;
    expect(running.state?.type).toBe(WorkflowStateType.WORKFLOW_STATE_TYPE_RUNNING);
    expect(running.progress).toMatchObject({ stepCount: 4, steps: [{ stepIndex: 0, name: 'prepare', exitCode: 0 }, { stepIndex: 1, name: 'analyze' }] });
    expect(running.progress!.steps[1]!.exitCode).toBeUndefined();
    expect(running.progress!.steps[1]!.startedAt!.getTime()).toBeGreaterThanOrEqual(running.progress!.steps[0]!.startedAt!.getTime());

    writeFileSync(join(gates, 'get'), '');
    await expect.poll(async () => (await call(server.client, 'getWorkflowState', { workflowId: id })).state?.type, { timeout: 10_000 }).toBe(
      WorkflowStateType.WORKFLOW_STATE_TYPE_ERROR,
    );
    const ended = (await call(server.client, 'getWorkflow', { workflowId: id })).workflow!;
    expect(ended.progress?.runningStepIndex).toBeUndefined();
    expect(ended.progress?.steps.map((s) => [s.name, s.exitCode])).toEqual([['prepare', 0], ['analyze', 0], ['report', 3]]);
    for (const step of ended.progress!.steps) expect(step.duration).toBeDefined();
    // flowServ's states are unchanged: PENDING, RUNNING, ERROR with sequences 1..3.
    const states = await collect(server.client.watchState({ workflowId: id, afterSequence: 0 }));
    expect(states.map((e) => e.event?.$case === 'state' && [e.event.value.type, e.event.value.sequence])).toEqual([
      [WorkflowStateType.WORKFLOW_STATE_TYPE_PENDING, 1],
      [WorkflowStateType.WORKFLOW_STATE_TYPE_RUNNING, 2],
      [WorkflowStateType.WORKFLOW_STATE_TYPE_ERROR, 3],
    ]);
  });

  it('WatchState with include_progress sends a progress event as each step starts and ends', async () => {
    const created = await call(server.client, 'createWorkflow', stepsRequest('progress-watch', [['one', [waitFor('w1')]], ['two', [waitFor('w2')]]]));
    const id = created.workflow!.workflowId;
    const events: WatchStateResponse[] = [];
    const stream = server.client.watchState({ workflowId: id, afterSequence: 0, includeProgress: true });
    const done = collect(stream).then(() => undefined);
    stream.on('data', (e: WatchStateResponse) => events.push(e));
    const progress = () => events.flatMap((e) => (e.event?.$case === 'progress' ? [e.event.value] : []));
    await expect.poll(() => progress().at(-1)?.runningStepIndex, { timeout: 10_000 }).toBe(0);
    writeFileSync(join(gates, 'w1'), '');
    await expect.poll(() => progress().at(-1)?.runningStepIndex, { timeout: 10_000 }).toBe(1);
    expect(progress().at(-1)?.steps[0]).toMatchObject({ name: 'one', exitCode: 0 });
    writeFileSync(join(gates, 'w2'), '');
    await done;
    const last = events.at(-1)!.event;
    expect(last?.$case === 'state' && last.value.type).toBe(WorkflowStateType.WORKFLOW_STATE_TYPE_SUCCESS);
    // The last progress, sent before the terminal state, tells how both steps ended.
    expect(progress().at(-1)?.steps.map((s) => s.exitCode)).toEqual([0, 0]);
    expect(progress().at(-1)?.runningStepIndex).toBeUndefined();
    // Without include_progress nothing but states and heartbeats arrives (callers that predate it).
    const plain = await collect(server.client.watchState({ workflowId: id, afterSequence: 0 }));
    expect(plain.every((e) => e.event?.$case === 'state')).toBe(true);
  });
});
