/**
 * Start-up to SERVING against the size of history: the server runs as its own process (the CLI's
 * `serve`, as deployed through tsx), once over a data dir holding 100,000 finished workflows and
 * once over an empty one, interleaved; each sample is the time from spawn until grpc.health.v1
 * answers SERVING. The store is filled fast through the store layer (one transaction, plus each
 * workflow's run directory), then one stored workflow is read back through the API so the row
 * measures a server that sees them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { credentials, makeGenericClientConstructor, type Client, type ServiceError } from '@grpc/grpc-js';
import { service as healthDefinition } from 'grpc-health-check';
import { RemoteWorkflowServiceClient, type GetWorkflowStateResponse } from '../src/gen/flowserv/remote/v1/service.js';
import { WorkflowStateType } from '../src/gen/flowserv/remote/v1/workflow.js';
import { startState, successState } from '../src/model/state.js';
import { openDatabase } from '../src/store/database.js';
import { ANONYMOUS_OWNER } from '../src/model/owner.js';
import { createSqliteWorkflowStore } from '../src/store/sqlite-workflow-store.js';
import { compare, formatMs, interleave, type Benchmark } from './harness.js';
import { unary } from './rpc.js';
import { removeDataDir } from './data-dir.js';

const REPO_DIR = fileURLToPath(new URL('..', import.meta.url));

type HealthClient = Client & {
  check(request: { service: string }, options: { deadline: number }, callback: (err: ServiceError | null, response?: { status: string }) => void): void;
};

/**
 * Stores `count` finished one-step workflows directly through the store. Every write is asked
 * for in one turn of the event loop, so the store's group commit puts them in one transaction.
 */
export async function fillStore(dataDir: string, count: number): Promise<string> {
  const db = openDatabase(join(dataDir, 'flowserv.db'));
  const store = createSqliteWorkflowStore(db);
  let lastId = '';
  const writes: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const workflowId = i.toString(16).padStart(32, '0');
    const base = join(dataDir, 'runs', workflowId);
    // A finished workflow keeps its run directory: a start-up that scanned them would pay for each.
    // (The run directory is also the runner's control directory.)
    mkdirSync(join(base, 'work'), { recursive: true });
    writes.push(store.insert({
      workflowId,
      owner: ANONYMOUS_OWNER,
      runId: `filled-${i}`,
      engine: 'local',
      labels: { sweep: 'bench' },
      payloadHash: 'x',
      outputFiles: [],
      job: { workflowId, workDir: join(base, 'work'), controlDir: base, steps: [{ name: 'main', commands: ['true'] }] },
      createdAt: new Date(Date.UTC(2026, 0, 1) + i),
    }));
    writes.push(store.setHandle(workflowId, { engine: 'local', externalId: String(i), workDir: join(base, 'work'), controlDir: base }));
    const at = new Date(Date.UTC(2026, 0, 1) + i);
    writes.push(store.appendState(workflowId, startState({ createdAt: at }, at)));
    writes.push(store.appendState(workflowId, successState({ createdAt: at }, at), { jobDone: true }));
    lastId = workflowId;
  }
  await Promise.all(writes);
  db.close();
  return lastId;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

/**
 * Resolves once the server at `address` answers SERVING (polled, each probe bounded at 1 s). The
 * probe's channel retries a refused connection after 10 ms: grpc-js's default first reconnect
 * backoff (1 s) would otherwise be measured instead of the server.
 */
export async function untilServing(address: string, child: ChildProcess): Promise<void> {
  const Ctor = makeGenericClientConstructor(healthDefinition, 'grpc.health.v1.Health');
  const health = new Ctor(address, credentials.createInsecure(), {
    'grpc.initial_reconnect_backoff_ms': 10,
    'grpc.max_reconnect_backoff_ms': 10,
  }) as unknown as HealthClient;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before SERVING`);
      const serving = await new Promise<boolean>((resolve) => {
        health.check({ service: '' }, { deadline: Date.now() + 1000 }, (err, res) => resolve(!err && res?.status === 'SERVING'));
      });
      if (serving) return;
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    health.close();
  }
}

/** A `serve` process on a free loopback port. */
export interface ServeProcess {
  readonly address: string;
  readonly child: ChildProcess;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

/**
 * Spawns `serve` (through tsx, as the npm bin runs it) over `dataDir` with the access log off;
 * from `repoDir`, another checkout with its node_modules, for before/after runs.
 */
export async function spawnServe(dataDir: string, args: readonly string[] = [], repoDir = REPO_DIR): Promise<ServeProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', String(port), '--data-dir', dataDir, '--log-level', 'warn', ...args], {
    cwd: repoDir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return {
    address: `127.0.0.1:${port}`,
    child,
    async stop() {
      const exited = child.exitCode === null ? once(child, 'exit') : Promise.resolve();
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Spawns `serve` over `dataDir`, times spawn → SERVING, runs `check` while up, then stops it. */
async function timeStartUp(dataDir: string, check?: (address: string) => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  const server = await spawnServe(dataDir);
  try {
    await untilServing(server.address, server.child);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (check) await check(server.address);
    return ms;
  } finally {
    await server.stop();
  }
}

/** Reads a filled workflow back through the API: the server must see the stored history. */
async function expectFinished(address: string, workflowId: string): Promise<void> {
  const client = new RemoteWorkflowServiceClient(address, credentials.createInsecure());
  try {
    const res = await unary<GetWorkflowStateResponse>((cb) => client.getWorkflowState({ workflowId, currentState: undefined }, cb));
    if (res.state?.type !== WorkflowStateType.WORKFLOW_STATE_TYPE_SUCCESS) throw new Error(`filled workflow ${workflowId} is not SUCCESS`);
  } finally {
    client.close();
  }
}

export const startUp: Benchmark = {
  id: 'startup',
  title: 'Start-up against stored history',
  description:
    'Time from spawning `serve` (tsx, as the npm bin runs it) to grpc.health.v1 answering SERVING, with 100,000 finished workflows ' +
    'stored (filled through the store layer with their run directories, one read back through the API; that first start also does the one-time sweep of the earlier layout and is not timed) against an empty data dir, interleaved. Goal: the ' +
    'ratio stays near 1 and the absolute time under 1 s (the absolute figure includes tsx compiling the sources on a loaded machine).',
  async run(ctx) {
    const count = ctx.quick ? 2_000 : 100_000;
    const counts = ctx.quick ? { warmup: 0, iterations: 1 } : { warmup: 1, iterations: 5 };
    const empty = await mkdtemp(join(tmpdir(), 'fsr-bench-start-0-'));
    const filled = await mkdtemp(join(tmpdir(), 'fsr-bench-start-n-'));
    try {
      ctx.log(`filling a store with ${count} finished workflows`);
      const fillStart = Date.now();
      const lastId = await fillStore(filled, count);
      ctx.log(`filled in ${((Date.now() - fillStart) / 1000).toFixed(1)} s; ${counts.iterations} start-ups each`);
      await timeStartUp(filled, (address) => expectFinished(address, lastId));
      const samples = await interleave(counts, () => timeStartUp(filled), () => timeStartUp(empty));
      const row = compare(
        { name: `start-up with ${count.toLocaleString('en')} stored vs empty`, subject: `${count.toLocaleString('en')} workflows stored`, baseline: 'empty data dir' },
        samples,
      );
      return [{ ...row, note: `to SERVING: ${formatMs(row.subjectSummary.medianMs)} (empty: ${formatMs(row.baselineSummary.medianMs)})` }];
    } finally {
      await removeDataDir(empty);
      await removeDataDir(filled);
    }
  },
};
