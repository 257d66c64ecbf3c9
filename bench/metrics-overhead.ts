/**
 * What metrics cost: unary RPC throughput of a server with its metrics listener on against an
 * identical server with metrics off, both in this run, interleaved. Each sample is a burst of
 * concurrent calls on a warm channel; the ratio of the times is the inverse of the throughput
 * ratio, which should stay at or above 0.95 (metrics take at most 5% of a unary call's budget).
 */
import type { GetWorkflowStateResponse } from '../src/gen/flowserv/remote/v1/service.js';
import { compare, interleave, timed, type Benchmark } from './harness.js';
import { runWorkflow, shellWorkflow, unary } from './rpc.js';
import { withServer, type BenchServer } from './server.js';
import { runPool } from './throughput.js';

/** Concurrent calls in flight during a burst. */
const CONCURRENCY = 8;

async function burst(server: BenchServer, workflowId: string, calls: number): Promise<void> {
  await runPool(calls, CONCURRENCY, () =>
    unary<GetWorkflowStateResponse>((cb) => server.client.getWorkflowState({ workflowId, currentState: undefined }, cb)),
  );
}

export const metricsOverhead: Benchmark = {
  id: 'metrics',
  title: 'Metrics overhead',
  description:
    `Unary throughput with Prometheus metrics on (\`--metrics-port\`: every call counted and timed by the gRPC metrics ` +
    `interceptor, store writes timed) against the same server with metrics off, each a fresh server started in this run. ` +
    `A sample is a burst of \`GetWorkflowState\` calls on a finished workflow, ${CONCURRENCY} in flight at a time; the note ` +
    'gives the throughput ratio on/off (goal: at least 0.95).',
  async run(ctx) {
    const calls = ctx.quick ? 100 : 1000;
    const counts = ctx.quick ? { warmup: 1, iterations: 4 } : { warmup: 4, iterations: 30 };
    ctx.log(`metrics on vs off: ${counts.iterations} bursts of ${calls} calls each`);
    return withServer(['--metrics-port', '0'], (on) =>
      withServer([], async (off) => {
        const onId = await runWorkflow(on.client, shellWorkflow('bench-metrics-on', ['true']));
        const offId = await runWorkflow(off.client, shellWorkflow('bench-metrics-off', ['true']));
        const samples = await interleave(
          counts,
          timed(() => burst(on, onId, calls)),
          timed(() => burst(off, offId, calls)),
        );
        const result = compare(
          { name: 'Unary throughput, metrics on vs off', subject: `${calls} GetWorkflowState, metrics on`, baseline: 'same, metrics off' },
          samples,
        );
        const rate = (summaryMs: number) => (calls * 1000) / summaryMs;
        const onRate = rate(result.subjectSummary.medianMs);
        const offRate = rate(result.baselineSummary.medianMs);
        return [{ ...result, note: `throughput on/off ${(onRate / offRate).toFixed(3)} (${onRate.toFixed(0)} vs ${offRate.toFixed(0)} calls/s)` }];
      }),
    );
  },
};
