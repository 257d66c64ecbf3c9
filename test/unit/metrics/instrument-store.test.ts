/**
 * The metrics decorator of the store: each transition is counted with the state it left and the
 * workflow's engine, the queue wait and run duration are observed, and all of it without reading
 * the workflow again when the caller (the dispatcher's one writer of states) says what it read.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMetrics, type Metrics } from '../../../src/metrics/metrics.js';
import { instrumentStore } from '../../../src/metrics/instrument-store.js';
import { errorState, startState, successState } from '../../../src/model/state.js';
import { createDispatchContext } from '../../../src/service/dispatch-context.js';
import type { WorkflowStore } from '../../../src/store/workflow-store.js';
import { silentLogger } from '../../support/logger.js';
import { newWorkflow, storeBackends, type OpenedStore } from '../../support/store-backends.js';

const sqlite = storeBackends().find((b) => b.name === 'sqlite')!;
const seconds = (ms: number): Date => new Date(Date.UTC(2026, 0, 1) + ms);

describe('instrumented store', () => {
  let opened: OpenedStore;
  let metrics: Metrics;
  let reads: number;
  let store: WorkflowStore;

  beforeEach(async () => {
    opened = await sqlite.open();
    metrics = createMetrics();
    reads = 0;
    const counted: WorkflowStore = { ...opened.store, get: (id) => (reads++, opened.store.get(id)) };
    store = instrumentStore(counted, metrics);
  });
  afterEach(() => opened.close());

  const count = async (from: string, to: string) => (await metrics.workflowTransitions.get()).values.find((v) => v.labels.from === from && v.labels.to === to && v.labels.engine === 'local')?.value ?? 0;
  const histogram = async (name: 'workflowQueueWaitSeconds' | 'workflowRunSeconds') => {
    const values = (await metrics[name].get()).values;
    return { sum: values.find((v) => v.metricName?.endsWith('_sum'))?.value, count: values.find((v) => v.metricName?.endsWith('_count'))?.value };
  };

  it('takes the state left from the dispatcher’s own read: one read per transition, not two', async () => {
    const wf = newWorkflow(1, { createdAt: seconds(0) });
    await store.insert(wf);
    const context = createDispatchContext({ store, blobs: undefined as never, feed: { start: async () => undefined, committed: () => undefined, close: async () => undefined }, engines: new Map(), logger: silentLogger() });
    await context.transition(wf.workflowId, (current) => startState(current, seconds(3000)));
    await context.transition(wf.workflowId, (current) => successState(current, seconds(10_000)));
    expect(reads).toBe(2);
    expect(await count('PENDING', 'RUNNING')).toBe(1);
    expect(await count('RUNNING', 'SUCCESS')).toBe(1);
    expect(await histogram('workflowQueueWaitSeconds')).toEqual({ sum: 3, count: 1 });
    // Run time from the start, not from the creation.
    expect(await histogram('workflowRunSeconds')).toEqual({ sum: 7, count: 1 });
    await context.close();
  });

  it('a PENDING workflow that fails measures its run from its creation; without `current` the decorator reads the workflow itself', async () => {
    const wf = newWorkflow(2, { createdAt: seconds(0) });
    await store.insert(wf);
    const stored = await store.appendState(wf.workflowId, errorState({ createdAt: seconds(0) }, seconds(4000), ['no engine']));
    expect(stored?.type).toBe('ERROR');
    expect(reads).toBe(1);
    expect(await count('PENDING', 'ERROR')).toBe(1);
    expect(await histogram('workflowRunSeconds')).toEqual({ sum: 4, count: 1 });
    // A refused transition (the workflow already ended) counts nothing.
    await expect(store.appendState(wf.workflowId, successState({ createdAt: seconds(0) }, seconds(5000)))).rejects.toThrow();
    expect(await count('ERROR', 'SUCCESS')).toBe(0);
  });
});
