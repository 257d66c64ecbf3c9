/**
 * The bare grpc-js baseline for the watcher benchmark, run as its own process:
 * `tsx bench/bare-watch-server.ts <method path> <first hex> <last hex>` serves that one
 * server-streaming method on 127.0.0.1, answers every call with the first message's bytes and
 * keeps the stream open; on SIGUSR2 it sends the last message's bytes to every open stream and
 * ends each with OK. It prints its port on stdout. That is the least any grpc-js server must do
 * to hold N watchers and hand each of them one final state.
 */
import { Server, ServerCredentials, type ServerWritableStream, type ServiceDefinition } from '@grpc/grpc-js';

const [path, firstHex, lastHex] = process.argv.slice(2);
if (!path || firstHex === undefined || lastHex === undefined) {
  process.stderr.write('usage: bare-watch-server.ts <method path> <first hex> <last hex>\n');
  process.exit(2);
}
const first = Buffer.from(firstHex, 'hex');
const last = Buffer.from(lastHex, 'hex');
const identity = (b: Buffer) => b;
const definition: ServiceDefinition = {
  watch: {
    path,
    requestStream: false,
    responseStream: true,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};
const open = new Set<ServerWritableStream<Buffer, Buffer>>();
const server = new Server();
server.addService(definition, {
  watch: (call: ServerWritableStream<Buffer, Buffer>) => {
    open.add(call);
    call.on('error', () => open.delete(call));
    call.on('cancelled', () => open.delete(call));
    call.write(first);
  },
});
process.on('SIGUSR2', () => {
  for (const call of open) {
    call.write(last);
    call.end();
  }
  open.clear();
});
server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, port) => {
  if (err) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  process.stdout.write(`${port}\n`);
});
process.on('SIGTERM', () => server.forceShutdown());
