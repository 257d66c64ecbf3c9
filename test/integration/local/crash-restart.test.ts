import { credentials } from '@grpc/grpc-js';
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RemoteWorkflowServiceClient, type CreateWorkflowRequest, type WatchStateResponse } from '../../../src/gen/flowserv/remote/v1/service.js';
import { WorkflowStateType } from '../../../src/gen/flowserv/remote/v1/workflow.js';
import { call, collect } from '../../support/grpc-calls.js';
import { spawnServerProcess } from '../../support/server-process.js';
import { shellRequest } from '../../support/shell-request.js';

function request(runId: string, commands: string[]): CreateWorkflowRequest {
  return shellRequest(runId, commands, { outputs: ['out.txt'], labels: { suite: 'crash' } });
}

describe('a server killed with SIGKILL during running workflows', () => {
  it('loses nothing: after a restart every workflow is present and the jobs that kept running finish to SUCCESS', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fsr-crash-'));
    const first = await spawnServerProcess(dataDir, ['--local-max-concurrent-jobs', '2']);
    let client = new RemoteWorkflowServiceClient(first.address, credentials.createInsecure());
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const created = await call(client, 'createWorkflow', request(`crash-${i}`, [`sleep 2; echo ${i} > out.txt`]));
      ids.push(created.workflow!.workflowId);
    }
    // Two run, two wait in the queue (PENDING) when the server dies. CreateWorkflow answers before
    // the dispatcher has started the jobs, so wait for the two to be RUNNING.
    const types = async () =>
      (await call(client, 'listWorkflows', { pageSize: 10, pageToken: '', states: [], labels: {}, engine: '' })).workflows.map((w) => w.state!.type).sort();
    await expect.poll(types, { timeout: 10_000 }).toEqual([
      WorkflowStateType.WORKFLOW_STATE_TYPE_PENDING,
      WorkflowStateType.WORKFLOW_STATE_TYPE_PENDING,
      WorkflowStateType.WORKFLOW_STATE_TYPE_RUNNING,
      WorkflowStateType.WORKFLOW_STATE_TYPE_RUNNING,
    ].sort());
    client.close();
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');

    const second = await spawnServerProcess(dataDir, ['--local-max-concurrent-jobs', '2']);
    client = new RemoteWorkflowServiceClient(second.address, credentials.createInsecure());
    try {
      for (const [i, id] of ids.entries()) {
        const events = await collect<WatchStateResponse>(client.watchState({ workflowId: id, afterSequence: 0 }));
        const states = events.flatMap((e) => (e.event?.$case === 'state' ? [e.event.value] : []));
        expect(states.map((s) => s.sequence)).toEqual([1, 2, 3]);
        expect(states.at(-1)!.type).toBe(WorkflowStateType.WORKFLOW_STATE_TYPE_SUCCESS);
        const file = await collect(client.downloadFile({ workflowId: id, path: 'out.txt', offset: 0 }));
        expect(Buffer.concat(file.map((f) => Buffer.from(f.chunk))).toString()).toBe(`${i}\n`);
      }
    } finally {
      client.close();
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    }
  });

  it('a job that vanished while the server was down ends in ERROR saying so, never RUNNING forever', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fsr-crash-'));
    const first = await spawnServerProcess(dataDir);
    let client = new RemoteWorkflowServiceClient(first.address, credentials.createInsecure());
    const created = await call(client, 'createWorkflow', request('vanish', ['sleep 300']));
    const id = created.workflow!.workflowId;
    await expect
      .poll(async () => (await call(client, 'getWorkflow', { workflowId: id })).workflow!.state!.type)
      .toBe(WorkflowStateType.WORKFLOW_STATE_TYPE_RUNNING);
    client.close();
    first.child.kill('SIGKILL');
    await first.exited;
    // The host "loses" the job: kill its whole process group behind the server's back.
    process.kill(-findGroup(dataDir, id), 'SIGKILL');

    const second = await spawnServerProcess(dataDir);
    client = new RemoteWorkflowServiceClient(second.address, credentials.createInsecure());
    try {
      const events = await collect<WatchStateResponse>(client.watchState({ workflowId: id, afterSequence: 0 }));
      const last = events.flatMap((e) => (e.event?.$case === 'state' ? [e.event.value] : [])).at(-1)!;
      expect(last.type).toBe(WorkflowStateType.WORKFLOW_STATE_TYPE_ERROR);
      expect(last.messages.join(' ')).toMatch(/vanished/);
    } finally {
      client.close();
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });
});

/** The job's process-group id, from the persisted handle in the database. */
function findGroup(dataDir: string, workflowId: string): number {
  const db = new Database(join(dataDir, 'flowserv.db'), { readonly: true });
  try {
    const row = db.prepare('SELECT handle FROM workflows WHERE workflow_id = ?').get(workflowId) as { handle: string };
    return Number((JSON.parse(row.handle) as { externalId: string }).externalId);
  } finally {
    db.close();
  }
}
