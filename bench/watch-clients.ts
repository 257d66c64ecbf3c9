/**
 * The watchers of the watcher benchmark, run as their own process so that their decoding is not
 * charged to either server: `tsx bench/watch-clients.ts <address> <workflow id> <watchers> <connections>`
 * opens that many WatchState streams from sequence 0, spread over that many connections (a server
 * allows a bounded number of streams per connection), and prints `ready` once every stream has
 * received a RUNNING state. It then prints one JSON line when every stream has ended:
 * `{ "lastNs": "…", "medianNs": "…" }`, the monotonic clock (shared by all processes on Linux) at
 * the arrival of the last and of the median terminal state.
 */
import { credentials, makeGenericClientConstructor, type Client, type ClientReadableStream } from '@grpc/grpc-js';
import { WatchStateRequest, WatchStateResponse } from '../src/gen/flowserv/remote/v1/service.js';
import { WorkflowStateType } from '../src/gen/flowserv/remote/v1/workflow.js';

const PATH = '/flowserv.remote.v1.RemoteWorkflowService/WatchState';

const [address, workflowId, watchersText, connectionsText] = process.argv.slice(2);
const watchers = Number(watchersText);
const connections = Number(connectionsText);
if (!address || !workflowId || !(watchers > 0) || !(connections > 0)) {
  process.stderr.write('usage: watch-clients.ts <address> <workflow id> <watchers> <connections>\n');
  process.exit(2);
}

type WatchClient = Client & { watch(request: Buffer): ClientReadableStream<Buffer> };
const identity = (b: Buffer) => b;
const Ctor = makeGenericClientConstructor(
  { watch: { path: PATH, requestStream: false, responseStream: true, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity } },
  'Watch',
);
// A local subchannel pool per client: one connection each, not one shared by all.
const clients = Array.from({ length: connections }, () => new Ctor(address, credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 }) as unknown as WatchClient);
const request = Buffer.from(WatchStateRequest.encode({ workflowId, afterSequence: 0, includeProgress: false }).finish());

let running = 0;
let ended = 0;
const arrivals: bigint[] = [];
const RUNNING = WorkflowStateType.WORKFLOW_STATE_TYPE_RUNNING;
const SUCCESS = WorkflowStateType.WORKFLOW_STATE_TYPE_SUCCESS;

function finish(): void {
  arrivals.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (arrivals.length !== watchers) {
    process.stderr.write(`only ${arrivals.length} of ${watchers} watchers saw SUCCESS\n`);
    process.exit(1);
  }
  process.stdout.write(`${JSON.stringify({ lastNs: String(arrivals.at(-1)), medianNs: String(arrivals[Math.floor(arrivals.length / 2)]) })}\n`);
  for (const client of clients) client.close();
}

for (let i = 0; i < watchers; i++) {
  const stream = clients[i % connections]!.watch(request);
  let sawRunning = false;
  stream.on('data', (bytes: Buffer) => {
    const event = WatchStateResponse.decode(bytes).event;
    if (event?.$case !== 'state') return;
    if (event.value.type === SUCCESS) arrivals.push(process.hrtime.bigint());
    else if (event.value.type === RUNNING && !sawRunning) {
      sawRunning = true;
      if (++running === watchers) process.stdout.write('ready\n');
    }
  });
  stream.on('error', (err) => {
    process.stderr.write(`watcher ${i}: ${err.message}\n`);
    process.exit(1);
  });
  stream.on('end', () => {
    if (++ended === watchers) finish();
  });
}
