/**
 * End to end with the server in a process of its own: K one-step `true` workflows submitted at
 * once (each a CreateWorkflow then a WatchState until SUCCESS) through an engine running two at a
 * time, timed until the last is SUCCESS, against K `/bin/sh -c true` spawned two at a time from
 * this process, interleaved. The same rounds give the disk each finished workflow leaves behind:
 * the blocks allocated to its run directory (every directory and file in it), as `du` counts them.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { compare, interleave, median, timeMs, type Benchmark } from './harness.js';
import { runWorkflow, shellWorkflow, spawnShell } from './rpc.js';
import { startServerProcess } from './server-process.js';
import { runPool } from './throughput.js';

/** Engine concurrency of the row (the figure). */
const CONCURRENCY = 2;

/** Bytes allocated on disk to `path` and everything under it (st_blocks × 512, links not followed). */
export async function allocatedBytes(path: string): Promise<number> {
  const info = await lstat(path);
  let total = info.blocks * 512;
  if (info.isDirectory()) {
    for (const name of await readdir(path)) total += await allocatedBytes(join(path, name));
  }
  return total;
}

export const endToEnd: Benchmark = {
  id: 'e2e',
  title: 'End to end, server in its own process',
  description:
    `K one-step \`true\` workflows submitted at once to a \`serve\` process (tsx, production defaults: log cap on, jobs ` +
    `confined where namespaces work) whose local engine runs ${CONCURRENCY} at a time, each a \`CreateWorkflow\` followed by ` +
    `its own \`WatchState\`, timed until the last is SUCCESS; the baseline spawns K \`/bin/sh -c true\` ${CONCURRENCY} at a ` +
    'time from the benchmark process, interleaved with the subject (goal: ratio at most 2.5). The note gives the ' +
    'CPU time of the server\'s main thread per workflow and its share of the round (how busy the event loop was). ' +
    '"disk per finished workflow" is the space allocated to one finished workflow\'s run directory (directories and ' +
    'files, 4 KiB blocks on ext4), the median over the workflows of every round (goal: at most 12 KB).',
  async run(ctx) {
    const k = ctx.quick ? 10 : 200;
    const counts = ctx.quick ? { warmup: 0, iterations: 1 } : { warmup: 1, iterations: 5 };
    ctx.log(`e2e: ${counts.iterations} rounds of ${k} workflows (engine concurrency ${CONCURRENCY})`);
    const server = await startServerProcess(['--local-max-concurrent-jobs', String(CONCURRENCY)]);
    try {
      let round = 0;
      const busy: number[] = [];
      const cpuPerWorkflow: number[] = [];
      const disk: number[] = [];
      const samples = await interleave(
        counts,
        async () => {
          const r = round++;
          const cpuBefore = server.cpuMs();
          const ids: string[] = [];
          const ms = await timeMs(() =>
            Promise.all(Array.from({ length: k }, (_, i) => runWorkflow(server.client, shellWorkflow(`bench-e2e-${r}-${i}`, ['true'])).then((id) => ids.push(id)))),
          );
          const cpu = server.cpuMs() - cpuBefore;
          busy.push(cpu / ms);
          cpuPerWorkflow.push(cpu / k);
          for (const id of ids) disk.push(await allocatedBytes(join(server.dataDir, 'runs', id)));
          ctx.log(`  round ${r}: ${ms.toFixed(0)} ms, server CPU ${(cpu / k).toFixed(2)} ms per workflow`);
          return ms;
        },
        () => timeMs(() => runPool(k, CONCURRENCY, () => spawnShell('true'))),
      );
      const result = compare(
        { name: `${k} workflows end to end, concurrency ${CONCURRENCY}`, subject: `${k} workflows to SUCCESS (serve process)`, baseline: `${k} \`sh -c true\`, ${CONCURRENCY} at a time` },
        samples,
      );
      const diskKb = median(disk) / 1024;
      return [
        {
          ...result,
          note:
            `goal ≤ 2.50×; server main thread ${median(cpuPerWorkflow).toFixed(2)} ms CPU per workflow, busy ${(median(busy) * 100).toFixed(0)} % of the round; ` +
            `disk per finished workflow ${diskKb.toFixed(1)} KB (median of ${disk.length}; goal ≤ 12 KB)`,
        },
      ];
    } finally {
      await server.stop();
    }
  },
};
