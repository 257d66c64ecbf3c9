import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/errors.js';
import { createFakeEngine } from '../../support/fake-engine.js';
import { serviceFixture, trivialRequest } from '../../support/service.js';

const start = serviceFixture();

describe('CreateWorkflow: validate, persist, return; the dispatcher submits', () => {
  it('answers before the engine has accepted the job (creation never waits for the scheduler)', async () => {
    const engine = createFakeEngine();
    const release = engine.holdSubmits();
    const { service, testing } = start([engine]);
    const { workflow } = await service.createWorkflow(trivialRequest('r1'));
    expect(workflow.state.type).toBe('PENDING');
    expect(engine.calls.submit).toBe(1);
    expect((await testing.record(workflow.workflowId))!.handle).toBeUndefined();
    release();
    await expect.poll(async () => (await service.getWorkflow(workflow.workflowId)).state.type).toBe('RUNNING');
    engine.finish(workflow.workflowId);
    await expect.poll(async () => (await service.getWorkflow(workflow.workflowId)).state.type).toBe('SUCCESS');
  });

  it('a refusal the engine makes at submission ends the workflow in ERROR with the engine message', async () => {
    const engine = createFakeEngine();
    engine.rejectSubmit("sbatch failed: Invalid partition name specified");
    const { service } = start([engine]);
    const { workflow } = await service.createWorkflow(trivialRequest('r1'));
    await expect.poll(async () => (await service.getWorkflow(workflow.workflowId)).state.type).toBe('ERROR');
    expect((await service.getWorkflow(workflow.workflowId)).state.messages).toEqual(['sbatch failed: Invalid partition name specified']);
  });

  it('an unreachable engine leaves the workflow PENDING and submission is retried until it runs', async () => {
    const engine = createFakeEngine();
    engine.unavailableSubmits(2);
    const { service } = start([engine]);
    const { workflow } = await service.createWorkflow(trivialRequest('r1'));
    expect(workflow.state.type).toBe('PENDING');
    await expect.poll(async () => (await service.getWorkflow(workflow.workflowId)).state.type).toBe('RUNNING');
    expect(engine.calls.submit).toBe(3);
  });

  it("resources the engine's pre-check refuses are INVALID_ARGUMENT with field violations, and nothing is stored", async () => {
    const engine = createFakeEngine({
      validate: (job) => (job.resources?.partition === 'bad' ? [{ resource: 'partition', message: "invalid partition name 'bad'" }] : []),
    });
    const { service, dataDir } = start([engine]);
    const err = await service.createWorkflow(trivialRequest('r1', { resources: { partition: 'bad' } })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as InvalidArgumentError).message).toMatch(/invalid partition name 'bad'/);
    expect((err as InvalidArgumentError).violations).toEqual([
      { field: 'resources.partition', description: "invalid partition name 'bad'", reason: 'ENGINE_REJECTED' },
    ]);
    expect((await service.listWorkflows({})).workflows).toHaveLength(0);
    expect(engine.calls.submit).toBe(0);
    const runs = join(dataDir, 'fake-runs');
    expect(existsSync(runs) ? readdirSync(runs) : []).toEqual([]);
    // The same run id is free for a corrected request.
    const { workflow } = await service.createWorkflow(trivialRequest('r1', { resources: { partition: 'good' } }));
    await expect.poll(async () => (await service.getWorkflow(workflow.workflowId)).state.type).toBe('RUNNING');
  });
});
