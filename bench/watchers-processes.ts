/**
 * Many watchers of one workflow, with the server and the watchers in separate processes: the
 * server's memory per open WatchState stream, and the time from releasing the job to the last
 * watcher holding the terminal state, against a bare grpc-js server (bench/bare-watch-server.ts)
 * that holds the same number of streams and sends each one final message. Subject and baseline
 * alternate, each round with fresh processes.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { credentials } from '@grpc/grpc-js';
import { RemoteWorkflowServiceClient, WatchStateResponse, type GetWorkflowStateResponse } from '../src/gen/flowserv/remote/v1/service.js';
import { WorkflowStateType } from '../src/gen/flowserv/remote/v1/workflow.js';
import { compare, interleave, type Benchmark } from './harness.js';
import { createWorkflow, shellWorkflow, unary } from './rpc.js';
import { spawnServe, untilServing } from './start-up.js';
import { openWriter } from './watch-fan-out.js';
import { removeDataDir } from './data-dir.js';

const REPO_DIR = fileURLToPath(new URL('..', import.meta.url));
const WATCH_PATH = '/flowserv.remote.v1.RemoteWorkflowService/WatchState';
/** Time given to both servers after the last watcher is ready, before their memory is read, in ms. */
const SETTLE_MS = 1000;

/** What one round measures. */
interface Round {
  /** Resident memory added per open stream, in bytes. */
  readonly bytesPerStream: number;
  /** From the release to the last watcher's terminal state, in ms. */
  readonly lastMs: number;
}

const rssBytes = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A process's stdout as lines, one awaited at a time. */
function lines(child: ChildProcess): () => Promise<string> {
  const queue: string[] = [];
  let waiting: ((line: string) => void) | undefined;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (waiting) {
      const wake = waiting;
      waiting = undefined;
      wake(line);
    } else queue.push(line);
  });
  return () => {
    const ready = queue.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise<string>((resolve, reject) => {
      waiting = resolve;
      child.once('exit', (code) => reject(new Error(`${child.spawnargs.join(' ')} exited (${code})`)));
    });
  };
}

/**
 * Opens `watchers` streams from a separate process, reads the server's memory before and after,
 * then calls `release` and waits until every watcher has its terminal state.
 */
async function measure(server: ChildProcess, address: string, workflowId: string, watchers: number, release: () => Promise<void>): Promise<Round> {
  const before = rssBytes(server.pid!);
  const connections = Math.max(1, Math.ceil(watchers / 500));
  const clients = spawn(process.execPath, ['--import', 'tsx', 'bench/watch-clients.ts', address, workflowId, String(watchers), String(connections)], {
    cwd: REPO_DIR,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const next = lines(clients);
    if ((await next()) !== 'ready') throw new Error('watchers did not get ready');
    await pause(SETTLE_MS);
    const after = rssBytes(server.pid!);
    const released = process.hrtime.bigint();
    await release();
    const result = JSON.parse(await next()) as { lastNs: string };
    return { bytesPerStream: (after - before) / watchers, lastMs: Number(BigInt(result.lastNs) - released) / 1e6 };
  } finally {
    if (clients.exitCode === null) {
      clients.kill('SIGTERM');
      await once(clients, 'exit');
    }
  }
}

/** The service: `serve` over a fresh data dir, one workflow blocked on a FIFO until released. */
async function serviceRound(watchers: number): Promise<Round> {
  const dataDir = await mkdtemp(join(tmpdir(), 'fsr-bench-watchers-'));
  // Jobs are confined: the FIFO lies in a folder mounted into their sandbox, readable by the job user.
  const fifoDir = await mkdtemp(join(tmpdir(), 'fsr-bench-watchers-fifo-'));
  await chmod(fifoDir, 0o755);
  const fifo = join(fifoDir, 'release.fifo');
  await promisify(execFile)('mkfifo', [fifo]);
  const server = await spawnServe(dataDir, ['--job-read-only-paths', fifoDir]);
  const client = new RemoteWorkflowServiceClient(server.address, credentials.createInsecure());
  try {
    await untilServing(server.address, server.child);
    const workflowId = await createWorkflow(client, shellWorkflow('watchers', [`cat '${fifo}' > /dev/null`]));
    for (;;) {
      const res = await unary<GetWorkflowStateResponse>((cb) => client.getWorkflowState({ workflowId, currentState: undefined }, cb));
      if (res.state?.type === WorkflowStateType.WORKFLOW_STATE_TYPE_RUNNING) break;
      await pause(10);
    }
    return await measure(server.child, server.address, workflowId, watchers, async () => {
      const writer = await openWriter(fifo);
      await writer.write('go\n');
      await writer.close();
    });
  } finally {
    client.close();
    await server.stop();
    await removeDataDir(dataDir);
    await removeDataDir(fifoDir);
  }
}

/** The messages the bare server sends: a RUNNING state, then a SUCCESS one, as the service encodes them. */
function bareMessages(): { first: Buffer; last: Buffer } {
  const createdAt = new Date();
  const state = (type: WorkflowStateType, sequence: number, extra: object) =>
    Buffer.from(WatchStateResponse.encode({ event: { $case: 'state', value: { type, sequence, createdAt, messages: [], files: [], ...extra } } }).finish());
  return {
    first: state(WorkflowStateType.WORKFLOW_STATE_TYPE_RUNNING, 2, { startedAt: createdAt }),
    last: state(WorkflowStateType.WORKFLOW_STATE_TYPE_SUCCESS, 3, { startedAt: createdAt, finishedAt: createdAt }),
  };
}

/** The baseline: a bare grpc-js process holding the streams, released by SIGUSR2. */
async function bareRound(watchers: number): Promise<Round> {
  const { first, last } = bareMessages();
  const server = spawn(process.execPath, ['--import', 'tsx', 'bench/bare-watch-server.ts', WATCH_PATH, first.toString('hex'), last.toString('hex')], {
    cwd: REPO_DIR,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const port = Number(await lines(server)());
    return await measure(server, `127.0.0.1:${port}`, 'bare', watchers, async () => {
      server.kill('SIGUSR2');
    });
  } finally {
    if (server.exitCode === null) {
      server.kill('SIGTERM');
      await once(server, 'exit');
    }
  }
}

export const watchersProcesses: Benchmark = {
  id: 'watchers',
  title: 'Many watchers against a bare grpc-js server (separate processes)',
  description:
    'W `WatchState` streams (from sequence 0, over W/500 connections) opened by a separate client process on one workflow ' +
    'whose job blocks on a FIFO, against a bare grpc-js server (bench/bare-watch-server.ts) holding W streams of the same ' +
    'method path, each after one RUNNING message. Each round starts fresh server and client processes (`serve` with tsx, ' +
    'production defaults). "memory per stream" is the growth of the server\'s resident memory (VmRSS) from before the ' +
    `watchers connect to ${SETTLE_MS / 1000} s after the last one is ready, divided by W (goal: ≤ 1.3× bare). "release → last ` +
    'watcher" is the time from writing the FIFO (service: the job exits, its SUCCESS is committed and published) or ' +
    'signalling the bare server to the arrival of the last terminal state at the client process, on the system-wide ' +
    'monotonic clock (goal: ≤ 1.3× bare).',
  async run(ctx) {
    const watchers = ctx.quick ? 100 : 10_000;
    const counts = ctx.quick ? { warmup: 0, iterations: 1 } : { warmup: 1, iterations: 3 };
    ctx.log(`${counts.iterations} rounds of ${watchers} watchers, service and bare`);
    const samples = await interleave(counts, () => serviceRound(watchers), () => bareRound(watchers));
    const pick = (key: keyof Round) => ({ subject: samples.subject.map((r) => r[key]), baseline: samples.baseline.map((r) => r[key]) });
    const count = watchers.toLocaleString('en-US');
    return [
      compare({ name: `memory per WatchState stream, ${count} watchers`, subject: 'serve process', baseline: 'bare grpc-js process', unit: 'bytes', note: 'goal ≤ 1.3×' }, pick('bytesPerStream')),
      compare({ name: `${count} watchers: release → last one has SUCCESS`, subject: 'serve process', baseline: 'bare grpc-js process', note: 'goal ≤ 1.3×' }, pick('lastMs')),
    ];
  },
};
