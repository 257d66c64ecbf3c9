/**
 * Nothing of a job runs after its workflow ends (issue 16, item 8): processes a step leaves
 * behind with `&` or `setsid … &` are gone as soon as SUCCESS is recorded or StopWorkflow answers.
 * "Of the job" means: any process whose working directory lies in the job's run directory.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowStateType } from '../../src/gen/flowserv/remote/v1/workflow.js';
import { call, waitForStateType } from '../support/grpc-calls.js';
import { processesUnder } from '../support/processes.js';
import { confinementMissing } from '../support/job-sandbox.js';
import { describeIfAvailable } from '../support/requirements.js';
import { shellRequest } from '../support/shell-request.js';
import { startAppServer as startTestServer, type AppServer as TestServer } from '../support/app-server.js';

let server: TestServer;

const LEAVE_BEHIND = ['setsid sleep 300 > /dev/null 2>&1 &', 'sleep 301 > /dev/null 2>&1 &', 'setsid sh -c "sleep 302" > /dev/null 2>&1 &'];

describeIfAvailable('processes a job leaves behind', confinementMissing(), () => {
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('are gone when SUCCESS is recorded', async () => {
    const created = await call(server.client, 'createWorkflow', shellRequest('leftovers-success', [...LEAVE_BEHIND, 'echo ok > out.txt'], { outputs: ['out.txt'] }));
    const id = created.workflow!.workflowId;
    await waitForStateType(server.client, id, WorkflowStateType.WORKFLOW_STATE_TYPE_SUCCESS);
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
