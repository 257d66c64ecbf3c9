/**
 * The bare grpc-js baseline for the idle-memory benchmark, run as its own process with plain
 * node (no loader): `node bench/bare-idle-server.mjs <build dir>` registers the same services the
 * production server serves — RemoteWorkflowService from the build's generated code, grpc.health.v1
 * and both server reflection versions (their protos through proto-loader) — with handlers that
 * answer UNIMPLEMENTED, binds 127.0.0.1:0 and prints its port. It is what any grpc-js server with
 * these protos costs at rest.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadPackageDefinition, Server, ServerCredentials, status } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { service as healthService } from 'grpc-health-check';

const buildDir = process.argv[2];
if (!buildDir) {
  process.stderr.write('usage: bare-idle-server.mjs <build dir>\n');
  process.exit(2);
}
const generated = pathToFileURL(path.resolve(buildDir, 'gen/flowserv/remote/v1/service.js')).href;
const { RemoteWorkflowServiceService } = await import(generated);
const require = createRequire(import.meta.url);
const reflectionProtos = path.join(path.dirname(require.resolve('@grpc/reflection/package.json')), 'build', 'proto');

const unimplemented = (definition) =>
  Object.fromEntries(Object.keys(definition).map((name) => [name, (call, callback) => (callback ? callback({ code: status.UNIMPLEMENTED }) : call.emit('error', { code: status.UNIMPLEMENTED }))]));
const server = new Server();
server.addService(RemoteWorkflowServiceService, unimplemented(RemoteWorkflowServiceService));
server.addService(healthService, unimplemented(healthService));
for (const version of ['v1', 'v1alpha']) {
  const loaded = loadPackageDefinition(loadSync(`grpc/reflection/${version}/reflection.proto`, { includeDirs: [reflectionProtos] }));
  const definition = loaded.grpc.reflection[version].ServerReflection.service;
  server.addService(definition, unimplemented(definition));
}
server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, port) => {
  if (err) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  process.stdout.write(`${port}\n`);
});
process.on('SIGTERM', () => server.forceShutdown());
