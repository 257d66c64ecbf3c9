/**
 * What a local job can reach (issue 16, items 10 and 11; job-confinement.test.ts has the reading side): it cannot
 * write the server's data directory (blob store, database, other runs) outside its own working
 * and control directories, and its /proc shows only its own processes, not the server's command
 * line or environment. Skips when no job sandbox runs here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WorkflowStateType } from '../../src/gen/flowserv/remote/v1/workflow.js';
import { startAppServer, type AppServer } from '../support/app-server.js';
import { call, sha256, upload } from '../support/grpc-calls.js';
import { confinementMissing } from '../support/job-sandbox.js';
import { describeIfAvailable } from '../support/requirements.js';
import { shellRequest } from '../support/shell-request.js';

describeIfAvailable('what a local job can reach', confinementMissing(), () => {
  let server: AppServer;
  beforeAll(async () => {
    server = await startAppServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function finalState(workflowId: string) {
    await expect
      .poll(async () => (await call(server.client, 'getWorkflow', { workflowId })).workflow?.state?.type, { timeout: 30_000 })
      .toBeGreaterThanOrEqual(WorkflowStateType.WORKFLOW_STATE_TYPE_CANCELED);
    return (await call(server.client, 'getWorkflow', { workflowId })).workflow!.state!;
  }

  it('cannot rewrite a stored blob or the database, but writes its own run directory', async () => {
    const bytes = Buffer.from('stored input\n');
    await upload(server.client, bytes);
    const blob = join(server.dataDir, 'blobs', sha256(bytes).slice(0, 2), sha256(bytes));
    const db = join(server.dataDir, 'flowserv.db');
    const commands = [
      `(echo tampered > '${blob}') 2> blob.err; echo "blob rc=$$?" > out.txt`,
      // Depending on the sandbox the path is read-only, absent, or an empty folder of the job's own.
      `(echo appended-by-a-job >> '${db}') 2> /dev/null; echo done >> out.txt`,
    ];
    const created = await call(server.client, 'createWorkflow', shellRequest('reach-blobs', commands, { outputs: ['out.txt'] }));
    const state = await finalState(created.workflow!.workflowId);
    expect(state.type).toBe(WorkflowStateType.WORKFLOW_STATE_TYPE_SUCCESS);
    expect(readFileSync(blob, 'utf8')).toBe('stored input\n');
    expect(readFileSync(db).includes('appended-by-a-job')).toBe(false);
    const out = readFileSync(join(server.dataDir, 'runs', created.workflow!.workflowId, 'work', 'out.txt'), 'utf8');
    expect(out).toBe('blob rc=2\ndone\n');
  });

  it("sees only its own processes in /proc, not the server's", async () => {
    const commands = [`test ! -e /proc/${process.pid}/environ && echo hidden > out.txt`, 'ls /proc | grep -c "^[0-9]" >> out.txt'];
    const created = await call(server.client, 'createWorkflow', shellRequest('reach-proc', commands, { outputs: ['out.txt'] }));
    const state = await finalState(created.workflow!.workflowId);
    expect(state.type, JSON.stringify(state.messages)).toBe(WorkflowStateType.WORKFLOW_STATE_TYPE_SUCCESS);
    const [hidden, count] = readFileSync(join(server.dataDir, 'runs', created.workflow!.workflowId, 'work', 'out.txt'), 'utf8').trim().split('\n');
    expect(hidden).toBe('hidden');
    expect(Number(count)).toBeLessThan(10);
  });
});
