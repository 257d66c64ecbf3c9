/**
 * Before/after of the `e2e` row in one run: `BEFORE_DIR=<checkout of the earlier commit, with node_modules> tsx bench/e2e-before-after.ts`
 * starts `serve` from that checkout and from this one (engine concurrency 2) and rotates them with the `sh -c true`
 * baseline every round (K workflows per round, env K, default 200; ROUNDS measured rounds after one warm-up, default 4).
 * Prints medians, per-round ratios, the servers' main-thread CPU per workflow and the disk per finished workflow as JSON.
 * SERIAL=1: the workflows of a round one after the other and the baseline one at a time (the `roundtrip` row's shape).
 */
import { join } from 'node:path';
import { startServerProcess } from './server-process.js';
import { runWorkflow, shellWorkflow, spawnShell } from './rpc.js';
import { runPool } from './throughput.js';
import { allocatedBytes } from './end-to-end.js';
import { median, timeMs } from './harness.js';
const K = Number(process.env.K ?? 200), ROUNDS = Number(process.env.ROUNDS ?? 4), SERIAL = process.env.SERIAL === '1';
const args = ['--local-max-concurrent-jobs', '2'];
const servers = { before: await startServerProcess(args, process.env.BEFORE_DIR!), after: await startServerProcess(args) };
const out: Record<string, number[]> = { before: [], after: [], baseline: [] };
const cpu: Record<string, number[]> = { before: [], after: [] };
const disk: Record<string, number[]> = { before: [], after: [] };
let r = 0;
async function subject(name: 'before' | 'after') {
  const s = servers[name]; const c0 = s.cpuMs(); const ids: string[] = []; const round = r++;
  const one = (i: number) => runWorkflow(s.client, shellWorkflow(`ab-${name}-${round}-${i}`, ['true'])).then((id) => ids.push(id));
  const ms = await timeMs(() => (SERIAL ? runPool(K, 1, one) : Promise.all(Array.from({ length: K }, (_, i) => one(i)))));
  cpu[name].push((s.cpuMs() - c0) / K);
  for (const id of ids.slice(0, 20)) disk[name].push(await allocatedBytes(join(s.dataDir, 'runs', id)));
  return ms;
}
const base = () => timeMs(() => runPool(K, SERIAL ? 1 : 2, () => spawnShell('true')));
const orders = [['baseline', 'before', 'after'], ['after', 'baseline', 'before'], ['before', 'after', 'baseline']];
for (let i = 0; i <= ROUNDS; i++) {
  const got: Record<string, number> = {};
  for (const what of orders[i % 3]!) got[what] = what === 'baseline' ? await base() : await subject(what as 'before' | 'after');
  if (i === 0) { cpu.before.length = 0; cpu.after.length = 0; continue; }
  for (const k of Object.keys(got)) out[k]!.push(got[k]!);
  console.error(`round ${i}: ${JSON.stringify(got)} ratios before ${(got.before! / got.baseline!).toFixed(2)} after ${(got.after! / got.baseline!).toFixed(2)}`);
}
const m = (a: number[]) => median(a);
console.log(JSON.stringify({
  K, rounds: ROUNDS,
  medianMs: { before: m(out.before!), after: m(out.after!), baseline: m(out.baseline!) },
  ratio: { before: m(out.before!) / m(out.baseline!), after: m(out.after!) / m(out.baseline!) },
  perRoundRatios: { before: out.before!.map((v, i) => +(v / out.baseline![i]!).toFixed(2)), after: out.after!.map((v, i) => +(v / out.baseline![i]!).toFixed(2)) },
  serverCpuMsPerWorkflow: { before: m(cpu.before), after: m(cpu.after) },
  diskKB: { before: m(disk.before) / 1024, after: m(disk.after) / 1024 },
}, null, 1));
await servers.before.stop(); await servers.after.stop();
process.exit(0);
