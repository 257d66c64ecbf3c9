/**
 * gRPC server reflection, v1 and v1alpha, answering from raw FileDescriptorProto bytes: the
 * buf-built descriptor set shipped in src/gen (our contract with every import, well-known types
 * included, plus the vendored health and reflection protos). Only the wire messages of
 * reflection itself go through proto-loader.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { loadSync, type Options, type ServiceDefinition } from '@grpc/proto-loader';
import type { CallContext } from './call-context.js';
import type { DescriptorIndex } from './descriptor-index.js';
import type { ServiceRegistration } from './service-adapter.js';

/** Where `npm run generate` writes the descriptor set; `npm run build` copies it next to dist/gen. */
export const DESCRIPTOR_SET_URL = new URL('../gen/descriptor-set.binpb', import.meta.url);

const LOADER_OPTIONS: Options = { keepCase: false, longs: Number, enums: String, defaults: false, oneofs: true };
const require = createRequire(import.meta.url);
const reflectionProtoRoot = path.join(path.dirname(require.resolve('@grpc/reflection/package.json')), 'build', 'proto');
const REFLECTION_VERSIONS = ['v1', 'v1alpha'] as const;

/** Names of the reflection services this module serves. */
export const REFLECTION_SERVICE_NAMES = REFLECTION_VERSIONS.map((v) => `grpc.reflection.${v}.ServerReflection`);

interface ReflectionRequest {
  host?: string;
  messageRequest?: 'fileByFilename' | 'fileContainingSymbol' | 'fileContainingExtension' | 'allExtensionNumbersOfType' | 'listServices';
  fileByFilename?: string;
  fileContainingSymbol?: string;
  fileContainingExtension?: { containingType?: string; extensionNumber?: number };
  allExtensionNumbersOfType?: string;
  listServices?: string;
}

/** grpc status codes used inside reflection's own ErrorResponse. */
const NOT_FOUND = 5;
const INVALID_ARGUMENT = 3;

/** Answers one reflection request; errors go in the response, as the protocol asks. */
export function answerReflectionRequest(index: DescriptorIndex, serviceNames: readonly string[], request: ReflectionRequest): object {
  const base = { validHost: request.host ?? '', originalRequest: request };
  const files = (fileName: string | undefined, what: string) => {
    const found = fileName === undefined ? undefined : index.fileWithDependencies(fileName);
    return found
      ? { ...base, fileDescriptorResponse: { fileDescriptorProto: found.map((b) => Buffer.from(b)) } }
      : { ...base, errorResponse: { errorCode: NOT_FOUND, errorMessage: `${what} not found` } };
  };
  switch (request.messageRequest) {
    case 'listServices':
      return { ...base, listServicesResponse: { service: serviceNames.map((name) => ({ name })) } };
    case 'fileByFilename':
      return files(request.fileByFilename, `file '${request.fileByFilename}'`);
    case 'fileContainingSymbol':
      return files(index.fileContainingSymbol(request.fileContainingSymbol ?? ''), `symbol '${request.fileContainingSymbol}'`);
    case 'fileContainingExtension': {
      const { containingType = '', extensionNumber = 0 } = request.fileContainingExtension ?? {};
      return files(index.fileContainingExtension(containingType, extensionNumber), `extension ${extensionNumber} of '${containingType}'`);
    }
    case 'allExtensionNumbersOfType': {
      const type = request.allExtensionNumbersOfType ?? '';
      const numbers = index.extensionNumbersOf(type);
      return numbers
        ? { ...base, allExtensionNumbersResponse: { baseTypeName: type, extensionNumber: numbers } }
        : { ...base, errorResponse: { errorCode: NOT_FOUND, errorMessage: `message type '${type}' not found` } };
    }
    default:
      return { ...base, errorResponse: { errorCode: INVALID_ARGUMENT, errorMessage: 'no request in ServerReflectionRequest' } };
  }
}

/**
 * The reflection services' own definitions, for serving. Their descriptors (and health's) are NOT
 * taken from proto-loader: protobufjs rebuilds files with map entries named `Statuses` instead of
 * `StatusesEntry` and relative type names, which Python's descriptor pool and grpcurl reject.
 * They come from the buf-built descriptor set instead (vendored under proto-vendor/grpc).
 */
function reflectionDefinitions(): ServiceDefinition[] {
  return REFLECTION_VERSIONS.map((version) => {
    const loaded = loadSync(`grpc/reflection/${version}/reflection.proto`, { ...LOADER_OPTIONS, includeDirs: [reflectionProtoRoot] });
    return loaded[`grpc.reflection.${version}.ServerReflection`] as ServiceDefinition;
  });
}

export interface ReflectionOptions {
  /** A serialized FileDescriptorSet with imports (`buf build --as-file-descriptor-set`). */
  readonly descriptorSet: Uint8Array;
  /** Full names of every service the server registers (listed by list_services). */
  readonly serviceNames: readonly string[];
}

/**
 * The v1 and v1alpha reflection services, both answering from the same index. The index (and the
 * descriptor schema code it parses with) is built on the first reflection call: a server nobody
 * reflects on never holds it.
 */
export function createReflectionServices(options: ReflectionOptions): ServiceRegistration[] {
  let prepared: Promise<{ index: DescriptorIndex; listed: string[] }> | undefined;
  const prepare = () =>
    (prepared ??= import('./descriptor-index.js').then(({ createDescriptorIndex, splitDescriptorSet }) => {
      const index = createDescriptorIndex(splitDescriptorSet(options.descriptorSet));
      const listed = [...new Set([...options.serviceNames, ...REFLECTION_SERVICE_NAMES])].filter((name) => index.hasService(name)).sort();
      return { index, listed };
    }));
  async function* serverReflectionInfo(requests: AsyncIterable<ReflectionRequest>, _ctx: CallContext) {
    const { index, listed } = await prepare();
    for await (const request of requests) yield answerReflectionRequest(index, listed, request);
  }
  return reflectionDefinitions().map((definition) => ({ definition, implementation: { serverReflectionInfo } }));
}

/** Reads the descriptor set shipped with the package (src/gen or dist/gen). */
export function loadDescriptorSet(url: URL = DESCRIPTOR_SET_URL): Uint8Array {
  return readFileSync(url);
}
