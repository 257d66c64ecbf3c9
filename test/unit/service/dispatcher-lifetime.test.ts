/**
 * The dispatcher's lifetime signal: close() ends what is waiting on an engine (a submission in
 * flight, the observers) without ending jobs, and the next start picks the workflow up again.
 */
import { describe, expect, it } from 'vitest';
import { createFakeEngine } from '../../support/fake-engine.js';
import { serviceFixture, trivialRequest } from '../../support/service.js';

const start = serviceFixture();

describe('closing the service while the engine is still accepting a job', () => {
  it('aborts the submission, leaves the workflow PENDING without a handle, and the next start submits it', async () => {
    const engine = createFakeEngine();
    const release = engine.holdSubmits();
    const first = start([engine]);
    const { workflow } = await first.service.createWorkflow(trivialRequest('r'));
    const closing = first.close();
    release();
    await closing;
    expect(engine.running()).toEqual([]);
    const reopened = start([createFakeEngine()], { dataDir: first.dataDir });
    const left = (await reopened.testing.record(workflow.workflowId))!;
    expect(left.state.type).toBe('PENDING');
    expect(left.handle).toBeUndefined();
    await reopened.service.start();
    await expect.poll(async () => (await reopened.service.getWorkflow(workflow.workflowId)).state.type).toBe('RUNNING');
  });

  it('ends observation but not the job: after a restart the job is followed again to its end', async () => {
    const engine = createFakeEngine();
    const first = start([engine]);
    const { workflow } = await first.service.createWorkflow(trivialRequest('r'));
    await expect.poll(async () => (await first.service.getWorkflow(workflow.workflowId)).state.type).toBe('RUNNING');
    await first.close();
    expect(engine.running()).toEqual([workflow.workflowId]);
    const second = start([engine], { dataDir: first.dataDir });
    await second.service.start();
    expect(second.testing.activeCount('fake')).toBe(1);
    engine.finish(workflow.workflowId);
    await expect.poll(async () => (await second.service.getWorkflow(workflow.workflowId)).state.type).toBe('SUCCESS');
    expect(engine.calls.submit).toBe(1);
  });
});
