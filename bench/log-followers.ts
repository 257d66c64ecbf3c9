/**
 * WatchLogs followers in a process of their own, so that the server's work for them and theirs
 * (decoding, counting) are charged apart: `tsx bench/log-followers.ts ADDRESS`, then lines on
 * stdin. `follow ID N` attaches N followers to workflow ID, each over its own channel (its own
 * connection, like N people following one run) and answers `ready ID` once each has received
 * the first step's output, then `done ID BYTES…` (the second step's stdout bytes each follower
 * received) once every stream has ended. `cpu` answers `cpu MS` (this process, all threads).
 */
import { createInterface } from 'node:readline';
import { credentials } from '@grpc/grpc-js';
import { RemoteWorkflowServiceClient, type WatchLogsResponse } from '../src/gen/flowserv/remote/v1/service.js';
import { processCpuMs } from './server-process.js';

const address = process.argv[2];
if (!address) throw new Error('usage: tsx bench/log-followers.ts HOST:PORT');

/** One follower on its own channel: resolves `ready` on step 0's first chunk, `done` with step 1's stdout bytes. */
function follow(workflowId: string): { ready: Promise<void>; done: Promise<number> } {
  const client = new RemoteWorkflowServiceClient(address!, credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
  const stream = client.watchLogs({ workflowId, follow: true, startOffsets: [], streams: [] });
  let ready!: () => void;
  const readyP = new Promise<void>((resolve) => (ready = resolve));
  let bytes = 0;
  const done = new Promise<number>((resolve, reject) => {
    stream.on('data', (msg: WatchLogsResponse) => {
      if (msg.event?.$case !== 'chunk') return;
      const chunk = msg.event.value;
      if (chunk.stepIndex === 0) ready();
      else if (chunk.stream === 1) bytes += chunk.data.length;
    });
    stream.on('error', reject);
    stream.on('end', () => resolve(bytes));
  }).finally(() => client.close());
  return { ready: readyP, done };
}

const say = (line: string) => process.stdout.write(`${line}\n`);

// stdin closed: exit (normally, so that a CPU profile, if asked for, is written).
createInterface({ input: process.stdin }).on('close', () => process.exit(0)).on('line', (line) => {
  const [verb, id, count] = line.trim().split(/\s+/);
  if (verb === 'cpu') return say(`cpu ${processCpuMs('self')}`);
  if (verb !== 'follow' || !id) return say(`error unknown command: ${line}`);
  const followers = Array.from({ length: Number(count ?? 1) }, () => follow(id));
  void Promise.all(followers.map((f) => f.ready)).then(() => say(`ready ${id}`));
  Promise.all(followers.map((f) => f.done)).then(
    (bytes) => say(`done ${id} ${bytes.join(' ')}`),
    (err: unknown) => say(`error ${id} ${err instanceof Error ? err.message : String(err)}`),
  );
});
