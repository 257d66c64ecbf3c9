import { status, type ServiceError } from '@grpc/grpc-js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogStream } from '../../../src/gen/flowserv/remote/v1/logs.js';
import { WorkflowStateType } from '../../../src/gen/flowserv/remote/v1/workflow.js';
import { decodeStatusDetails } from '../../../src/wire/status-details.js';
import { call, collect } from '../../support/grpc-calls.js';
import { followLogs, joinText, logsRequest, stepsRequest } from '../../support/log-stream.js';
import { jobGates } from '../../support/job-sandbox.js';
import { startAppServer as startTestServer, type AppServer as TestServer } from '../../support/app-server.js';

const { LOG_STREAM_STDOUT: OUT, LOG_STREAM_STDERR: ERR } = LogStream;

let server: TestServer;
const { dir: gates, serverArgs: gateArgs } = jobGates();
beforeAll(async () => {
  server = await startTestServer({ args: gateArgs });
});
afterAll(() => server.stop());

/** A shell snippet that waits until the test opens the gate `name`. */
function waitFor(name: string): string {
  return `while [ ! -f '${join(gates, name)}' ]; do sleep 0.02; done`;
}
const open = (name: string): void => writeFileSync(join(gates, name), '');

async function create(runId: string, steps: ReadonlyArray<readonly [string, readonly string[]]>): Promise<string> {
  const created = await call(server.client, 'createWorkflow', stepsRequest(runId, steps));
  return created.workflow!.workflowId;
}

async function stateOf(workflowId: string): Promise<WorkflowStateType> {
  return (await call(server.client, 'getWorkflowState', { workflowId })).state!.type;
}

describe('WatchLogs on the local engine', () => {
  it('delivers a line while the step still runs, then the rest, and ends OK once the workflow ended', async () => {
    const id = await create('logs-live', [['main', [`echo first; ${waitFor('live')}; echo second; echo oops >&2`]]]);
    const follower = followLogs(server.client, logsRequest(id));
    await expect.poll(() => follower.text(0, 0, OUT), { timeout: 10_000 }).toBe('first\n');
    expect(await stateOf(id)).toBe(WorkflowStateType.WORKFLOW_STATE_TYPE_RUNNING);
    const firstChunk = follower.chunks()[0]!;
    expect(firstChunk).toMatchObject({ stepIndex: 0, commandIndex: 0, stream: OUT, offset: 0 });
    expect(firstChunk.command).toContain('echo first');
    open('live');
    await follower.ended;
    expect(follower.text(0, 0, OUT)).toBe('first\nsecond\n');
    expect(follower.text(0, 0, ERR)).toBe('oops\n');
    expect(await stateOf(id)).toBe(WorkflowStateType.WORKFLOW_STATE_TYPE_SUCCESS);
    // The command line is sent once per stream, not on every chunk.
    expect(follower.chunks().filter((c) => c.command !== '').map((c) => c.stream).sort()).toEqual([OUT, ERR]);
  });

  it('keeps stdout and stderr apart and names each step and command', async () => {
    const id = await create('logs-streams', [
      ['prepare', ['echo p-out; echo p-err >&2', 'echo q-out']],
      ['analyze', ['printf a-out; printf a-err >&2']],
    ]);
    const follower = followLogs(server.client, logsRequest(id));
    await follower.ended;
    expect(follower.text(0, 0, OUT)).toBe('p-out\n');
    expect(follower.text(0, 0, ERR)).toBe('p-err\n');
    expect(follower.text(0, 1, OUT)).toBe('q-out\n');
    expect(follower.text(1, 0, OUT)).toBe('a-out');
    expect(follower.text(1, 0, ERR)).toBe('a-err');
    // Only the stderr of step 1, as a plain read of the finished workflow.
    const only = await collect(server.client.watchLogs(logsRequest(id, { follow: false, stepIndex: 1, streams: [ERR] })));
    expect(only.map((e) => e.event?.$case === 'chunk' && [e.event.value.stepIndex, e.event.value.stream, Buffer.from(e.event.value.data).toString()])).toEqual([[1, ERR, 'a-err']]);
  });

  it('a follower that disconnects and resumes from its offsets gets every byte exactly once', async () => {
    // About 590 kB on stdout, in several chunks, plus stderr lines, while the job still runs.
    const id = await create('logs-resume', [['main', [`seq 1 100000; echo e1 >&2; ${waitFor('resume')}; seq 100001 120000; echo e2 >&2`]]]);
    const first = followLogs(server.client, logsRequest(id));
    await expect.poll(() => first.chunks().length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    first.stream.cancel();
    await first.ended.catch((err: ServiceError) => expect(err.code).toBe(status.CANCELLED));
    const received = first.chunks();
    const offsets = new Map<string, { stepIndex: number; commandIndex: number; stream: LogStream; offset: number }>();
    for (const c of received) offsets.set(`${c.stepIndex}/${c.commandIndex}/${c.stream}`, { stepIndex: c.stepIndex, commandIndex: c.commandIndex, stream: c.stream, offset: c.offset + c.data.length });
    open('resume');
    const second = followLogs(server.client, logsRequest(id, { startOffsets: [...offsets.values()] }));
    await second.ended;
    const all = [...received, ...second.chunks()];
    const seq = (from: number, to: number): string => Array.from({ length: to - from + 1 }, (_, i) => `${from + i}\n`).join('');
    expect(joinText(all.filter((c) => c.stream === OUT))).toBe(seq(1, 120000));
    expect(joinText(all.filter((c) => c.stream === ERR))).toBe('e1\ne2\n');
  });

  it('sends heartbeats while the job is quiet', async () => {
    const id = await create('logs-quiet', [['main', [waitFor('quiet')]]]);
    const follower = followLogs(server.client, logsRequest(id));
    await expect.poll(() => follower.events.filter((e) => e.event?.$case === 'heartbeat').length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    const beat = follower.events.find((e) => e.event?.$case === 'heartbeat')!.event;
    expect(beat?.$case === 'heartbeat' && beat.value.lastSequence).toBeGreaterThanOrEqual(1);
    open('quiet');
    await follower.ended;
    expect(follower.chunks()).toEqual([]);
  });

  it('followers of one job, joining at different points, each get every byte once and in order', async () => {
    // About 2.3 MB on stdout in two bursts (several shared chunks each), lines on stderr.
    const id = await create('logs-many', [['main', [`seq 1 200000; echo e1 >&2; ${waitFor('many')}; seq 200001 400000; echo e2 >&2`]]]);
    const early = Array.from({ length: 4 }, () => followLogs(server.client, logsRequest(id)));
    await expect.poll(() => early[0]!.text(0, 0, ERR), { timeout: 10_000 }).toBe('e1\n');
    // One joins mid-way through the first burst, one after it, one asks for stdout only.
    const resumed = followLogs(server.client, logsRequest(id, { startOffsets: [{ stepIndex: 0, commandIndex: 0, stream: OUT, offset: 777_777 }] }));
    const late = followLogs(server.client, logsRequest(id));
    const onlyOut = followLogs(server.client, logsRequest(id, { streams: [OUT] }));
    open('many');
    const all = [...early, resumed, late, onlyOut];
    await Promise.all(all.map((f) => f.ended));
    const seq = Array.from({ length: 400_000 }, (_, i) => `${i + 1}\n`).join('');
    for (const f of [...early, late, onlyOut]) expect(f.text(0, 0, OUT) === seq).toBe(true);
    expect(resumed.text(0, 0, OUT) === seq.slice(777_777)).toBe(true);
    for (const f of [...early, resumed, late]) expect(f.text(0, 0, ERR)).toBe('e1\ne2\n');
    expect(onlyOut.chunks().every((c) => c.stream === OUT)).toBe(true);
    // Each follower is told the command once per stream, on its first chunk of it.
    for (const f of all) {
      const named = f.chunks().filter((c) => c.command !== '');
      expect(named.map((c) => c.stream).sort()).toEqual(f === onlyOut ? [OUT] : [OUT, ERR]);
    }
  });

  it('never mixes the output of two workflows', async () => {
    const ids = await Promise.all(['a', 'b'].map((tag) => create(`logs-iso-${tag}`, [['main', [[1, 2, 3, 4, 5].map((i) => `echo ${tag}-${i}; echo ${tag}-err >&2`).join('; ')]]])));
    const [a, b] = await Promise.all(ids.map(async (id) => {
      const f = followLogs(server.client, logsRequest(id));
      await f.ended;
      return f;
    }));
    expect(a!.text(0, 0, OUT)).toBe('a-1\na-2\na-3\na-4\na-5\n');
    expect(b!.text(0, 0, OUT)).toBe('b-1\nb-2\nb-3\nb-4\nb-5\n');
    expect(a!.text(0, 0, ERR)).not.toContain('b-');
    expect(b!.text(0, 0, ERR)).not.toContain('a-');
  });

  it('a stopped workflow ends its log stream with what the job wrote', async () => {
    const id = await create('logs-stop', [['main', [`echo before; ${waitFor('never')}`]]]);
    const follower = followLogs(server.client, logsRequest(id));
    await expect.poll(() => follower.text(0, 0, OUT), { timeout: 10_000 }).toBe('before\n');
    await call(server.client, 'stopWorkflow', { workflowId: id, reason: 'enough', gracePeriod: { seconds: 1, nanos: 0 } });
    await follower.ended;
    expect(follower.text(0, 0, OUT)).toBe('before\n');
  });
});

describe('WatchLogs errors', () => {
  async function logsError(request: ReturnType<typeof logsRequest>): Promise<{ code: number; reason?: string | undefined; fields: string[] }> {
    try {
      await collect(server.client.watchLogs(request));
    } catch (e) {
      const err = e as ServiceError;
      const details = decodeStatusDetails(err.metadata);
      return { code: err.code, reason: details?.errorInfo?.reason, fields: details?.fieldViolations.map((v) => v.field) ?? [] };
    }
    throw new Error('expected WatchLogs to fail');
  }

  it('gives NOT_FOUND, INVALID_ARGUMENT and OUT_OF_RANGE with details', async () => {
    expect(await logsError(logsRequest(''))).toMatchObject({ code: status.INVALID_ARGUMENT, fields: ['workflow_id'] });
    expect(await logsError(logsRequest('0123456789abcdef0123456789abcdef'))).toMatchObject({ code: status.NOT_FOUND, reason: 'WORKFLOW_NOT_FOUND' });
    const id = await create('logs-errors', [['main', ['echo 12345']]]);
    await followLogs(server.client, logsRequest(id)).ended;
    expect(await logsError(logsRequest(id, { stepIndex: 1 }))).toMatchObject({ code: status.INVALID_ARGUMENT, fields: ['step_index'] });
    expect(await logsError(logsRequest(id, { streams: [LogStream.LOG_STREAM_UNSPECIFIED] }))).toMatchObject({ code: status.INVALID_ARGUMENT, fields: ['streams[0]'] });
    const offset = (o: number, commandIndex = 0) => ({ stepIndex: 0, commandIndex, stream: OUT, offset: o });
    expect(await logsError(logsRequest(id, { startOffsets: [offset(-1), offset(0, 3)] }))).toMatchObject({
      code: status.INVALID_ARGUMENT,
      fields: ['start_offsets[0].offset', 'start_offsets[1].command_index'],
    });
    expect(await logsError(logsRequest(id, { startOffsets: [offset(1), offset(2)] }))).toMatchObject({ code: status.INVALID_ARGUMENT, fields: ['start_offsets[1]'] });
    expect(await logsError(logsRequest(id, { startOffsets: [offset(7)] }))).toMatchObject({ code: status.OUT_OF_RANGE });
    // The end of the stream is a valid offset: nothing more to send.
    expect(await collect(server.client.watchLogs(logsRequest(id, { startOffsets: [offset(6)], streams: [OUT] })))).toEqual([]);
  });
});
