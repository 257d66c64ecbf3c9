/**
 * flowServ-style use of the client against the real server: create through RemoteClient, loop
 * on pollState() until inactive, and find the outputs in the runstore.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GrpcRemoteClient, readAll, type RemoteWorkflowHandle } from '../../../src/client/index.js';
import { StatePending, type WorkflowState } from '../../../src/model/index.js';
import { startAppServer, type AppServer } from '../../support/app-server.js';
import { helloWorld, runId, scratch } from '../../support/fixtures.js';
import { FileSystemStorage } from '../../../src/client/index.js';

let server: AppServer;
let client: GrpcRemoteClient;

beforeAll(async () => {
  server = await startAppServer();
  client = new GrpcRemoteClient(server.address);
});

afterAll(async () => {
  client.close();
  await server.stop();
});

/** flowServ's monitor loop without the sleep-first: poll until inactive, recording changes. */
async function pollToEnd(handle: RemoteWorkflowHandle): Promise<WorkflowState[]> {
  const seen: WorkflowState[] = [handle.state];
  while (handle.isActive()) {
    const next = await handle.pollState();
    if (next) seen.push(next);
    else await new Promise((r) => setTimeout(r, 50)); // the poll interval of the flowServ loop
  }
  return seen;
}

describe('RemoteClient with the Hello World example', () => {
  it.each([0, 1])('runs to SUCCESS with sleeptime %i and leaves the outputs in the runstore', async (sleeptime) => {
    const { template, staticfs, args } = helloWorld({ sleeptime });
    const runstore = new FileSystemStorage(scratch());
    const handle = await client.createWorkflow({ runId: runId('hello') }, template, args, staticfs, { runstore });
    expect(handle.state.isActive()).toBe(true);
    expect(handle.outputFiles).toEqual(['results/greetings.txt', 'results/analytics.json']);
    const seen = await pollToEnd(handle);
    expect(handle.state.type).toBe('SUCCESS');
    expect(seen.at(-1)).toBe(handle.state);
    expect(new Set(seen.map((s) => s.type)).size).toBe(seen.length);
    expect((await readAll(runstore.load('results/greetings.txt'))).toString()).toBe('Hello Alice!\nHello Bob!\n');
    const analytics = JSON.parse((await readAll(runstore.load('results/analytics.json'))).toString()) as Record<string, unknown>;
    expect(analytics).toMatchObject({ avg_count: 11, total_count: 22, max_len: 12, max_line: 'Hello Alice!' });
    expect(handle.state.type === 'SUCCESS' && handle.state.files).toEqual(handle.outputFiles);
  });

  it('ends the invalid-command variant in ERROR with the shell message', async () => {
    const { template, staticfs, args } = helloWorld({ invalid: true });
    const handle = await client.createWorkflow({ runId: runId('invalid') }, template, args, staticfs);
    await pollToEnd(handle);
    const state = handle.state;
    expect(state.type).toBe('ERROR');
    expect(state.type === 'ERROR' && state.messages.join('\n')).toContain('pithon: not found');
  });

  it('returns the current state object itself when nothing changed', async () => {
    const { template, staticfs, args } = helloWorld({ sleeptime: 0 });
    const handle = await client.createWorkflow({ runId: runId('same') }, template, args, staticfs);
    await pollToEnd(handle);
    const again = await client.getWorkflowState(handle.workflowId, handle.state);
    expect(again).toBe(handle.state);
    const fromPending = await client.getWorkflowState(handle.workflowId, new StatePending());
    expect(fromPending.type).toBe('SUCCESS');
  });

  it('uploads each file once: a second run finds every digest on the server', async () => {
    const { template, staticfs, args } = helloWorld({ sleeptime: 0 });
    const statics = await staticfs.walk('');
    const digests = await client.uploadAll(statics.map(([, h]) => h));
    const present = await client.findFiles(digests.map((d) => d.sha256));
    expect(present.size).toBe(new Set(digests.map((d) => d.sha256)).size);
    const handle = await client.createWorkflow({ runId: runId('dedup') }, template, args, staticfs);
    expect(handle.workflowId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('replays CreateWorkflow for the same run and payload (safe retries)', async () => {
    const { template, staticfs, args } = helloWorld({ sleeptime: 0 });
    const run = { runId: runId('replay') };
    const a = await client.createWorkflow(run, template, args, staticfs);
    const b = await client.createWorkflow(run, template, args, staticfs);
    expect(b.workflowId).toBe(a.workflowId);
  });
});
