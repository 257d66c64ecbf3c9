/**
 * Nothing of a job runs after its workflow ends (issue 16, item 8): processes a step leaves
 * behind with `&` or `setsid … &` are gone as soon as SUCCESS is recorded or StopWorkflow answers.
 * "Of the job" means: any process whose working directory lies in the job's run directory.
 */
import { readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowStateType, type WorkflowState } from '../../src/gen/flowserv/remote/v1/workflow.js';
import type { WatchStateResponse } from '../../src/gen/flowserv/remote/v1/service.js';
import { pidNamespacesAvailable } from '../../src/engines/local/job-namespace.js';
import { call } from '../support/grpc-calls.js';
import { describeIfAvailable } from '../support/requirements.js';
import { shellRequest } from '../support/shell-request.js';
import { startAppServer as startTestServer, type AppServer as TestServer } from '../support/app-server.js';

/** Pids of live processes whose working directory lies under `dir`. */
function processesUnder(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/cwd`).startsWith(dir)) pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

let server: TestServer;

function waitForState(workflowId: string, type: WorkflowStateType): Promise<WorkflowState> {
  return new Promise((resolve, reject) => {
    const stream = server.client.watchState({ workflowId, afterSequence: 0 });
    stream.on('data', (r: WatchStateResponse) => {
      if (r.event?.$case === 'state' && r.event.value.type === type) {
        resolve(r.event.value);
        stream.cancel();
      }
    });
    stream.on('error', (err: { code?: number }) => {
      if (err.code !== 1) reject(err);
    });
  });
}

const LEAVE_BEHIND = ['setsid sleep 300 > /dev/null 2>&1 &', 'sleep 301 > /dev/null 2>&1 &', 'setsid sh -c "sleep 302" > /dev/null 2>&1 &'];

describeIfAvailable('processes a job leaves behind', pidNamespacesAvailable() ? undefined : 'unshare --pid is not available here (needs root or user namespaces)', () => {
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('are gone when SUCCESS is recorded', async () => {
    const created = await call(server.client, 'createWorkflow', shellRequest('leftovers-success', [...LEAVE_BEHIND, 'echo ok > out.txt'], { outputs: ['out.txt'] }));
    const id = created.workflow!.workflowId;
    await waitForState(id, WorkflowStateType.WORKFLOW_STATE_TYPE_SUCCESS);
    expect(processesUnder(join(server.dataDir, 'runs', id))).toEqual([]);
  });

  it('are gone when StopWorkflow answers', async () => {
    const created = await call(server.client, 'createWorkflow', shellRequest('leftovers-stop', [...LEAVE_BEHIND, 'sleep 303']));
    const id = created.workflow!.workflowId;
    const runDir = join(server.dataDir, 'runs', id);
    await expect.poll(() => processesUnder(runDir).length).toBeGreaterThanOrEqual(4);
    const stopped = await call(server.client, 'stopWorkflow', { workflowId: id, reason: 'enough', gracePeriod: undefined });
    expect(stopped.state?.type).toBe(WorkflowStateType.WORKFLOW_STATE_TYPE_CANCELED);
    expect(processesUnder(runDir)).toEqual([]);
  });
});
