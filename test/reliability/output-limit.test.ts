/**
 * Per-workflow output limit (issue 16, item 7): declared outputs totalling more than
 * max-output-bytes end the workflow in ERROR with a message naming the limit, and none of them is
 * stored; a sparse 1.2 GB file (`truncate -s 1200M`) is refused by the default 1 GiB limit without
 * being read.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowStateType } from '../../src/gen/flowserv/remote/v1/workflow.js';
import { call } from '../support/grpc-calls.js';
import { shellRequest } from '../support/shell-request.js';
import { startAppServer as startTestServer, type AppServer as TestServer } from '../support/app-server.js';

async function finalState(server: TestServer, workflowId: string) {
  await expect
    .poll(async () => (await call(server.client, 'getWorkflow', { workflowId })).workflow?.state?.type, { timeout: 30_000 })
    .toBeGreaterThanOrEqual(WorkflowStateType.WORKFLOW_STATE_TYPE_CANCELED);
  return (await call(server.client, 'getWorkflow', { workflowId })).workflow!.state!;
}

describe('output bytes per workflow', () => {
  let small: TestServer;
  let standard: TestServer;
  beforeAll(async () => {
    small = await startTestServer({ args: ['--max-output-bytes', '100000'] });
    standard = await startTestServer();
  });
  afterAll(async () => {
    await small?.stop();
    await standard?.stop();
  });

  it('over the limit: ERROR naming it, and nothing of the outputs stored', async () => {
    const created = await call(small.client, 'createWorkflow', shellRequest('over', ['head -c 60000 /dev/zero > a.bin', 'head -c 60000 /dev/zero | tr "\\0" x > b.bin'], { outputs: ['a.bin', 'b.bin'] }));
    const state = await finalState(small, created.workflow!.workflowId);
    expect(state.type).toBe(WorkflowStateType.WORKFLOW_STATE_TYPE_ERROR);
    expect(state.messages).toEqual(["output files total 120000 bytes, over this server's limit of 100000 bytes per workflow"]);
    const digests = [Buffer.alloc(60000), Buffer.alloc(60000, 'x')].map((b) => createHash('sha256').update(b).digest('hex'));
    expect((await call(small.client, 'findFiles', { sha256s: digests })).presentSha256s).toEqual([]);
  });

  it('under the limit: SUCCESS with every output', async () => {
    const created = await call(small.client, 'createWorkflow', shellRequest('under', ['head -c 60000 /dev/zero > a.bin'], { outputs: ['a.bin'] }));
    const state = await finalState(small, created.workflow!.workflowId);
    expect(state.type).toBe(WorkflowStateType.WORKFLOW_STATE_TYPE_SUCCESS);
    expect(state.files.map((f) => f.sizeBytes)).toEqual([60000]);
  });

  it('a sparse 1.2 GB output is refused by the default 1 GiB limit', async () => {
    const created = await call(standard.client, 'createWorkflow', shellRequest('sparse', ['truncate -s 1200M out.bin'], { outputs: ['out.bin'] }));
    const state = await finalState(standard, created.workflow!.workflowId);
    expect(state.type).toBe(WorkflowStateType.WORKFLOW_STATE_TYPE_ERROR);
    expect(state.messages[0]).toMatch(/total 1258291200 bytes, over this server's limit of 1073741824 bytes/);
  });
});
