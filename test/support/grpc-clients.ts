/**
 * Real grpc-js clients of the services the server offers besides its own: grpc.health.v1 and
 * server reflection (v1 and v1alpha), built from proto-loader definitions (enums as strings),
 * plus the generated RemoteWorkflowService client, all over plaintext to a test address.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { credentials, loadPackageDefinition, makeGenericClientConstructor, type Client } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { service as healthService } from 'grpc-health-check';
import { RemoteWorkflowServiceClient } from '../../src/gen/flowserv/remote/v1/service.js';

/** A client whose methods are looked up by name (see `unary` in grpc-calls.ts). */
export type UntypedClient = Client & Record<string, (...args: unknown[]) => unknown>;

/** A grpc.health.v1 client. */
export function healthClient(address: string): UntypedClient {
  const Ctor = makeGenericClientConstructor(healthService, 'grpc.health.v1.Health');
  return new Ctor(address, credentials.createInsecure()) as UntypedClient;
}

/** The generated RemoteWorkflowService client. */
export function remoteClient(address: string): RemoteWorkflowServiceClient {
  return new RemoteWorkflowServiceClient(address, credentials.createInsecure());
}

const require = createRequire(import.meta.url);
const reflectionRoot = path.join(path.dirname(require.resolve('@grpc/reflection/package.json')), 'build', 'proto');

/** A reflection client for `version` (v1 or v1alpha), messages decoded with proto-loader. */
export function reflectionClient(address: string, version: 'v1' | 'v1alpha'): UntypedClient {
  const definition = loadSync(`grpc/reflection/${version}/reflection.proto`, {
    includeDirs: [reflectionRoot],
    keepCase: false,
    longs: Number,
    enums: String,
    oneofs: true,
  });
  const loaded = loadPackageDefinition(definition) as unknown as {
    grpc: { reflection: Record<string, { ServerReflection: new (address: string, creds: unknown) => Client }> };
  };
  const Ctor = loaded.grpc.reflection[version]!.ServerReflection;
  return new Ctor(address, credentials.createInsecure()) as UntypedClient;
}
