import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createWatchHub } from '../../../src/service/watch-hub.js';
import { watchStates } from '../../../src/service/watch-states.js';
import type { WatchEvent } from '../../../src/service/types.js';
import type { NewState, StateRecord } from '../../../src/store/records.js';
import { openDatabase } from '../../../src/store/database.js';
import { createSqliteWorkflowStore } from '../../../src/store/sqlite-workflow-store.js';
import type { WorkflowStore } from '../../../src/store/workflow-store.js';

const at = new Date();
const running: NewState = { type: 'RUNNING', createdAt: at, startedAt: at, messages: [], files: [] };

async function setup(): Promise<{ store: WorkflowStore; hub: ReturnType<typeof createWatchHub> }> {
  const store = createSqliteWorkflowStore(openDatabase(join(mkdtempSync(join(tmpdir(), 'watch-')), 'db.sqlite')));
  await store.insert({
    workflowId: 'wf',
    runId: 'run',
    owner: 'token:alice',
    engine: 'slurm',
    labels: {},
    payloadHash: 'h',
    outputFiles: [],
    job: { workflowId: 'wf', workDir: '/w', controlDir: '/c', steps: [{ name: 's', commands: ['true'] }] },
    createdAt: at,
  });
  return { store, hub: createWatchHub() };
}

async function sequences(events: AsyncGenerator<WatchEvent>, count: number): Promise<number[]> {
  const seen: number[] = [];
  for await (const event of events) {
    if (event.kind === 'state') seen.push(event.state.sequence);
    if (seen.length === count) break;
  }
  return seen;
}

it('sends states that several replicas publish twice and out of order once each, in order', async () => {
  const { store, hub } = await setup();
  const events = await watchStates({ store, hub, heartbeatIntervalMs: 60_000 }, 'wf', 0, new AbortController().signal);
  expect((await events.next()).value).toMatchObject({ kind: 'state', state: { sequence: 1 } });
  const next = events.next();
  const started: StateRecord = (await store.appendState('wf', running))!;
  const ended: StateRecord = (await store.appendState('wf', { type: 'SUCCESS', createdAt: at, startedAt: at, finishedAt: at, messages: [], files: [] }))!;
  // The local commit of the end arrives before the other replica's RUNNING, which then arrives twice.
  hub.publish('wf', ended);
  hub.publish('wf', started);
  hub.publish('wf', started);
  expect((await next).value).toMatchObject({ kind: 'state', state: { sequence: 2, type: 'RUNNING' } });
  expect(await sequences(events, 1)).toEqual([3]);
  expect((await events.next()).done).toBe(true);
});

it('sends a late duplicate of a state already sent no second time (a resumed watch answers with a heartbeat at once)', async () => {
  const { store, hub } = await setup();
  const events = await watchStates({ store, hub, heartbeatIntervalMs: 60_000 }, 'wf', 1, new AbortController().signal);
  // Resumed with nothing new: a heartbeat at once (not after the interval), then the live states.
  expect((await events.next()).value).toMatchObject({ kind: 'heartbeat', lastSequence: 1 });
  const next = events.next();
  const started: StateRecord = (await store.appendState('wf', running))!;
  hub.publish('wf', started);
  expect((await next).value).toMatchObject({ kind: 'state', state: { sequence: 2 } });
  const after = events.next();
  hub.publish('wf', started);
  hub.publish('wf', (await store.appendState('wf', { type: 'CANCELED', createdAt: at, startedAt: at, stoppedAt: at, messages: [], files: [] }))!);
  expect((await after).value).toMatchObject({ kind: 'state', state: { sequence: 3, type: 'CANCELED' } });
});
