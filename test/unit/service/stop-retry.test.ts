/**
 * The one stop-and-settle path: a job is marked done only when its engine confirmed the stop;
 * otherwise the stop is retried with backoff, during the run and again after a restart.
 */
import { describe, expect, it } from 'vitest';
import { createEngineHealthCache } from '../../../src/service/engine-health.js';
import { createFakeEngine } from '../../support/fake-engine.js';
import { memoryLogger } from '../../support/logger.js';
import { serviceFixture, trivialRequest } from '../../support/service.js';

const start = serviceFixture();

describe('stopping a job the engine cannot reach', () => {
  it('records CANCELED at once and keeps retrying the engine stop until it succeeds', async () => {
    const engine = createFakeEngine();
    const log = memoryLogger('debug');
    const { service, testing } = start([engine], { logger: log.logger });
    const { workflow } = await service.createWorkflow(trivialRequest('r'));
    await expect.poll(async () => (await service.getWorkflow(workflow.workflowId)).state.type).toBe('RUNNING');
    engine.failStops(2);
    const state = await service.stopWorkflow(workflow.workflowId, 'enough', 1000);
    expect(state).toMatchObject({ type: 'CANCELED', messages: ['enough'] });
    expect((await testing.record(workflow.workflowId))!.jobDone).toBe(false);
    await expect.poll(() => engine.calls.stop).toBe(3);
    await expect.poll(async () => (await testing.record(workflow.workflowId))!.jobDone).toBe(true);
    expect((await service.getWorkflow(workflow.workflowId)).state.type).toBe('CANCELED');
    expect(engine.running()).toEqual([]);
    // The dispatcher logs the failed stops under its dotted name, with `component` once per line.
    const dispatcherLines = log.lines.filter((l) => l.component === 'service.dispatcher' && l.workflowId === workflow.workflowId);
    expect(dispatcherLines.length).toBeGreaterThan(0);
    expect(log.text().trim().split('\n').filter((line) => line.split('"component":').length !== 2)).toEqual([]);
  });

  it('after a restart, a canceled job whose stop fails again is not marked done; the stop is retried until confirmed', async () => {
    const before = createFakeEngine();
    const first = start([before]);
    const { workflow } = await first.service.createWorkflow(trivialRequest('r'));
    const id = workflow.workflowId;
    await expect.poll(async () => (await first.service.getWorkflow(id)).state.type).toBe('RUNNING');
    before.failStops(1_000);
    await first.service.stopWorkflow(id, 'enough', 0);
    await first.close();

    // The scheduler is still unreachable when the server comes back: the first stop fails.
    const after = createFakeEngine();
    after.failStops(1);
    const second = start([after], { dataDir: first.dataDir });
    await second.service.start();
    expect(after.calls.stop).toBe(1);
    expect((await second.testing.record(id))!.jobDone).toBe(false);
    await expect.poll(() => after.calls.stop).toBe(2);
    await expect.poll(async () => (await second.testing.record(id))!.jobDone).toBe(true);
    expect((await second.service.getWorkflow(id)).state).toMatchObject({ type: 'CANCELED', messages: ['enough'] });
  });

  it('a job the engine lost track of ends in ERROR and is marked done only once its stop is confirmed', async () => {
    const engine = createFakeEngine();
    const { service, testing } = start([engine]);
    const observe = engine.observe.bind(engine);
    engine.observe = async function* (handle, signal) {
      for await (const event of observe(handle, signal)) {
        yield event;
        throw new Error('squeue output unreadable');
      }
    };
    engine.failStops(1);
    const { workflow } = await service.createWorkflow(trivialRequest('r'));
    await expect.poll(async () => (await service.getWorkflow(workflow.workflowId)).state.type).toBe('ERROR');
    expect((await service.getWorkflow(workflow.workflowId)).state.messages).toEqual(['engine fake lost track of the job: squeue output unreadable']);
    await expect.poll(() => engine.calls.stop).toBe(2);
    await expect.poll(async () => (await testing.record(workflow.workflowId))!.jobDone).toBe(true);
  });
});

describe('stopping a job of an engine known to be unreachable', () => {
  it('answers CANCELED without waiting for a stop that cannot be confirmed; the stop goes on and is confirmed later', async () => {
    const engine = createFakeEngine();
    const engineHealth = createEngineHealthCache({ maxAgeMs: 60_000 });
    const { service, testing } = start([engine], { engineHealth });
    const { workflow } = await service.createWorkflow(trivialRequest('r'));
    await expect.poll(async () => (await service.getWorkflow(workflow.workflowId)).state.type).toBe('RUNNING');
    // The last probe found the engine down (as the health entries' probe would).
    await engineHealth.probe({ ...engine, health: async () => ({ serving: false, detail: 'controller down' }) });
    const release = engine.holdStops();
    const state = await service.stopWorkflow(workflow.workflowId, 'enough', 1000);
    expect(state).toMatchObject({ type: 'CANCELED', messages: ['enough'] });
    expect(engine.calls.stop).toBe(1);
    expect((await testing.record(workflow.workflowId))!.jobDone).toBe(false);
    release();
    await expect.poll(async () => (await testing.record(workflow.workflowId))!.jobDone).toBe(true);
  });
});

describe('a caller who stops waiting for StopWorkflow', () => {
  it('gets the CANCELED state at once; the engine stop goes on and the job is marked done when it is confirmed', async () => {
    const engine = createFakeEngine();
    const { service, testing } = start([engine]);
    const { workflow } = await service.createWorkflow(trivialRequest('r'));
    await expect.poll(async () => (await service.getWorkflow(workflow.workflowId)).state.type).toBe('RUNNING');
    const release = engine.holdStops();
    const caller = new AbortController();
    const stopping = service.stopWorkflow(workflow.workflowId, 'enough', 1000, caller.signal);
    await expect.poll(() => engine.calls.stop).toBe(1);
    caller.abort();
    expect(await stopping).toMatchObject({ type: 'CANCELED', messages: ['enough'] });
    expect((await testing.record(workflow.workflowId))!.jobDone).toBe(false);
    release();
    await expect.poll(async () => (await testing.record(workflow.workflowId))!.jobDone).toBe(true);
    expect(engine.running()).toEqual([]);
  });
});
