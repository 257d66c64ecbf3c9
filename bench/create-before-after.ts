/**
 * Before/after of the `create` row in one run:
 * `BEFORE_DIR=<checkout of the earlier commit, with node_modules> tsx bench/create-before-after.ts`
 * takes N CreateWorkflow calls (env COUNT, default 1000; 64 in flight, from a client process of
 * its own) on a fresh `serve` from that checkout and one from this checkout, and runs the durable
 * floor (bench/durable-floor.ts), the three rotating order every round (ROUNDS measured rounds
 * after one warm-up, default 5). Prints medians, per-round ratios to the floor and each server's
 * main-thread CPU per create as JSON.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './harness.js';
import { elapsedOf, IN_FLIGHT } from './create-rate.js';
import { spawnServe, untilServing } from './start-up.js';

const REPO_DIR = fileURLToPath(new URL('..', import.meta.url));
const COUNT = Number(process.env.COUNT ?? 1000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const BEFORE_DIR = process.env.BEFORE_DIR;
if (!BEFORE_DIR) throw new Error('set BEFORE_DIR to a checkout of the earlier commit (with node_modules)');
const dirs = { before: BEFORE_DIR, after: REPO_DIR };

/** Main-thread CPU time of `pid` so far, in ms. */
const cpuMs = (pid: number) => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;

async function serviceRound(name: 'before' | 'after', round: number): Promise<{ ms: number; cpuPerCreate: number }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'fsr-bench-create-'));
  const server = await spawnServe(dataDir, [], dirs[name]);
  try {
    await untilServing(server.address, server.child);
    const cpu0 = cpuMs(server.child.pid!);
    const ms = await elapsedOf('bench/create-clients.ts', [server.address, String(COUNT), String(IN_FLIGHT), `${name}-${round}`]);
    return { ms, cpuPerCreate: (cpuMs(server.child.pid!) - cpu0) / COUNT };
  } finally {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  }
}

async function floorRound(): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'fsr-bench-floor-'));
  try {
    return await elapsedOf('bench/durable-floor.ts', [dir, String(COUNT)]);
  } finally {
    await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  }
}

const out: Record<'before' | 'after' | 'floor', number[]> = { before: [], after: [], floor: [] };
const cpu: Record<'before' | 'after', number[]> = { before: [], after: [] };
const orders = [['floor', 'before', 'after'], ['after', 'floor', 'before'], ['before', 'after', 'floor']] as const;
for (let i = 0; i <= ROUNDS; i++) {
  const got: Partial<Record<'before' | 'after' | 'floor', number>> = {};
  for (const what of orders[i % 3]!) {
    if (what === 'floor') got.floor = await floorRound();
    else {
      const { ms, cpuPerCreate } = await serviceRound(what, i);
      got[what] = ms;
      if (i > 0) cpu[what].push(cpuPerCreate);
    }
  }
  if (i === 0) continue;
  for (const k of ['before', 'after', 'floor'] as const) out[k].push(got[k]!);
  process.stderr.write(`round ${i}: ${JSON.stringify(got)} rate vs floor: before ${(got.floor! / got.before!).toFixed(2)} after ${(got.floor! / got.after!).toFixed(2)}\n`);
}
const rate = (ms: number) => Math.round((COUNT / ms) * 1000);
console.log(
  JSON.stringify(
    {
      count: COUNT,
      rounds: ROUNDS,
      medianMs: { before: median(out.before), after: median(out.after), floor: median(out.floor) },
      perSecond: { before: rate(median(out.before)), after: rate(median(out.after)), floor: rate(median(out.floor)) },
      rateVsFloor: { before: median(out.floor) / median(out.before), after: median(out.floor) / median(out.after) },
      perRoundRateVsFloor: {
        before: out.before.map((v, i) => +(out.floor[i]! / v).toFixed(2)),
        after: out.after.map((v, i) => +(out.floor[i]! / v).toFixed(2)),
      },
      serverCpuMsPerCreate: { before: median(cpu.before), after: median(cpu.after) },
    },
    null,
    1,
  ),
);
