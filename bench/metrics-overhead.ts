/**
 * What metrics cost: unary RPC bursts against a server process with its metrics listener on and
 * an identical server process with metrics off, both started in this run, interleaved. A sample
 * is the CPU time the server's main thread spends on one burst: each server is charged only its
 * own work (no shared event loop with the client or the other server), and CPU time does not
 * grow when other work on a shared machine takes the cores, as wall time does. The CPU ratio
 * on/off is the inverse of the throughput ratio a CPU-bound server reaches (goal: >= 0.95).
 */
import type { GetWorkflowStateResponse } from '../src/gen/flowserv/remote/v1/service.js';
import { compare, interleave, type Benchmark } from './harness.js';
import { runWorkflow, shellWorkflow, unary } from './rpc.js';
import { startServerProcess, type ServerProcess } from './server-process.js';
import { runPool } from './throughput.js';

/** Concurrent calls in flight during a burst. */
const CONCURRENCY = 8;

/** Server main-thread CPU milliseconds for `calls` GetWorkflowState calls. */
async function burstCpuMs(server: ServerProcess, workflowId: string, calls: number): Promise<number> {
  const before = server.cpuMs();
  await runPool(calls, CONCURRENCY, () =>
    unary<GetWorkflowStateResponse>((cb) => server.client.getWorkflowState({ workflowId, currentState: undefined }, cb)),
  );
  return server.cpuMs() - before;
}

export const metricsOverhead: Benchmark = {
  id: 'metrics',
  title: 'Metrics overhead',
  description:
    'Unary calls to a server process with Prometheus metrics on (`--metrics-port`: every call counted and timed by the ' +
    'gRPC metrics observer, store writes timed) and to the same server with metrics off, two fresh processes started ' +
    `in this run. A sample is a burst of \`GetWorkflowState\` calls on a finished workflow, ${CONCURRENCY} in flight at a ` +
    "time, measured as the CPU time of the server's main thread (from /proc), which other load on the machine does not " +
    'inflate as it does wall time. The note gives the throughput ratio on/off a CPU-bound server reaches (goal: at least 0.95).',
  async run(ctx) {
    const calls = ctx.quick ? 100 : 500;
    const counts = ctx.quick ? { warmup: 1, iterations: 4 } : { warmup: 6, iterations: 60 };
    ctx.log(`metrics on vs off: ${counts.iterations} bursts of ${calls} calls to each server process`);
    const on = await startServerProcess(['--metrics-port', '0']);
    const off = await startServerProcess([]);
    try {
      const onId = await runWorkflow(on.client, shellWorkflow('bench-metrics-on', ['true']));
      const offId = await runWorkflow(off.client, shellWorkflow('bench-metrics-off', ['true']));
      const samples = await interleave(
        counts,
        () => burstCpuMs(on, onId, calls),
        () => burstCpuMs(off, offId, calls),
      );
      const result = compare(
        { name: 'Unary throughput, metrics on vs off', subject: `${calls} GetWorkflowState, metrics on (server CPU)`, baseline: 'same, metrics off' },
        samples,
      );
      return [{ ...result, note: `throughput on/off ${(1 / result.ratio).toFixed(3)} (CPU-bound server)` }];
    } finally {
      await Promise.all([on.stop(), off.stop()]);
    }
  },
};
