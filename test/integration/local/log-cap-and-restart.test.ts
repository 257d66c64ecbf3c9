import { status } from '@grpc/grpc-js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LogStream } from '../../../src/gen/flowserv/remote/v1/logs.js';
import { WorkflowStateType } from '../../../src/gen/flowserv/remote/v1/workflow.js';
import { call } from '../../support/grpc-calls.js';
import { followLogs, joinText, logsRequest, stepsRequest } from '../../support/log-stream.js';
import { jobGates } from '../../support/job-sandbox.js';
import { startAppServer as startTestServer, type AppServer as TestServer } from '../../support/app-server.js';

const { LOG_STREAM_STDOUT: OUT, LOG_STREAM_STDERR: ERR } = LogStream;
const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function start(args: string[] = [], dataDir?: string): Promise<TestServer> {
  const server = await startTestServer({ args, ...(dataDir && { dataDir }) });
  servers.push(server);
  return server;
}

describe('the per-workflow log cap', () => {
  it('keeps the first bytes of each stream over all commands, marks the cut, and leaves the job unharmed', async () => {
    const server = await start(['--log-cap-bytes', '1000']);
    const info = await call(server.client, 'getServiceInfo', {});
    expect(info.limits?.logCapBytes).toBe(1000);
    // 5000 bytes on stdout, then a second command whose stdout finds the budget spent; stderr
    // stays under the cap. The job must still run to the end and succeed.
    const created = await call(
      server.client,
      'createWorkflow',
      stepsRequest('cap-1', [['main', ["head -c 5000 /dev/zero | tr '\\0' x; echo small >&2", 'echo after; echo done > finished.txt']]]),
    );
    const id = created.workflow!.workflowId;
    const follower = followLogs(server.client, logsRequest(id));
    await follower.ended;
    expect((await call(server.client, 'getWorkflowState', { workflowId: id })).state?.type).toBe(WorkflowStateType.WORKFLOW_STATE_TYPE_SUCCESS);
    const chunks = follower.chunks();
    expect(joinText(chunks.filter((c) => c.commandIndex === 0 && c.stream === OUT))).toBe('x'.repeat(1000));
    const marks = chunks.filter((c) => c.truncated);
    expect(marks.map((m) => [m.commandIndex, m.stream, m.offset, m.droppedBytes, m.data.length])).toEqual([
      [0, OUT, 1000, 4000, 0],
      [1, OUT, 0, 6, 0],
    ]);
    expect(follower.text(0, 0, ERR)).toBe('small\n');
    expect(follower.text(0, 1, OUT)).toBe('');
  });
});

describe('logs across a server restart', () => {
  it('serves the logs of a job that kept running while the server was down, from the offsets received', async () => {
    const { dir: gates, serverArgs: gateArgs } = jobGates();
    const gate = join(gates, 'restart');
    const first = await start([...gateArgs]);
    const created = await call(
      first.client,
      'createWorkflow',
      stepsRequest('restart-logs', [['main', [`echo before; while [ ! -f '${gate}' ]; do sleep 0.02; done; echo after`]], ['tail', ['echo tail-step >&2']]]),
    );
    const id = created.workflow!.workflowId;
    const before = followLogs(first.client, logsRequest(id));
    await expect.poll(() => before.text(0, 0, OUT), { timeout: 10_000 }).toBe('before\n');
    await first.stop();
    servers.splice(servers.indexOf(first), 1);
    // Cut short by the drain: UNAVAILABLE (resume), never OK (which would mean "that was all").
    await expect(before.ended).rejects.toMatchObject({ code: status.UNAVAILABLE });

    const second = await start([...gateArgs], first.dataDir);
    const after = followLogs(second.client, logsRequest(id, { startOffsets: [{ stepIndex: 0, commandIndex: 0, stream: OUT, offset: 7 }] }));
    // The job is still running, reattached by the new server: the follower idles until it prints.
    await expect.poll(() => after.events.some((e) => e.event?.$case === 'heartbeat'), { timeout: 10_000 }).toBe(true);
    expect((await call(second.client, 'getWorkflowState', { workflowId: id })).state?.type).toBe(WorkflowStateType.WORKFLOW_STATE_TYPE_RUNNING);
    writeFileSync(gate, '');
    await after.ended;
    expect(after.text(0, 0, OUT)).toBe('after\n');
    expect(after.chunks()[0]?.offset).toBe(7);
    expect(after.text(1, 0, ERR)).toBe('tail-step\n');
    expect((await call(second.client, 'getWorkflowState', { workflowId: id })).state?.type).toBe(WorkflowStateType.WORKFLOW_STATE_TYPE_SUCCESS);
  });
});
