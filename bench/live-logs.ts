/**
 * Live logs: following a workflow's output must not slow the job down, and a printed line must
 * reach a follower quickly. The job writes its log files by itself; followers only read them.
 */
import { execFile } from 'node:child_process';
import { constants, watch } from 'node:fs';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { GetWorkflowResponse, WatchLogsResponse } from '../src/gen/flowserv/remote/v1/service.js';
import { compare, formatMs, interleave, percentile, type Benchmark } from './harness.js';
import { createWorkflow, shellWorkflow, unary, watchToEnd } from './rpc.js';
import { withServer, type BenchServer } from './server.js';

const FOLLOWERS = 10;
const LINE = '0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklm';

/** Opens a FIFO for writing once the job has opened its end (ENXIO until then). */
async function openWriter(fifo: string) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENXIO' || Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }
}

/** A two-step workflow: `gate` prints "ready" and waits on the FIFO, then `work` runs `command`. */
function gatedWorkflow(runId: string, fifo: string, command: string) {
  const request = shellWorkflow(runId, []);
  const steps = [
    { name: 'gate', action: { environment: 'sh', commands: [`echo ready; cat '${fifo}' > /dev/null`] } },
    { name: 'work', action: { environment: 'sh', commands: [command] } },
  ];
  return { ...request, template: { ...request.template!, workflow: { steps } } };
}

interface Follower {
  /** Resolves once the follower has received the gate step's "ready". */
  readonly ready: Promise<void>;
  /** Resolves with the bytes of the `work` step's stdout received, when the stream ends. */
  readonly done: Promise<number>;
}

/** A WatchLogs follower; `onData` sees each chunk of the work step's stdout. */
function follow(server: BenchServer, workflowId: string, onData?: (data: Uint8Array, at: bigint) => void): Follower {
  const stream = server.client.watchLogs({ workflowId, follow: true, startOffsets: [], streams: [] });
  let ready!: () => void;
  const readyP = new Promise<void>((resolve) => (ready = resolve));
  let bytes = 0;
  const done = new Promise<number>((resolve, reject) => {
    stream.on('data', (msg: WatchLogsResponse) => {
      if (msg.event?.$case !== 'chunk') return;
      const chunk = msg.event.value;
      if (chunk.stepIndex === 0) ready();
      else if (chunk.stream === 1) {
        bytes += chunk.data.length;
        onData?.(chunk.data, process.hrtime.bigint());
      }
    });
    stream.on('error', reject);
    stream.on('end', () => resolve(bytes));
  });
  return { ready: readyP, done };
}

/** The work step's duration as the job itself recorded it (runner timestamps), in ms. */
async function workStepMs(server: BenchServer, workflowId: string): Promise<number> {
  const res = await unary<GetWorkflowResponse>((cb) => server.client.getWorkflow({ workflowId }, cb));
  const d = res.workflow?.progress?.steps[1]?.duration;
  if (!d) throw new Error(`workflow ${workflowId} has no duration for its work step`);
  return d.seconds * 1000 + d.nanos / 1e6;
}

/** One run of a step printing `bytes` as fast as it can, with `followers` attached; its duration in ms. */
async function printRound(server: BenchServer, fifoDir: string, id: string, bytes: number, followers: number): Promise<number> {
  const fifo = join(fifoDir, `${id}.fifo`);
  await promisify(execFile)('mkfifo', [fifo]);
  const workflowId = await createWorkflow(server.client, gatedWorkflow(`bench-${id}`, fifo, `yes '${LINE}' | head -c ${bytes}`));
  const attached = Array.from({ length: followers }, () => follow(server, workflowId));
  const ended = watchToEnd(server.client, workflowId);
  await Promise.all(attached.map((f) => f.ready));
  await (await openWriter(fifo)).close();
  await ended;
  for (const received of await Promise.all(attached.map((f) => f.done))) {
    if (received !== bytes) throw new Error(`a follower received ${received} of ${bytes} bytes`);
  }
  await rm(fifo);
  return workStepMs(server, workflowId);
}

/**
 * One latency round: the work step echoes each line the benchmark writes into its FIFO; the time
 * from that write to the line's arrival is taken at a WatchLogs follower (subject) and at an
 * fs.watch reader of the log file in this process (baseline: the job wrote it, a watcher saw it).
 */
async function latencyRound(server: BenchServer, fifoDir: string, id: string, lines: number): Promise<{ subject: number[]; baseline: number[] }> {
  const gate = join(fifoDir, `${id}.gate`);
  const input = join(fifoDir, `${id}.in`);
  await promisify(execFile)('mkfifo', [gate, input]);
  const request = gatedWorkflow(`bench-${id}`, gate, `while IFS= read -r line; do printf '%s\\n' "$$line"; done < '${input}'`);
  const workflowId = await createWorkflow(server.client, request);
  const sentAt = new Map<number, bigint>();
  const subject: number[] = [];
  const baseline: number[] = [];
  const arrivals = (into: number[]) => {
    let text = '';
    return (data: Uint8Array | string, at: bigint) => {
      text += typeof data === 'string' ? data : Buffer.from(data).toString();
      const parts = text.split('\n');
      text = parts.pop()!;
      for (const part of parts) into.push(Number(at - sentAt.get(Number(part))!) / 1e6);
    };
  };
  const follower = follow(server, workflowId, arrivals(subject));
  await follower.ready;
  const logFile = join(server.dataDir, 'runs', workflowId, 'control', 'logs', '1-0.out');
  const onBaseline = arrivals(baseline);
  let read = 0;
  const watcher = watch(join(server.dataDir, 'runs', workflowId, 'control', 'logs'), () => {
    const at = process.hrtime.bigint();
    void readFile(logFile).then((all) => {
      if (all.length <= read) return;
      const fresh = all.subarray(read);
      read = all.length;
      onBaseline(fresh.toString(), at);
    }, () => undefined);
  });
  await (await openWriter(gate)).close();
  const writer = await openWriter(input);
  try {
    for (let i = 0; i < lines; i++) {
      sentAt.set(i, process.hrtime.bigint());
      await writer.write(`${i}\n`);
      const deadline = Date.now() + 5_000;
      while ((subject.length <= i || baseline.length <= i) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    await writer.close();
    watcher.close();
  }
  await watchToEnd(server.client, workflowId);
  await follower.done;
  await rm(gate);
  await rm(input);
  if (subject.length !== lines || baseline.length !== lines) throw new Error(`lines received: ${subject.length} by WatchLogs, ${baseline.length} by fs.watch, of ${lines}`);
  return { subject, baseline };
}

export const liveLogs: Benchmark = {
  id: 'logs',
  title: 'Live logs (WatchLogs)',
  description:
    'A two-step workflow: the first step waits on a FIFO so that followers can attach, the second prints. "printing with ' +
    'followers" runs a step printing 50 MB as fast as it can (`yes | head -c`) with 10 `WatchLogs` followers attached ' +
    '(each receives all 50 MB) against the same step with none; the time is the step\'s own duration as its runner recorded ' +
    'it, so the row says whether following slows the job (goal: ratio at most 1.1). "line latency" times each of 100 lines ' +
    'per round from the moment the benchmark writes it to the step (which echoes it) to its arrival at a `WatchLogs` ' +
    'follower, against its arrival at an fs.watch reader of the log file in the benchmark process; the note gives the ' +
    'follower\'s p99 (goal: under 100 ms).',
  async run(ctx) {
    const bytes = ctx.quick ? 5_000_000 : 50_000_000;
    const counts = ctx.quick ? { warmup: 0, iterations: 1 } : { warmup: 1, iterations: 5 };
    const lines = ctx.quick ? 20 : 100;
    const fifoDir = await mkdtemp(join(tmpdir(), 'fsr-bench-logs-'));
    try {
      return await withServer([], async (server) => {
        let n = 0;
        ctx.log(`printing: ${counts.iterations} rounds of ${bytes / 1e6} MB with ${FOLLOWERS} followers and with none`);
        const printing = await interleave(
          counts,
          () => printRound(server, fifoDir, `print-${n++}`, bytes, FOLLOWERS),
          () => printRound(server, fifoDir, `print-${n++}`, bytes, 0),
        );
        ctx.log(`latency: ${counts.iterations} rounds of ${lines} lines`);
        const subject: number[] = [];
        const baseline: number[] = [];
        for (let i = 0; i < counts.warmup + counts.iterations; i++) {
          const round = await latencyRound(server, fifoDir, `latency-${n++}`, lines);
          if (i < counts.warmup) continue;
          subject.push(...round.subject);
          baseline.push(...round.baseline);
        }
        return [
          compare(
            { name: `step printing ${bytes / 1e6} MB, ${FOLLOWERS} followers`, subject: `${FOLLOWERS} WatchLogs followers`, baseline: 'no follower', note: 'step duration recorded by the job; goal ≤ 1.10×' },
            printing,
          ),
          compare(
            {
              name: 'line latency to a follower',
              subject: 'WatchLogs follower',
              baseline: 'fs.watch reader of the log file',
              note: `follower p99 ${formatMs(percentile(subject, 99))}, max ${formatMs(Math.max(...subject))} (goal p99 < 100 ms)`,
            },
            { subject, baseline },
          ),
        ];
      });
    } finally {
      await rm(fifoDir, { recursive: true, force: true });
    }
  },
};
