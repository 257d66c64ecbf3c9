/**
 * Reflection as grpcurl uses it: list services, fetch the file containing a service, then every
 * dependency by file name, build a registry from what came back, and require every request and
 * response type of every RPC to resolve. Runs for v1 and v1alpha.
 */
import { create, createFileRegistry, fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, FileDescriptorSetSchema, type FileDescriptorProto } from '@bufbuild/protobuf/wkt';
import type { ClientDuplexStream } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteWorkflowServiceService } from '../../../src/gen/flowserv/remote/v1/service.js';
import { defineService } from '../../../src/server/service-adapter.js';
import { reflectionClient } from '../../support/grpc-clients.js';
import { startGrpcServer, type BareGrpcServer } from '../../support/grpc-server.js';

const SERVICE = 'flowserv.remote.v1.RemoteWorkflowService';

interface ReflectionResponse {
  messageResponse: string;
  listServicesResponse?: { service: { name: string }[] };
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
  allExtensionNumbersResponse?: { baseTypeName: string; extensionNumber: number[] };
  errorResponse?: { errorCode: number; errorMessage: string };
}

/** Orders files so that each comes after its imports, as a registry wants them (reflection sends any order). */
function importsFirst(files: ReadonlyMap<string, FileDescriptorProto>): FileDescriptorProto[] {
  const ordered: FileDescriptorProto[] = [];
  const done = new Set<string>();
  const visit = (name: string) => {
    if (done.has(name)) return;
    done.add(name);
    const file = files.get(name);
    if (!file) throw new Error(`reflection did not provide ${name}`);
    file.dependency.forEach(visit);
    ordered.push(file);
  };
  [...files.keys()].forEach(visit);
  return ordered;
}

/** One reflection stream used request by request, as grpcurl does. */
function session(address: string, version: 'v1' | 'v1alpha') {
  const client = reflectionClient(address, version);
  const call = (client.serverReflectionInfo as () => ClientDuplexStream<object, ReflectionResponse>)();
  const waiting: ((r: ReflectionResponse) => void)[] = [];
  call.on('data', (response: ReflectionResponse) => waiting.shift()?.(response));
  call.on('error', () => undefined);
  return {
    ask(request: object): Promise<ReflectionResponse> {
      return new Promise((resolve) => {
        waiting.push(resolve);
        call.write({ host: 'localhost', ...request });
      });
    },
    close() {
      call.end();
      client.close();
    },
  };
}

describe.each(['v1', 'v1alpha'] as const)('server reflection %s', (version) => {
  let server: BareGrpcServer;
  let reflection: ReturnType<typeof session>;
  beforeAll(async () => {
    server = await startGrpcServer({ services: [defineService(RemoteWorkflowServiceService, {})] });
    reflection = session(server.address, version);
  });
  afterAll(async () => {
    reflection?.close();
    await server?.close();
  });

  it('lists our service, health and both reflection versions', async () => {
    const response = await reflection.ask({ listServices: '*' });
    expect(response.listServicesResponse?.service.map((s) => s.name)).toEqual([
      SERVICE,
      'grpc.health.v1.Health',
      'grpc.reflection.v1.ServerReflection',
      'grpc.reflection.v1alpha.ServerReflection',
    ]);
  });

  it('resolves every request and response type of every RPC, walking dependencies by file name', async () => {
    const files = new Map<string, FileDescriptorProto>();
    const take = (response: ReflectionResponse) => {
      expect(response.errorResponse).toBeUndefined();
      for (const bytes of response.fileDescriptorResponse!.fileDescriptorProto) {
        const file = fromBinary(FileDescriptorProtoSchema, bytes);
        files.set(file.name, file);
      }
    };
    take(await reflection.ask({ fileContainingSymbol: SERVICE }));
    // grpcurl asks for each import it does not have yet; ask for every one to check each answers.
    const asked = new Set<string>();
    for (let pending = [...files.values()].flatMap((f) => f.dependency); pending.length > 0; ) {
      const name = pending.shift()!;
      if (asked.has(name)) continue;
      asked.add(name);
      take(await reflection.ask({ fileByFilename: name }));
      pending.push(...files.get(name)!.dependency);
    }
    expect(asked).toContain('google/protobuf/timestamp.proto');

    const registry = createFileRegistry(create(FileDescriptorSetSchema, { file: importsFirst(files) }));
    const service = registry.getService(SERVICE);
    expect(service?.methods.map((m) => m.name)).toEqual(Object.values(RemoteWorkflowServiceService).map((m) => m.path.split('/')[2]));
    for (const method of service!.methods) {
      expect(registry.getMessage(method.input.typeName), method.input.typeName).toBeDefined();
      expect(registry.getMessage(method.output.typeName), method.output.typeName).toBeDefined();
    }
  });

  it('finds the file of a method and of a nested type, and describes health', async () => {
    const byMethod = await reflection.ask({ fileContainingSymbol: `${SERVICE}.CreateWorkflow` });
    const names = byMethod.fileDescriptorResponse!.fileDescriptorProto.map((b) => fromBinary(FileDescriptorProtoSchema, b).name);
    expect(names[0]).toBe('flowserv/remote/v1/service.proto');
    const health = await reflection.ask({ fileContainingSymbol: 'grpc.health.v1.Health' });
    const healthFile = fromBinary(FileDescriptorProtoSchema, health.fileDescriptorResponse!.fileDescriptorProto[0]!);
    expect(healthFile.service.map((s) => s.name)).toEqual(['Health']);
  });

  it('answers NOT_FOUND inside the stream for unknown symbols and files, and keeps the stream usable', async () => {
    expect((await reflection.ask({ fileContainingSymbol: 'no.such.Symbol' })).errorResponse?.errorCode).toBe(5);
    expect((await reflection.ask({ fileByFilename: 'no/such.proto' })).errorResponse?.errorCode).toBe(5);
    expect((await reflection.ask({ listServices: '' })).listServicesResponse).toBeDefined();
  });

  it('reports the extension numbers of a message (none here)', async () => {
    const response = await reflection.ask({ allExtensionNumbersOfType: 'flowserv.remote.v1.CreateWorkflowRequest' });
    expect(response.allExtensionNumbersResponse?.baseTypeName).toBe('flowserv.remote.v1.CreateWorkflowRequest');
    expect(response.allExtensionNumbersResponse?.extensionNumber ?? []).toEqual([]);
    expect((await reflection.ask({ allExtensionNumbersOfType: 'no.such.Message' })).errorResponse?.errorCode).toBe(5);
  });
});
