/**
 * The caller of the CreateWorkflow rate benchmark, run as its own process:
 * `tsx bench/create-clients.ts <address> <count> <in flight> <prefix>` sends `count` CreateWorkflow
 * calls of a one-step workflow (distinct run ids), keeping `in flight` outstanding, and prints the
 * elapsed time in ms on stdout once every call has been answered (each answer means the workflow
 * is durably accepted).
 */
import { credentials } from '@grpc/grpc-js';
import { RemoteWorkflowServiceClient } from '../src/gen/flowserv/remote/v1/service.js';
import { createWorkflow, shellWorkflow } from './rpc.js';

const [address, countText, inFlightText, prefix] = process.argv.slice(2);
const count = Number(countText);
const inFlight = Number(inFlightText);
if (!address || !(count > 0) || !(inFlight > 0) || !prefix) {
  process.stderr.write('usage: create-clients.ts <address> <count> <in flight> <prefix>\n');
  process.exit(2);
}
const client = new RemoteWorkflowServiceClient(address, credentials.createInsecure());
// One warm-up call: the connection and the server's first-call work are not part of the rate.
await createWorkflow(client, shellWorkflow(`${prefix}-warm`, ['true']));
let next = 0;
const started = process.hrtime.bigint();
await Promise.all(
  Array.from({ length: inFlight }, async () => {
    while (next < count) {
      const i = next++;
      await createWorkflow(client, shellWorkflow(`${prefix}-${i}`, ['true']));
    }
  }),
);
process.stdout.write(`${Number(process.hrtime.bigint() - started) / 1e6}\n`);
client.close();
