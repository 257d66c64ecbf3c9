/**
 * WatchState fan-out: how long a state takes to reach each of 100 watchers of one workflow,
 * against reaching a single watcher. The service commits each state once and the watch hub
 * hands that one record to every subscription, so the cost per extra watcher should be one
 * message write, not a database read.
 */
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { chmod, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { WorkflowStateType } from '../src/gen/flowserv/remote/v1/workflow.js';
import { compare, interleave, median, type Benchmark } from './harness.js';
import { createWorkflow, shellWorkflow, watchToEnd } from './rpc.js';
import { withServer, type BenchServer } from './server.js';
import { removeDataDir } from './data-dir.js';

/** How long to wait for the job to open its FIFO before giving up, in ms. */
const FIFO_OPEN_TIMEOUT_MS = 30_000;

/** Latencies of one round, in ms from the trigger to each watcher's receipt of SUCCESS. */
interface Round {
  readonly medianMs: number;
  readonly lastMs: number;
}

const now = () => process.hrtime.bigint();
const msSince = (start: bigint) => Number(now() - start) / 1e6;

/**
 * Opens the FIFO for writing without blocking a thread: ENXIO means the job has not opened its
 * end yet, so retry. Resolves once the job is blocked reading it.
 */
export async function openWriter(fifo: string) {
  const deadline = Date.now() + FIFO_OPEN_TIMEOUT_MS;
  for (;;) {
    try {
      return await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENXIO' || Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }
}

/**
 * One round: a workflow whose only command blocks on a FIFO; `watchers` streams follow it until
 * each has seen RUNNING live or replayed; then the FIFO is written (the job ends) and every
 * watcher's receipt of SUCCESS is timed from that moment.
 */
async function round(server: BenchServer, fifoDir: string, id: string, watchers: number): Promise<Round> {
  const fifo = join(fifoDir, `${id}.fifo`);
  await promisify(execFile)('mkfifo', [fifo]);
  const workflowId = await createWorkflow(server.client, shellWorkflow(`bench-${id}`, [`cat '${fifo}' > /dev/null`]));
  let trigger: bigint | undefined;
  const latencies: number[] = [];
  let running = 0;
  let allRunning!: () => void;
  const subscribed = new Promise<void>((resolve) => (allRunning = resolve));
  const streams = Promise.all(
    Array.from({ length: watchers }, () =>
      watchToEnd(server.client, workflowId, (state) => {
        if (state.type === WorkflowStateType.WORKFLOW_STATE_TYPE_RUNNING && ++running === watchers) allRunning();
        if (state.type === WorkflowStateType.WORKFLOW_STATE_TYPE_SUCCESS) latencies.push(msSince(trigger!));
      }),
    ),
  );
  await Promise.race([subscribed, streams]);
  const writer = await openWriter(fifo);
  trigger = now();
  await writer.write('go\n');
  await writer.close();
  await streams;
  await rm(fifo);
  return { medianMs: median(latencies), lastMs: Math.max(...latencies) };
}

export const watchFanOut: Benchmark = {
  id: 'fanout',
  title: 'WatchState fan-out',
  description:
    'W watchers (`WatchState` from sequence 0 on one channel) follow one workflow whose command blocks on a FIFO. Once every ' +
    'watcher has seen RUNNING, the FIFO is written, the job ends, and each watcher\'s receipt of SUCCESS is timed from ' +
    'that moment, so both sides include the job\'s exit, output collection and the SQLite commit of SUCCESS. ' +
    '"median watcher" compares the median over W watchers of a round with the single watcher\'s latency; "last watcher" ' +
    'compares the slowest of the W. Client and server share one process, so the client\'s decoding of W messages is in ' +
    'the subject too.',
  async run(ctx) {
    const watchers = ctx.quick ? 20 : 100;
    const counts = ctx.quick ? { warmup: 0, iterations: 2 } : { warmup: 1, iterations: 10 };
    ctx.log(`fan-out: ${counts.iterations} rounds of ${watchers} watchers and of 1 watcher`);
    const fifoDir = await mkdtemp(join(tmpdir(), 'fsr-bench-fifo-'));
    // Jobs are confined: the folder is mounted into their sandbox and readable by the job user.
    await chmod(fifoDir, 0o755);
    try {
      return await withServer(['--job-read-only-paths', fifoDir], async (server) => {
        let n = 0;
        const samples = await interleave(
          counts,
          () => round(server, fifoDir, `fan-${watchers}-${n++}`, watchers),
          () => round(server, fifoDir, `fan-1-${n++}`, 1),
        );
        const single = samples.baseline.map((r) => r.medianMs);
        return [
          compare(
            { name: `WatchState fan-out, median watcher`, subject: `median of ${watchers} watchers`, baseline: '1 watcher' },
            { subject: samples.subject.map((r) => r.medianMs), baseline: single },
          ),
          compare(
            { name: `WatchState fan-out, last watcher`, subject: `slowest of ${watchers} watchers`, baseline: '1 watcher' },
            { subject: samples.subject.map((r) => r.lastMs), baseline: single },
          ),
        ];
      });
    } finally {
      await removeDataDir(fifoDir);
    }
  },
};
