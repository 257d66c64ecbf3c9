import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowStateType } from '../../../src/gen/flowserv/remote/v1/workflow.js';
import type { DownloadFileResponse, WatchStateResponse } from '../../../src/gen/flowserv/remote/v1/service.js';
import { call, collect, sha256 } from '../../support/grpc-calls.js';
import { helloWorldRequest } from '../../support/helloworld.js';
import { startAppServer, type AppServer } from '../../support/app-server.js';

let server: AppServer;
beforeAll(async () => {
  server = await startAppServer();
});
afterAll(() => server.stop());

async function runToEnd(runId: string, extra: { specfile?: string; greeting?: string } = {}) {
  const { client } = server;
  const req = await helloWorldRequest(client, { runId, sleeptime: 0, ...extra });
  const created = await call(client, 'createWorkflow', req);
  const id = created.workflow!.workflowId;
  const events = await collect<WatchStateResponse>(client.watchState({ workflowId: id, afterSequence: 0 }));
  const states = events.flatMap((e) => (e.event?.$case === 'state' ? [e.event.value] : []));
  return { id, created, states };
}

async function download(workflowId: string, path: string, offset = 0): Promise<{ text: string; first: DownloadFileResponse }> {
  const parts = await collect<DownloadFileResponse>(server.client.downloadFile({ workflowId, path, offset }));
  return { text: Buffer.concat(parts.map((p) => Buffer.from(p.chunk))).toString('utf8'), first: parts[0]! };
}

describe('Hello World on the local engine through gRPC', () => {
  it('runs to SUCCESS and its result files download with the listed sizes and digests', async () => {
    const { id, created, states } = await runToEnd('hello-1', { greeting: 'Hi' });
    expect(created.workflow!.state!.type).toBe(WorkflowStateType.WORKFLOW_STATE_TYPE_PENDING);
    expect(created.workflow!.outputFiles).toEqual(['results/greetings.txt', 'results/analytics.json']);
    expect(states.map((s) => s.type)).toEqual([
      WorkflowStateType.WORKFLOW_STATE_TYPE_PENDING,
      WorkflowStateType.WORKFLOW_STATE_TYPE_RUNNING,
      WorkflowStateType.WORKFLOW_STATE_TYPE_SUCCESS,
    ]);
    const success = states[2]!;
    expect(success.finishedAt).toBeInstanceOf(Date);
    const greetings = await download(id, 'results/greetings.txt');
    expect(greetings.text).toBe('Hi Alice!\nHi Bob!\n');
    const listed = success.files.find((f) => f.key === 'results/greetings.txt')!;
    expect(listed).toEqual({ key: 'results/greetings.txt', sizeBytes: 18, sha256: sha256('Hi Alice!\nHi Bob!\n') });
    expect(greetings.first.file).toEqual(listed);
    const analytics = await download(id, 'results/analytics.json');
    expect(JSON.parse(analytics.text)).toEqual({ avg_count: 8.0, total_count: 16, max_len: 9, max_line: 'Hi Alice!' });
    expect((await download(id, 'results/greetings.txt', 10)).text).toBe('Hi Bob!\n');
  });

  it('uses the default greeting and gives flowServ\'s expected analytics', async () => {
    const { id, states } = await runToEnd('hello-2');
    expect(states.at(-1)!.type).toBe(WorkflowStateType.WORKFLOW_STATE_TYPE_SUCCESS);
    expect((await download(id, 'results/greetings.txt')).text).toBe('Hello Alice!\nHello Bob!\n');
    expect(JSON.parse((await download(id, 'results/analytics.json')).text)).toEqual({
      avg_count: 11.0,
      total_count: 22,
      max_len: 12,
      max_line: 'Hello Alice!',
    });
  });

  it('the misspelled-command variant ends in ERROR with the shell\'s message', async () => {
    const { states } = await runToEnd('hello-invalid', { specfile: 'benchmark-invalid-cmd.yaml' });
    const last = states.at(-1)!;
    expect(last.type).toBe(WorkflowStateType.WORKFLOW_STATE_TYPE_ERROR);
    expect(last.messages).toEqual(['/bin/sh: 1: pithon: not found\n']);
    expect(last.stoppedAt).toBeInstanceOf(Date);
  });
});
