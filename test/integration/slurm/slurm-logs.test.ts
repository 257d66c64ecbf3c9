/**
 * Live logs and step progress on the slurm engine, against the real single-node cluster: the
 * batch job's runner writes each command's output to the control directory on the shared
 * filesystem, and WatchLogs follows those files the same way as for the local engine, before and
 * after a server restart.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LogStream } from '../../../src/gen/flowserv/remote/v1/logs.js';
import { WorkflowStateType } from '../../../src/gen/flowserv/remote/v1/workflow.js';
import { call } from '../../support/grpc-calls.js';
import { followLogs, logsRequest, stepsRequest } from '../../support/log-stream.js';
import { describeIfAvailable } from '../../support/requirements.js';
import { startAppServer as startTestServer, type AppServer as TestServer } from '../../support/app-server.js';
import { makeTempRoot, slurmMissing } from './slurm-cluster.js';
import { cancelJobsUnder, slurmServerArgs } from './slurm-grpc-support.js';

const { LOG_STREAM_STDOUT: OUT, LOG_STREAM_STDERR: ERR } = LogStream;

describeIfAvailable('live logs on the slurm engine (real single-node cluster)', slurmMissing(), () => {
  let root: { dir: string; cleanup(): Promise<void> };
  let server: TestServer;
  const args = (): string[] => slurmServerArgs(join(root.dir, 'runs'), ['--default-engine', 'slurm']);

  beforeAll(async () => {
    root = await makeTempRoot();
    server = await startTestServer({ dataDir: join(root.dir, 'data'), args: args() });
  });

  afterAll(async () => {
    await server?.stop();
    if (root) await cancelJobsUnder(root.dir);
    await root?.cleanup();
  });

  it('streams a running batch job\'s output live, stdout and stderr apart, with its step progress, also after a server restart', async () => {
    const gate = join(root.dir, 'gate');
    const wait = `while [ ! -f '${gate}' ]; do sleep 0.05; done`;
    const created = await call(server.client, 'createWorkflow', {
      ...stepsRequest('slurm-logs', [['warmup', ['echo warm; echo warm-err >&2']], ['main', [`echo before; ${wait}; echo after`]]]),
      engine: 'slurm',
    });
    const id = created.workflow!.workflowId;
    expect(created.workflow?.engine).toBe('slurm');
    const live = followLogs(server.client, logsRequest(id));
    await expect.poll(() => live.text(1, 0, OUT), { timeout: 60_000 }).toBe('before\n');
    expect(live.text(0, 0, OUT)).toBe('warm\n');
    expect(live.text(0, 0, ERR)).toBe('warm-err\n');
    // The output can be ahead of the state: Slurm's RUNNING arrives with the next squeue poll.
    await expect
      .poll(async () => (await call(server.client, 'getWorkflow', { workflowId: id })).workflow?.state?.type, { timeout: 30_000 })
      .toBe(WorkflowStateType.WORKFLOW_STATE_TYPE_RUNNING);
    const running = (await call(server.client, 'getWorkflow', { workflowId: id })).workflow!;
    expect(running.progress).toMatchObject({ stepCount: 2, runningStepIndex: 1, steps: [{ name: 'warmup', exitCode: 0 }, { name: 'main' }] });

    // The server goes away while the job runs; the new one serves the rest from the offsets seen.
    live.stream.cancel();
    await live.ended.catch(() => undefined);
    const dataDir = server.dataDir;
    await server.stop();
    server = await startTestServer({ dataDir, args: args() });
    const resumed = followLogs(server.client, logsRequest(id, { startOffsets: [{ stepIndex: 1, commandIndex: 0, stream: OUT, offset: 7 }], stepIndex: 1 }));
    expect(existsSync(gate)).toBe(false);
    writeFileSync(gate, '');
    await resumed.ended;
    expect(resumed.text(1, 0, OUT)).toBe('after\n');
    const final = (await call(server.client, 'getWorkflow', { workflowId: id })).workflow!;
    expect(final.state?.type).toBe(WorkflowStateType.WORKFLOW_STATE_TYPE_SUCCESS);
    expect(final.progress?.steps.map((s) => s.exitCode)).toEqual([0, 0]);
  });
});
