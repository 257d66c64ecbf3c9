/**
 * Engine contract (issue 16, item 13): a stop while the engine is accepting the job aborts the
 * submission and answers only once nothing of the job runs; resources on an engine without
 * resource support are refused; a path segment over the file system's name limit is refused.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineAdapter, JobEvent, JobHandle } from '../../src/engines/types.js';
import { newTestService, type TestService } from '../support/service.js';
import { status as Code } from '@grpc/grpc-js';
import { call, callError } from '../support/grpc-calls.js';
import { processesUnder } from '../support/processes.js';
import { shellRequest } from '../support/shell-request.js';
import { startAppServer as startTestServer, type AppServer as TestServer } from '../support/app-server.js';

/**
 * One job slot; submissions wait for `open()`. With `honourAbort` a submission gives up when
 * its signal aborts (nothing started); without, it returns a handle once opened, as an engine
 * that has already started the job would.
 */
function gatedEngine(honourAbort: boolean) {
  const log: string[] = [];
  const signals: AbortSignal[] = [];
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const running = new Map<string, () => void>();
  const engine: EngineAdapter = {
    name: 'gated',
    capabilities: { survivesRestart: true, gracefulStop: true, resources: false, maxConcurrentJobs: 1 },
    async submit(job, signal) {
      log.push(`submit ${job.workflowId}`);
      if (signals.length > 0 || job.workflowId === 'never') {
        signals.push(signal!);
        await new Promise<void>((resolve, reject) => {
          void gate.then(resolve);
          if (honourAbort) signal!.addEventListener('abort', () => reject(signal!.reason));
        });
      } else {
        signals.push(signal!);
      }
      log.push(`submitted ${job.workflowId}`);
      return { engine: 'gated', externalId: job.workflowId, workDir: job.workDir, controlDir: job.controlDir };
    },
    async *observe(handle: JobHandle, signal: AbortSignal): AsyncGenerator<JobEvent> {
      yield { type: 'started', at: new Date() };
      await new Promise<void>((resolve) => {
        running.set(handle.externalId, resolve);
        signal.addEventListener('abort', () => resolve());
      });
      if (!signal.aborted) yield { type: 'ended', outcome: { kind: 'canceled', at: new Date(), message: 'stopped' } };
    },
    async stop(handle) {
      log.push(`stop ${handle.externalId}`);
      running.get(handle.externalId)?.();
    },
    async health() {
      return { serving: true };
    },
    async close() {},
  };
  return { engine, log, signals, open: () => open() };
}

function serviceOn(engine: EngineAdapter): TestService {
  return newTestService([engine], { retryDelayMs: 20 });
}

const create = (t: TestService, runId: string) =>
  t.service.createWorkflow({
    run: { runId },
    template: { workflow: { steps: [{ name: 's', action: { environment: 'x', commands: ['true'] } }] } },
    arguments: [],
    staticFiles: [],
  });

/** First workflow holds the one slot; the second is queued and is being submitted once the first is stopped. */
async function secondInFlight(gated: ReturnType<typeof gatedEngine>, t: TestService) {
  const { service } = t;
  const first = (await create(t, 'first')).workflow.workflowId;
  const second = (await create(t, 'second')).workflow.workflowId;
  expect((await service.getWorkflow(second)).state.type).toBe('PENDING');
  await service.stopWorkflow(first, 'make room', 0);
  await expect.poll(() => gated.signals.length).toBe(2);
  return second;
}

describe('a stop during the submission', () => {
  it('aborts a submission that has not started anything: CANCELED, nothing submitted', async () => {
    const gated = gatedEngine(true);
    const t = serviceOn(gated.engine);
    const { service } = t;
    try {
      const second = await secondInFlight(gated, t);
      const state = await service.stopWorkflow(second, 'changed my mind', 0);
      expect(state.type).toBe('CANCELED');
      expect(gated.signals[1]!.aborted).toBe(true);
      expect(gated.log).not.toContain(`submitted ${second}`);
      expect((await t.testing.record(second))!.jobDone).toBe(true);
    } finally {
      await t.close();
    }
  });

  it('waits for a submission that did start the job, and stops it before answering', async () => {
    const gated = gatedEngine(false);
    const t = serviceOn(gated.engine);
    const { service } = t;
    try {
      const second = await secondInFlight(gated, t);
      let answered = false;
      const stopping = service.stopWorkflow(second, 'changed my mind', 0).then((s) => {
        answered = true;
        gated.log.push(`answered ${second}`);
        return s;
      });
      await expect.poll(() => gated.signals[1]!.aborted).toBe(true);
      expect(answered).toBe(false);
      gated.open();
      expect((await stopping).type).toBe('CANCELED');
      const order = gated.log.filter((l) => l.endsWith(second));
      expect(order).toEqual([`submit ${second}`, `submitted ${second}`, `stop ${second}`, `answered ${second}`]);
      expect((await t.testing.record(second))!.jobDone).toBe(true);
    } finally {
      await t.close();
    }
  });
});

describe('real local engine', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ args: ['--local-max-concurrent-jobs', '1'] });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('8 races of a stop against a starting launch: once CANCELED is answered, nothing of the job runs', async () => {
    for (let i = 0; i < 8; i += 1) {
      const holder = await call(server.client, 'createWorkflow', shellRequest(`hold-${i}`, ['sleep 30']));
      const racer = await call(server.client, 'createWorkflow', shellRequest(`race-${i}`, ['echo started > started.txt', 'sleep 30']));
      const racerId = racer.workflow!.workflowId;
      const [, stopped] = await Promise.all([
        call(server.client, 'stopWorkflow', { workflowId: holder.workflow!.workflowId, reason: '', gracePeriod: undefined }),
        call(server.client, 'stopWorkflow', { workflowId: racerId, reason: '', gracePeriod: undefined }),
      ]);
      expect(stopped.state?.type).toBe(3);
      expect(processesUnder(join(server.dataDir, 'runs', racerId)), `race ${i}`).toEqual([]);
    }
  });

  it('refuses resources on the local engine (it cannot enforce a time limit)', async () => {
    const request = shellRequest('timed', ['sleep 5']);
    request.resources = { partition: '', timeLimit: { seconds: 1, nanos: 0 }, cpus: 0, memoryMb: 0, extraArgs: [] };
    const { err, details } = await callError(server.client, 'createWorkflow', request);
    expect(err.code).toBe(Code.INVALID_ARGUMENT);
    expect(details?.fieldViolations).toEqual([expect.objectContaining({ field: 'resources', reason: 'ENGINE_REJECTED' })]);
  });

  it('refuses a path segment longer than 255 bytes as INVALID_ARGUMENT (was INTERNAL)', async () => {
    const { err, details } = await callError(server.client, 'createWorkflow', shellRequest('long-name', ['true'], { outputs: [`${'n'.repeat(256)}.txt`] }));
    expect(err.code).toBe(Code.INVALID_ARGUMENT);
    expect(details?.fieldViolations[0]).toMatchObject({ reason: 'INVALID_PATH' });
    expect(details?.fieldViolations[0]!.description).toMatch(/longer than 255 bytes/);
  });
});
