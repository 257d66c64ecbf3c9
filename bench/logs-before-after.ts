/**
 * Before/after of the `logs` printing row in one run: `BEFORE_DIR=<checkout of the earlier commit, with node_modules>
 * tsx bench/logs-before-after.ts` starts `serve` (and a follower process) from that checkout and from this one, and
 * rotates four kinds of round: each server's 50 MB step with 10 followers and with none (ROUNDS measured rounds of
 * each after one warm-up, default 12). Both versions meet the same load, so their ratios compare, which two runs
 * minutes apart on a shared machine do not. Prints each version's ratio of medians, the spread of its pairs' ratios,
 * and the CPU its server and follower process used during the steps (median per step, and per second of step), as JSON.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFollowerProcess } from './follower-process.js';
import { median, percentile } from './harness.js';
import { printRound, type PrintRound } from './live-logs.js';
import { startServerProcess } from './server-process.js';

const ROUNDS = Number(process.env.ROUNDS ?? 12);
const BYTES = 50_000_000;
const fifoDir = await mkdtemp(join(tmpdir(), 'fsr-bench-logs-ab-'));
await chmod(fifoDir, 0o755);
const args = ['--job-read-only-paths', fifoDir];
const sides = { before: await startServerProcess(args, process.env.BEFORE_DIR!), after: await startServerProcess(args) };
const followers = { before: await startFollowerProcess(sides.before.address), after: await startFollowerProcess(sides.after.address) };
const kinds = [['before', 10], ['before', 0], ['after', 10], ['after', 0]] as const;
const rounds = new Map<string, PrintRound[]>(kinds.map(([side, n]) => [`${side} ${n}`, []]));
let id = 0;
try {
  for (let i = 0; i <= ROUNDS; i++) {
    // Each round starts at another kind, every other one in reverse order.
    const order = kinds.map((_, k) => kinds[(k + i) % kinds.length]!);
    if (i % 2 === 1) order.reverse();
    for (const [side, n] of order) {
      const round = await printRound(sides[side], followers[side], fifoDir, `ab-${id++}`, BYTES, n);
      if (i > 0) rounds.get(`${side} ${n}`)!.push(round);
    }
  }
} finally {
  for (const side of ['before', 'after'] as const) {
    await followers[side].stop();
    await sides[side].stop();
  }
  await rm(fifoDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
}
const perSecond = (rs: readonly PrintRound[], key: 'serverStepCpuMs' | 'followersStepCpuMs') =>
  (1000 * rs.reduce((sum, r) => sum + r[key], 0)) / rs.reduce((sum, r) => sum + r.stepMs, 0);
const result = Object.fromEntries(
  (['before', 'after'] as const).map((side) => {
    const [withF, without] = [rounds.get(`${side} 10`)!, rounds.get(`${side} 0`)!];
    const pairs = withF.map((r, i) => r.stepMs / without[i]!.stepMs);
    return [side, {
      ratioOfMedians: median(withF.map((r) => r.stepMs)) / median(without.map((r) => r.stepMs)),
      pairRatios: { median: median(pairs), p25: percentile(pairs, 25), p75: percentile(pairs, 75) },
      stepMs: { followers: withF.map((r) => Math.round(r.stepMs)), none: without.map((r) => Math.round(r.stepMs)) },
      serverStepCpuMs: { median: median(withF.map((r) => r.serverStepCpuMs)), each: withF.map((r) => Math.round(r.serverStepCpuMs * 10) / 10) },
      followerProcessStepCpuMs: median(withF.map((r) => r.followersStepCpuMs)),
      serverCpuMsPerStepSecond: perSecond(withF, 'serverStepCpuMs'),
      followerProcessCpuMsPerStepSecond: perSecond(withF, 'followersStepCpuMs'),
    }];
  }),
);
console.log(JSON.stringify(result, null, 2));
