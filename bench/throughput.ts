/**
 * Throughput: K trivial workflows submitted at once until all are SUCCESS, against K direct
 * spawns of the same command with the same concurrency limit as the engine's.
 */
import { availableParallelism } from 'node:os';
import { compare, interleave, timed, type Benchmark } from './harness.js';
import { runWorkflow, shellWorkflow, spawnShell } from './rpc.js';
import { withServer } from './server.js';

/** Runs `task(0..count-1)` with at most `limit` in flight; rejects on the first failure. */
export async function runPool(count: number, limit: number, task: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}

export const throughput: Benchmark = {
  id: 'throughput',
  title: 'Throughput',
  description:
    'K workflows running `true` submitted concurrently (K `CreateWorkflow` calls at once, each followed by its own ' +
    '`WatchState`), timed until the last one is SUCCESS; the engine runs at most L at a time and queues the rest as PENDING. ' +
    'The baseline spawns K `/bin/sh -c true` through a pool of L. L is the server default, the number of CPUs.',
  async run(ctx) {
    const k = ctx.quick ? 10 : 50;
    const limit = availableParallelism();
    const counts = ctx.quick ? { warmup: 0, iterations: 2 } : { warmup: 1, iterations: 6 };
    ctx.log(`throughput: ${counts.iterations} batches of ${k} workflows (limit ${limit})`);
    return withServer(['--local-max-concurrent-jobs', String(limit)], async (server) => {
      let batch = 0;
      const samples = await interleave(
        counts,
        timed(async () => {
          const b = batch++;
          await Promise.all(Array.from({ length: k }, (_, i) => runWorkflow(server.client, shellWorkflow(`bench-tp-${b}-${i}`, ['true']))));
        }),
        timed(() => runPool(k, limit, () => spawnShell('true'))),
      );
      const result = compare(
        { name: `Throughput, K=${k}, L=${limit}`, subject: `${k} workflows to SUCCESS`, baseline: `${k} spawns, ${limit} at a time` },
        samples,
      );
      const perSecond = (k * 1000) / result.subjectSummary.medianMs;
      return [{ ...result, note: `${perSecond.toFixed(1)} workflows/s vs ${((k * 1000) / result.baselineSummary.medianMs).toFixed(0)} spawns/s` }];
    });
  },
};
