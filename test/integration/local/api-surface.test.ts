import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateWorkflowRequest, WatchStateResponse } from '../../../src/gen/flowserv/remote/v1/service.js';
import { WorkflowStateType } from '../../../src/gen/flowserv/remote/v1/workflow.js';
import { decodeStatusDetails } from '../../../src/wire/status-details.js';
import { call, callError, collect, rejection, sha256, upload } from '../../support/grpc-calls.js';
import { shellRequest } from '../../support/shell-request.js';
import { startAppServer, type AppServer } from '../../support/app-server.js';

let server: AppServer;
beforeAll(async () => {
  server = await startAppServer({ args: ['--max-upload-bytes', '1024'] });
});
afterAll(() => server.stop());

function request(runId: string, commands: string[], labels: Record<string, string> = {}, requestId = ''): CreateWorkflowRequest {
  return shellRequest(runId, commands, { outputs: ['out.txt'], labels, requestId });
}

async function finish(workflowId: string): Promise<void> {
  await collect<WatchStateResponse>(server.client.watchState({ workflowId, afterSequence: 0 }));
}

describe('uploads', () => {
  it('are content-addressed: a second upload of the same bytes is recognised, FindFiles lists what is there', async () => {
    const { client } = server;
    const bytes = Buffer.from('static file');
    expect(await upload(client, bytes, 4)).toEqual({ sha256: sha256(bytes), sizeBytes: bytes.length, alreadyPresent: false });
    expect((await upload(client, bytes)).alreadyPresent).toBe(true);
    const found = await call(client, 'findFiles', { sha256s: [sha256(bytes), sha256('absent')] });
    expect(found.presentSha256s).toEqual([sha256(bytes)]);
  });

  it('with a wrong digest are refused and not stored', async () => {
    const { client } = server;
    const err = await new Promise<{ code: number }>((resolve) => {
      const stream = client.uploadFile((e) => resolve(e as unknown as { code: number }));
      stream.write({ content: { $case: 'header', value: { sha256: sha256('something else'), sizeBytes: 5 } } });
      stream.write({ content: { $case: 'chunk', value: Buffer.from('hello') } });
      stream.end();
    });
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect((await call(client, 'findFiles', { sha256s: [sha256('hello')] })).presentSha256s).toEqual([]);
  });

  it('larger than the configured limit get RESOURCE_EXHAUSTED', async () => {
    const err = await upload(server.client, Buffer.alloc(2048, 1)).catch((e: { code: number }) => e);
    expect(err).toMatchObject({ code: status.RESOURCE_EXHAUSTED });
  });
});

describe('idempotency and lookups', () => {
  it('replays the same request id, refuses a different payload with ALREADY_EXISTS', async () => {
    const { client } = server;
    const first = await call(client, 'createWorkflow', request('idem-1', ['echo 1 > out.txt'], {}, 'req-42'));
    const replay = await call(client, 'createWorkflow', request('idem-1', ['echo 1 > out.txt'], {}, 'req-42'));
    expect(replay.replayed).toBe(true);
    expect(replay.workflow!.workflowId).toBe(first.workflow!.workflowId);
    const { err, details } = await callError(client, 'createWorkflow', request('idem-2', ['echo 2 > out.txt'], {}, 'req-42'));
    expect(err.code).toBe(status.ALREADY_EXISTS);
    expect(details?.errorInfo?.metadata.workflow_id).toBe(first.workflow!.workflowId);
    await finish(first.workflow!.workflowId);
  });

  it('GetWorkflowState reports changed only when the type differs from the caller\'s', async () => {
    const { client } = server;
    const created = await call(client, 'createWorkflow', request('state-1', ['echo x > out.txt']));
    const id = created.workflow!.workflowId;
    await finish(id);
    const fresh = await call(client, 'getWorkflowState', { workflowId: id, currentState: created.workflow!.state });
    expect(fresh).toMatchObject({ changed: true, state: { type: WorkflowStateType.WORKFLOW_STATE_TYPE_SUCCESS, sequence: 3 } });
    const same = await call(client, 'getWorkflowState', { workflowId: id, currentState: fresh.state });
    expect(same.changed).toBe(false);
    const { err, details } = await callError(client, 'getWorkflowState', { workflowId: 'unknown', currentState: undefined });
    expect(err.code).toBe(status.NOT_FOUND);
    expect(details?.errorInfo?.reason).toBe('WORKFLOW_NOT_FOUND');
  });

  it('downloads only declared outputs of a successful workflow', async () => {
    const { client } = server;
    const running = await call(client, 'createWorkflow', request('dl-1', ['sleep 300']));
    const pending = await callError(client, 'getWorkflow', { workflowId: '' });
    expect(pending.err.code).toBe(status.INVALID_ARGUMENT);
    const early = await collect(client.downloadFile({ workflowId: running.workflow!.workflowId, path: 'out.txt', offset: 0 })).catch((e: { code: number }) => e);
    expect(early).toMatchObject({ code: status.FAILED_PRECONDITION });
    await call(client, 'stopWorkflow', { workflowId: running.workflow!.workflowId, reason: '', gracePeriod: undefined });

    const done = await call(client, 'createWorkflow', request('dl-2', ['echo secret > other.txt; echo ok > out.txt']));
    await finish(done.workflow!.workflowId);
    const other = await collect(client.downloadFile({ workflowId: done.workflow!.workflowId, path: 'other.txt', offset: 0 })).catch((e: { code: number }) => e);
    expect(other).toMatchObject({ code: status.NOT_FOUND });
    const beyond = await collect(client.downloadFile({ workflowId: done.workflow!.workflowId, path: 'out.txt', offset: 99 })).catch((e: { code: number }) => e);
    expect(beyond).toMatchObject({ code: status.OUT_OF_RANGE });
  });

  it('WatchState with a cursor ahead of the log gives OUT_OF_RANGE', async () => {
    const { client } = server;
    const created = await call(client, 'createWorkflow', request('watch-range', ['echo > out.txt']));
    const err = await collect(client.watchState({ workflowId: created.workflow!.workflowId, afterSequence: 50 })).catch((e: { code: number }) => e);
    expect(err).toMatchObject({ code: status.OUT_OF_RANGE });
    await finish(created.workflow!.workflowId);
  });

  it('WatchState with a negative cursor gives INVALID_ARGUMENT naming after_sequence, as the proto says', async () => {
    const { client } = server;
    const created = await call(client, 'createWorkflow', request('watch-negative', ['echo > out.txt']));
    const err = await rejection(collect(client.watchState({ workflowId: created.workflow!.workflowId, afterSequence: -1 })));
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    const details = decodeStatusDetails(err.metadata);
    expect(details?.errorInfo?.reason).toBe('INVALID_ARGUMENT');
    expect(details?.fieldViolations).toEqual([expect.objectContaining({ field: 'after_sequence', reason: 'OUT_OF_BOUNDS' })]);
    await finish(created.workflow!.workflowId);
  });
});

describe('ListWorkflows and GetServiceInfo', () => {
  it('pages through workflows newest first and filters by state and label', async () => {
    const mine = await startAppServer();
    try {
      const { client } = mine;
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const created = await call(client, 'createWorkflow', request(`list-${i}`, [i === 0 ? 'exit 1' : 'echo > out.txt'], { batch: i % 2 ? 'odd' : 'even' }));
        ids.push(created.workflow!.workflowId);
      }
      for (const id of ids) await collect(client.watchState({ workflowId: id, afterSequence: 0 }));
      const seen: string[] = [];
      let pageToken = '';
      do {
        const page = await call(client, 'listWorkflows', { pageSize: 2, pageToken, states: [], labels: {}, engine: '' });
        expect(page.workflows.length).toBeLessThanOrEqual(2);
        seen.push(...page.workflows.map((w) => w.workflowId));
        pageToken = page.nextPageToken;
      } while (pageToken);
      expect(seen).toEqual([...ids].reverse());
      const failed = await call(client, 'listWorkflows', { pageSize: 0, pageToken: '', states: [WorkflowStateType.WORKFLOW_STATE_TYPE_ERROR], labels: {}, engine: '' });
      expect(failed.workflows.map((w) => w.workflowId)).toEqual([ids[0]]);
      const odd = await call(client, 'listWorkflows', { pageSize: 0, pageToken: '', states: [], labels: { batch: 'odd' }, engine: '' });
      expect(odd.workflows.map((w) => w.workflowId)).toEqual([ids[3], ids[1]]);
      const bad = await callError(client, 'listWorkflows', { pageSize: 0, pageToken: 'garbage', states: [], labels: {}, engine: '' });
      expect(bad.err.code).toBe(status.INVALID_ARGUMENT);
    } finally {
      await mine.stop();
    }
  });

  it('describes the version, the engines with their capabilities and the limits', async () => {
    const info = await call(server.client, 'getServiceInfo', {});
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.defaultEngine).toBe('local');
    expect(info.engines).toEqual([
      { name: 'local', serving: true, capabilities: expect.objectContaining({ survivesRestart: true, gracefulStop: true, resources: false }) },
    ]);
    expect(info.limits).toMatchObject({ maxUploadBytes: 1024, heartbeatInterval: { seconds: 0, nanos: 500_000_000 } });
  });
});
