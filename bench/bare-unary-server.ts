/**
 * The bare grpc-js baseline for unary benchmarks, run as its own process:
 * `tsx bench/bare-unary-server.ts <method path> <response hex>` serves that one method on
 * 127.0.0.1, answering every call with the given bytes (no decoding, no handler work), and prints
 * its port on stdout. It is what any grpc-js server must do to answer the same path with the same
 * bytes, so a service's ratio to it is the service's own cost.
 */
import { Server, ServerCredentials, type ServiceDefinition } from '@grpc/grpc-js';

const [path, hex] = process.argv.slice(2);
if (!path || hex === undefined) {
  process.stderr.write('usage: bare-unary-server.ts <method path> <response hex>\n');
  process.exit(2);
}
const response = Buffer.from(hex, 'hex');
const identity = (b: Buffer) => b;
const definition: ServiceDefinition = {
  call: {
    path,
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};
const server = new Server();
server.addService(definition, {
  call: (_call: unknown, callback: (err: { code: number } | null, value?: Buffer) => void) => callback(null, response),
});
server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, port) => {
  if (err) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  process.stdout.write(`${port}\n`);
});
process.on('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
