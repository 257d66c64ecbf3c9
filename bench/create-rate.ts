/**
 * CreateWorkflow throughput against its durable floor: a serve process takes `count`
 * CreateWorkflow calls from a separate client process (64 in flight), against a separate process
 * doing `count` times the least a durable accept needs (mkdir + one fsync'd SQLite commit,
 * bench/durable-floor.ts). Fresh processes and data dirs each round, alternating.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compare, interleave, type Benchmark } from './harness.js';
import { spawnServe, untilServing } from './start-up.js';
import { removeDataDir } from './data-dir.js';

const REPO_DIR = fileURLToPath(new URL('..', import.meta.url));
/** Calls the client process keeps outstanding. */
export const IN_FLIGHT = 64;

/** Runs `tsx <script> ...args` and resolves with the number it prints (elapsed ms). */
export async function elapsedOf(script: string, args: readonly string[]): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: REPO_DIR, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`${script} exited with ${code}`);
  return Number(out.trim());
}

async function serviceRound(count: number, round: number): Promise<number> {
  const dataDir = await mkdtemp(join(tmpdir(), 'fsr-bench-create-'));
  const server = await spawnServe(dataDir);
  try {
    await untilServing(server.address, server.child);
    return await elapsedOf('bench/create-clients.ts', [server.address, String(count), String(IN_FLIGHT), `create-${round}`]);
  } finally {
    await server.stop();
    await removeDataDir(dataDir);
  }
}

async function floorRound(count: number): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'fsr-bench-floor-'));
  try {
    return await elapsedOf('bench/durable-floor.ts', [dir, String(count)]);
  } finally {
    await removeDataDir(dir);
  }
}

export const createRate: Benchmark = {
  id: 'create',
  title: 'CreateWorkflow rate against the durable floor (separate processes)',
  description:
    `\`serve\` (tsx, production defaults, a fresh data dir) answering N CreateWorkflow calls of a one-step \`true\` workflow ` +
    `from a separate client process that keeps ${IN_FLIGHT} in flight (after one warm-up call), against a separate process ` +
    'doing N times the least a durable accept needs: mkdir of a run directory and one SQLite commit in WAL mode with ' +
    '`synchronous=FULL` (bench/durable-floor.ts). The engine runs the created workflows meanwhile (2 at a time), as it ' +
    'would in use. The ratio is of times, so the service\'s rate relative to the floor is its inverse (goal: ≥ 0.8×).',
  async run(ctx) {
    const count = ctx.quick ? 20 : 1000;
    const counts = ctx.quick ? { warmup: 0, iterations: 1 } : { warmup: 1, iterations: 5 };
    ctx.log(`${counts.iterations} rounds of ${count} creates and of ${count} floor accepts`);
    let round = 0;
    const samples = await interleave(counts, () => serviceRound(count, round++), () => floorRound(count));
    const row = compare({ name: `CreateWorkflow, ${count} at ${IN_FLIGHT} in flight`, subject: 'serve process', baseline: 'mkdir + fsync\'d SQLite commit each' }, samples);
    const rate = (ms: number) => Math.round((count / ms) * 1000);
    return [{ ...row, note: `${rate(row.subjectSummary.medianMs)} vs ${rate(row.baselineSummary.medianMs)} per s: ${(1 / row.ratio).toFixed(2)}× the floor (goal ≥ 0.8×)` }];
  },
};
