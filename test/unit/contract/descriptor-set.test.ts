/**
 * The committed descriptor set is what the reflection service serves, file by file. These tests
 * resolve it the way grpcurl does (file containing the service symbol, then each dependency by
 * file name) and check that every RPC and every type it mentions resolves, and that it agrees
 * with the ts-proto service definition the server registers.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { create, createFileRegistry, fromBinary, type DescMessage, type FileRegistry } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema, type FileDescriptorProto } from '@bufbuild/protobuf/wkt';
import { beforeAll, describe, expect, it } from 'vitest';
import { RemoteWorkflowServiceService } from '../../../src/gen/flowserv/remote/v1/service.js';

const DESCRIPTOR_SET = fileURLToPath(new URL('../../../src/gen/descriptor-set.binpb', import.meta.url));
const SERVICE = 'flowserv.remote.v1.RemoteWorkflowService';

const EXPECTED_METHODS: Record<string, string> = {
  CreateWorkflow: 'unary',
  GetWorkflowState: 'unary',
  StopWorkflow: 'unary',
  WatchState: 'server_streaming',
  WatchLogs: 'server_streaming',
  UploadFile: 'client_streaming',
  FindFiles: 'unary',
  DownloadFile: 'server_streaming',
  GetWorkflow: 'unary',
  ListWorkflows: 'unary',
  GetServiceInfo: 'unary',
};

let files: Map<string, FileDescriptorProto>;
let registry: FileRegistry;
let requested: string[];

/** Like grpcurl's file_containing_symbol: the file that declares the fully-qualified service. */
function fileContainingService(name: string): FileDescriptorProto {
  const found = [...files.values()].find((f) => f.service.some((s) => `${f.package}.${s.name}` === name));
  if (!found) throw new Error(`no file declares ${name}`);
  return found;
}

/**
 * Like grpcurl's file_by_filename loop: fetch each dependency by name, depth first, and return
 * the files dependencies-first. (createFileRegistry's own resolver overload mis-orders diamond
 * imports such as service → files and service → workflow → files, in @bufbuild/protobuf 2.17.)
 */
function fetchWithDependencies(root: FileDescriptorProto, fetch: (name: string) => FileDescriptorProto | undefined) {
  const ordered: FileDescriptorProto[] = [];
  const visited = new Set<string>();
  const visit = (file: FileDescriptorProto): void => {
    if (visited.has(file.name)) return;
    visited.add(file.name);
    for (const name of file.dependency) {
      const dep = fetch(name);
      if (!dep) throw new Error(`${file.name} imports ${name}, which the descriptor set lacks`);
      visit(dep);
    }
    ordered.push(file);
  };
  visit(root);
  return ordered;
}

/** Every message reachable from `root` through fields, so nested types are checked too. */
function reachableMessages(root: DescMessage, seen = new Set<string>()): Set<string> {
  if (seen.has(root.typeName)) return seen;
  seen.add(root.typeName);
  for (const field of root.fields) {
    if (field.message) reachableMessages(field.message, seen);
  }
  return seen;
}

beforeAll(() => {
  const set = fromBinary(FileDescriptorSetSchema, readFileSync(DESCRIPTOR_SET));
  files = new Map(set.file.map((f) => [f.name, f]));
  requested = [];
  const fetched = fetchWithDependencies(fileContainingService(SERVICE), (name) => {
    requested.push(name);
    return files.get(name);
  });
  registry = createFileRegistry(create(FileDescriptorSetSchema, { file: fetched }));
});

describe('descriptor set', () => {
  it('includes every imported file, well-known types included', () => {
    for (const file of files.values()) {
      for (const dep of file.dependency) expect(files.has(dep), `${file.name} imports ${dep}`).toBe(true);
    }
    expect([...files.keys()]).toEqual(
      expect.arrayContaining([
        'flowserv/remote/v1/service.proto',
        'google/protobuf/struct.proto',
        'google/protobuf/timestamp.proto',
        'google/protobuf/duration.proto',
        'google/rpc/status.proto',
        'google/rpc/error_details.proto',
      ]),
    );
  });

  it('resolves the service from its file and its dependencies by name', () => {
    expect(requested).toEqual(expect.arrayContaining(['flowserv/remote/v1/workflow.proto', 'google/protobuf/struct.proto']));
    const service = registry.getService(SERVICE);
    expect(service).toBeDefined();
    const kinds = Object.fromEntries(service!.methods.map((m) => [m.name, m.methodKind]));
    expect(kinds).toEqual(EXPECTED_METHODS);
  });

  it('resolves the request and response type of every method, and every type they reach', () => {
    const service = registry.getService(SERVICE)!;
    for (const method of service.methods) {
      expect(method.input.typeName).toBe(`flowserv.remote.v1.${method.name}Request`);
      expect(method.output.typeName).toBe(`flowserv.remote.v1.${method.name}Response`);
      for (const typeName of [...reachableMessages(method.input), ...reachableMessages(method.output)]) {
        expect(registry.getMessage(typeName), typeName).toBeDefined();
      }
    }
    expect(registry.getMessage('google.protobuf.Value')).toBeDefined();
    expect(registry.getEnum('flowserv.remote.v1.WorkflowStateType')).toBeDefined();
  });

  it('resolves the google.rpc error detail types', () => {
    const rpc = createFileRegistry(set());
    for (const name of ['google.rpc.Status', 'google.rpc.ErrorInfo', 'google.rpc.BadRequest']) {
      expect(rpc.getMessage(name), name).toBeDefined();
    }
    expect(rpc.getMessage('google.rpc.BadRequest.FieldViolation')?.fields.map((f) => f.name)).toEqual([
      'field',
      'description',
      'reason',
      'localized_message',
    ]);
  });

  it('keeps comments (source info), and every RPC comment lists its status codes', () => {
    const file = fileContainingService(SERVICE);
    const service = registry.getService(SERVICE)!;
    const locations = file.sourceCodeInfo?.location ?? [];
    const serviceIndex = file.service.findIndex((s) => s.name === 'RemoteWorkflowService');
    service.methods.forEach((method, i) => {
      // path: service (6), index, method (2), index
      const location = locations.find((l) => l.path.join('.') === `6.${serviceIndex}.2.${i}`);
      expect(location?.leadingComments, method.name).toMatch(new RegExp(`^ ${method.name} `));
      expect(location?.leadingComments, method.name).toMatch(/Returns: OK;/);
    });
  });

  it('agrees with the ts-proto grpc-js service definition', () => {
    const service = registry.getService(SERVICE)!;
    const generated = Object.values(RemoteWorkflowServiceService);
    expect(generated.map((d) => d.path).sort()).toEqual(service.methods.map((m) => `/${SERVICE}/${m.name}`).sort());
    for (const method of service.methods) {
      const def = generated.find((d) => d.path === `/${SERVICE}/${method.name}`)!;
      expect(def.requestStream, method.name).toBe(method.methodKind === 'client_streaming' || method.methodKind === 'bidi_streaming');
      expect(def.responseStream, method.name).toBe(method.methodKind === 'server_streaming' || method.methodKind === 'bidi_streaming');
    }
  });
});

function set() {
  return fromBinary(FileDescriptorSetSchema, readFileSync(DESCRIPTOR_SET));
}
