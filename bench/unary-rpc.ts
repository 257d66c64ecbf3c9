/**
 * Unary RPC overhead: our handlers against grpc.health.v1 `Check` on the same server, one call
 * at a time, so the ratio is the cost of our handler, mapping and store on top of the transport
 * and the call adapter that both share.
 */
import type { GetServiceInfoResponse, GetWorkflowStateResponse } from '../src/gen/flowserv/remote/v1/service.js';
import { compare, formatAdded, interleave, timed, type Benchmark } from './harness.js';
import { runWorkflow, shellWorkflow, unary } from './rpc.js';
import { withServer } from './server.js';

export const unaryRpc: Benchmark = {
  id: 'unary',
  title: 'Unary RPC overhead',
  description:
    'Latency of one call at a time on a warm channel. `GetWorkflowState` reads a finished workflow from SQLite and maps it ' +
    'to proto; `GetServiceInfo` reports every engine with its health, probed at most every 2 s (for the local engine a ' +
    'probe checks `/bin/sh` and `/proc` and creates and removes a directory). The baseline, `grpc.health.v1/Check`, answers from memory through the same ' +
    'call adapter, so the ratio is what our handler, mapping and store add to the cheapest possible RPC.',
  async run(ctx) {
    const counts = ctx.quick ? { warmup: 20, iterations: 100 } : { warmup: 300, iterations: 2000 };
    return withServer([], async (server) => {
      const { client } = server;
      const workflowId = await runWorkflow(client, shellWorkflow('bench-unary', ['true']));
      const check = timed(() => server.healthCheck());

      ctx.log(`GetWorkflowState vs Check: ${counts.iterations} calls each`);
      const getState = timed(() =>
        unary<GetWorkflowStateResponse>((cb) => client.getWorkflowState({ workflowId, currentState: undefined }, cb)),
      );
      const state = compare(
        { name: 'GetWorkflowState vs Check', subject: 'GetWorkflowState (SQLite read)', baseline: 'health Check' },
        await interleave(counts, getState, check),
      );

      ctx.log(`GetServiceInfo vs Check: ${counts.iterations} calls each`);
      const getInfo = timed(() => unary<GetServiceInfoResponse>((cb) => client.getServiceInfo({}, cb)));
      const info = compare(
        { name: 'GetServiceInfo vs Check', subject: 'GetServiceInfo (engine health)', baseline: 'health Check' },
        await interleave(counts, getInfo, check),
      );
      return [state, info].map((r) => ({ ...r, note: `${formatAdded(r)} per call` }));
    });
  },
};
