/**
 * Live logs: following a workflow's output must not slow the job down, and a printed line must
 * reach a follower quickly. The server runs in a process of its own, the ten followers of the
 * printing row in another (bench/log-followers.ts), so each side is charged its own work.
 */
import { execFile } from 'node:child_process';
import { constants, watch } from 'node:fs';
import { chmod, mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { GetWorkflowResponse, RemoteWorkflowServiceClient, WatchLogsResponse } from '../src/gen/flowserv/remote/v1/service.js';
import { compare, formatMs, interleave, median, percentile, type Benchmark } from './harness.js';
import { startFollowerProcess, type FollowerProcess } from './follower-process.js';
import { createWorkflow, shellWorkflow, unary, watchToEnd } from './rpc.js';
import { sampleCpu, startServerProcess, type ServerProcess } from './server-process.js';
import { removeDataDir } from './data-dir.js';

const FOLLOWERS = 10;
/**
 * Rounds of the printing row, each kind. A 50 MB step takes about 100 ms here, and on a shared
 * machine the same step's time moves by a factor of two from round to round, so a ratio of
 * medians needs many interleaved rounds to say anything at the 10 % the goal allows.
 */
const PRINT_ROUNDS = 25;
/**
 * Pause between the followers' attaching and the step's start, in ms, the same in rounds without
 * followers: the step starts when followers have been attached for a while, as in real use,
 * instead of while the server and the follower process still handle the first output they sent.
 */
const SETTLE_MS = 100;
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

/** A WatchLogs follower in this process; `onData` sees each chunk of the work step's stdout. */
function follow(client: RemoteWorkflowServiceClient, workflowId: string, onData?: (data: Uint8Array, at: bigint) => void): Follower {
  const stream = client.watchLogs({ workflowId, follow: true, startOffsets: [], streams: [] });
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

/** The work step's start (epoch ms) and duration (ms) as the job itself recorded them (the runner's step files). */
async function workStep(client: RemoteWorkflowServiceClient, workflowId: string): Promise<{ startMs: number; durationMs: number }> {
  const res = await unary<GetWorkflowResponse>((cb) => client.getWorkflow({ workflowId }, cb));
  const step = res.workflow?.progress?.steps[1];
  if (!step?.duration || !step.startedAt) throw new Error(`workflow ${workflowId} has no duration for its work step`);
  return { startMs: step.startedAt.getTime(), durationMs: step.duration.seconds * 1000 + step.duration.nanos / 1e6 };
}

/** What one printing round measured. */
export interface PrintRound {
  /** The work step's duration (runner's step files). */
  readonly stepMs: number;
  /** CPU of every server thread while the work step ran (sampled every 2 ms, interpolated). */
  readonly serverStepCpuMs: number;
  /** The same after the step, until every follower had everything (catching up). */
  readonly serverAfterCpuMs: number;
  /** CPU of the follower process while the work step ran. */
  readonly followersStepCpuMs: number;
  /** CPU of the follower process over the whole round. */
  readonly followersCpuMs: number;
}

/** One run of a step printing `bytes` as fast as it can, with `count` followers attached. */
export async function printRound(server: ServerProcess, followers: FollowerProcess, fifoDir: string, id: string, bytes: number, count: number): Promise<PrintRound> {
  const fifo = join(fifoDir, `${id}.fifo`);
  await promisify(execFile)('mkfifo', [fifo]);
  const workflowId = await createWorkflow(server.client, gatedWorkflow(`bench-${id}`, fifo, `yes '${LINE}' | head -c ${bytes}`));
  const group = count > 0 ? followers.follow(workflowId, count) : undefined;
  const ended = watchToEnd(server.client, workflowId);
  await group?.ready;
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const cpu = sampleCpu([server.pid, followers.pid], 2);
  try {
    await (await openWriter(fifo)).close();
    await ended;
    for (const received of (await group?.done) ?? []) {
      if (received !== bytes) throw new Error(`a follower received ${received} of ${bytes} bytes`);
    }
  } finally {
    cpu.stop();
  }
  await rm(fifo);
  const step = await workStep(server.client, workflowId);
  const stepEnd = step.startMs + step.durationMs;
  const roundEnd = performance.timeOrigin + performance.now();
  return {
    stepMs: step.durationMs,
    serverStepCpuMs: cpu.between(0, step.startMs, stepEnd),
    serverAfterCpuMs: cpu.between(0, stepEnd, roundEnd),
    followersStepCpuMs: cpu.between(1, step.startMs, stepEnd),
    followersCpuMs: cpu.between(1, 0, roundEnd),
  };
}

/**
 * The ratios of the interleaved pairs of rounds (with followers / without, each pair run back to
 * back): their spread says how far one run's ratio of medians can be trusted.
 */
function pairRatios(subject: readonly PrintRound[], baseline: readonly PrintRound[]): string {
  const ratios = subject.map((r, i) => r.stepMs / baseline[i]!.stepMs);
  const f = (x: number) => `${x.toFixed(2)}×`;
  return `ratios of the ${ratios.length} pairs: median ${f(median(ratios))}, quartiles ${f(percentile(ratios, 25))}–${f(percentile(ratios, 75))}`;
}

/** Median of one figure of the rounds, formatted. */
const medianOf = (rounds: readonly PrintRound[], key: keyof PrintRound) => formatMs(median(rounds.map((r) => r[key])));

/**
 * One latency round: the work step echoes each line the benchmark writes into its FIFO; the time
 * from that write to the line's arrival is taken at a WatchLogs follower (subject) and at an
 * fs.watch reader of the log file in this process (baseline: the job wrote it, a watcher saw it).
 */
async function latencyRound(server: ServerProcess, fifoDir: string, id: string, lines: number): Promise<{ subject: number[]; baseline: number[] }> {
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
  const follower = follow(server.client, workflowId, arrivals(subject));
  await follower.ready;
  // The run directory is the runner's control directory; logs lie in it (see job-runner.ts).
  const logFile = join(server.dataDir, 'runs', workflowId, '1-0.out');
  const onBaseline = arrivals(baseline);
  let read = 0;
  const watcher = watch(join(server.dataDir, 'runs', workflowId), () => {
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
    'The server runs in a process of its own (`serve`, production defaults), the printing row\'s followers in another ' +
    '(bench/log-followers.ts, each on its own connection). A two-step workflow: the first step waits on a FIFO so that ' +
    'followers can attach, the second prints. "printing with followers" runs a step printing 50 MB as fast as it can ' +
    '(`yes | head -c`) with 10 `WatchLogs` followers attached (each receives all 50 MB) against the same step with none, ' +
    'interleaved (25 rounds of each; the step starts 100 ms after the followers attached, with the same pause without ' +
    'them); the time is the step\'s own duration from the runner\'s step files, so the row says whether following ' +
    'slows the job (goal: ratio at most 1.1). The note gives the spread of the ratios of the interleaved pairs, and the CPU the server and the follower process used during the ' +
    'step (their CPU times sampled every 2 ms, cut at the step\'s start and end) and after it (the followers catching up ' +
    'at full speed once the workflow ended): on a loaded machine the step\'s wall time moves by more than following costs, ' +
    'the CPU taken from the job during the step much less. "line latency" times each of 100 lines per round from the ' +
    'moment the benchmark writes it to the step (which echoes it) to its arrival at a `WatchLogs` follower, against its ' +
    'arrival at an fs.watch reader of the log file in the benchmark process; the note gives the follower\'s p99 (goal: ' +
    'under 100 ms).',
  async run(ctx) {
    const bytes = ctx.quick ? 5_000_000 : 50_000_000;
    const counts = ctx.quick ? { warmup: 0, iterations: 1 } : { warmup: 1, iterations: PRINT_ROUNDS };
    const latencyCounts = ctx.quick ? counts : { warmup: 1, iterations: 9 };
    const lines = ctx.quick ? 20 : 100;
    const fifoDir = await mkdtemp(join(tmpdir(), 'fsr-bench-logs-'));
    // Jobs are confined: the folder is mounted into their sandbox and readable by the job user.
    await chmod(fifoDir, 0o755);
    const server = await startServerProcess(['--job-read-only-paths', fifoDir]);
    const followers = await startFollowerProcess(server.address);
    try {
      let n = 0;
      ctx.log(`printing: ${counts.iterations} rounds of ${bytes / 1e6} MB with ${FOLLOWERS} followers and with none`);
      const printing = await interleave(
        counts,
        () => printRound(server, followers, fifoDir, `print-${n++}`, bytes, FOLLOWERS),
        () => printRound(server, followers, fifoDir, `print-${n++}`, bytes, 0),
      );
      for (const [side, rounds] of [['followers', printing.subject], ['none', printing.baseline]] as const) {
        const each = rounds.map((r) => `${r.stepMs.toFixed(0)}/${r.serverStepCpuMs.toFixed(0)}+${r.serverAfterCpuMs.toFixed(0)}/${r.followersStepCpuMs.toFixed(0)}+${r.followersCpuMs.toFixed(0)}`).join(' ');
        ctx.log(`  ${side}: step ms / server CPU ms during the step + after / follower process CPU ms during the step + in all: ${each}`);
      }
      ctx.log(`latency: ${latencyCounts.iterations} rounds of ${lines} lines`);
      const subject: number[] = [];
      const baseline: number[] = [];
      for (let i = 0; i < latencyCounts.warmup + latencyCounts.iterations; i++) {
        const round = await latencyRound(server, fifoDir, `latency-${n++}`, lines);
        if (i < latencyCounts.warmup) continue;
        subject.push(...round.subject);
        baseline.push(...round.baseline);
      }
      const rounds = printing.subject;
      return [
        compare(
          {
            name: `step printing ${bytes / 1e6} MB, ${FOLLOWERS} followers`,
            subject: `${FOLLOWERS} WatchLogs followers`,
            baseline: 'no follower',
            note:
              `step duration from the runner's step files; goal ≤ 1.10×; ${pairRatios(rounds, printing.baseline)}. Medians with followers: server CPU ${medianOf(rounds, 'serverStepCpuMs')} during the ` +
              `step (none: ${medianOf(printing.baseline, 'serverStepCpuMs')}) + ${medianOf(rounds, 'serverAfterCpuMs')} after it; follower process ` +
              `${medianOf(rounds, 'followersStepCpuMs')} during the step, ${medianOf(rounds, 'followersCpuMs')} in all`,
          },
          { subject: rounds.map((r) => r.stepMs), baseline: printing.baseline.map((r) => r.stepMs) },
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
    } finally {
      await followers.stop();
      await server.stop();
      await removeDataDir(fifoDir);
    }
  },
};
