import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { EngineUnavailableError, type EngineAdapter, type JobEvent, type JobHandle } from '../../../src/engines/types.js';
import { createPlanner } from '../../../src/service/plan-workflow.js';
import { createWorkflowService } from '../../../src/service/workflow-service.js';
import { createBlobStore } from '../../../src/store/blob-store.js';
import { openDatabase } from '../../../src/store/database.js';
import { createWorkflowStore } from '../../../src/store/workflow-store.js';

/** An engine whose jobs run until stopped and whose stop fails `failures` times (scheduler down). */
function flakyStopEngine(failures: number) {
  let stopCalls = 0;
  let release: (() => void) | undefined;
  const stopped = new Promise<void>((resolve) => (release = resolve));
  const engine: EngineAdapter = {
    name: 'flaky',
    capabilities: { survivesRestart: true, gracefulStop: true, resources: false, maxConcurrentJobs: 0 },
    async submit(job) {
      return { engine: 'flaky', externalId: job.workflowId, workDir: job.workDir, controlDir: job.controlDir };
    },
    async *observe(_handle: JobHandle, signal: AbortSignal): AsyncGenerator<JobEvent> {
      yield { type: 'started', at: new Date() };
      await Promise.race([stopped, new Promise((r) => signal.addEventListener('abort', r))]);
      if (!signal.aborted) yield { type: 'ended', outcome: { kind: 'canceled', at: new Date(), message: 'stopped' } };
    },
    async status() {
      return { kind: 'running' };
    },
    async stop() {
      stopCalls += 1;
      if (stopCalls <= failures) throw new EngineUnavailableError('flaky', 'controller unreachable');
      release?.();
    },
    async health() {
      return { serving: true };
    },
    async close() {},
  };
  return { engine, stopCalls: () => stopCalls };
}

describe('stopping a job the engine cannot reach', () => {
  it('records CANCELED at once and keeps retrying the engine stop until it succeeds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stop-retry-'));
    const db = openDatabase(join(dir, 'db.sqlite'));
    const store = createWorkflowStore(db);
    const flaky = flakyStopEngine(2);
    const service = createWorkflowService({
      store,
      blobs: createBlobStore(db, join(dir, 'blobs')),
      engines: new Map([['flaky', flaky.engine]]),
      defaultEngine: 'flaky',
      planWorkflow: createPlanner(),
      runsDirFor: () => join(dir, 'runs'),
      limits: { maxUploadBytes: 1024, uploadChunkBytes: 1024, downloadChunkBytes: 1024, heartbeatIntervalMs: 1000, maxPageSize: 10, maxDirectoryEntries: 100, maxDirectoryBytes: 1 << 20 },
      logger: pino({ level: 'silent' }),
      retryDelayMs: 20,
    });
    try {
      const { workflow } = await service.createWorkflow({
        run: { runId: 'r' },
        template: { workflow: { steps: [{ name: 's', action: { environment: 'x', commands: ['true'] } }] } },
        arguments: [],
        staticFiles: [],
      });
      await expect.poll(() => service.getWorkflow(workflow.workflowId).state.type).toBe('RUNNING');
      const state = await service.stopWorkflow(workflow.workflowId, 'enough', 1000);
      expect(state).toMatchObject({ type: 'CANCELED', messages: ['enough'] });
      expect(service.getWorkflow(workflow.workflowId).jobDone).toBe(false);
      await expect.poll(() => flaky.stopCalls()).toBe(3);
      await expect.poll(() => service.getWorkflow(workflow.workflowId).jobDone).toBe(true);
      expect(service.getWorkflow(workflow.workflowId).state.type).toBe('CANCELED');
    } finally {
      await service.close();
    }
  });
});
