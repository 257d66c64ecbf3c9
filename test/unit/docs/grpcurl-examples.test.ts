/**
 * The README's grpcurl section must keep working, and grpcurl cannot run here. So every request
 * body it shows is parsed the way grpcurl parses it (protobuf JSON, unknown fields and bad enum
 * names rejected) against the request type of its method, taken from the descriptor set the
 * server's reflection serves; `describe` symbols and called methods must exist there; shell
 * expansion in here-documents must touch only variables the section defines; and the upload's
 * digest and size must match the content and the file argument that CreateWorkflow uses.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { create, createFileRegistry, fromBinary, fromJson, type FileRegistry, type JsonValue } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { describe, expect, it } from 'vitest';
import { codeBlocks, readmeSection } from './readme.js';
import { grpcurlCommands, jsonMessages, type GrpcurlCommand } from './grpcurl-commands.js';

const DESCRIPTOR_SET = new URL('../../../src/gen/descriptor-set.binpb', import.meta.url);

/**
 * The service's files plus grpc.health.v1's request message. The health file is written out here
 * (one message, one string field) rather than taken from proto-loader, whose descriptors use
 * relative type names that a registry (like grpcurl) refuses.
 */
function registry(): FileRegistry {
  const set = fromBinary(FileDescriptorSetSchema, readFileSync(DESCRIPTOR_SET));
  set.file.push(create(FileDescriptorProtoSchema, {
    name: 'grpc/health/v1/health.proto',
    package: 'grpc.health.v1',
    syntax: 'proto3',
    messageType: [
      { name: 'HealthCheckRequest', field: [{ name: 'service', jsonName: 'service', number: 1, label: 1, type: 9 }] },
      { name: 'HealthCheckResponse' },
    ],
    service: [{
      name: 'Health',
      method: [{ name: 'Check', inputType: '.grpc.health.v1.HealthCheckRequest', outputType: '.grpc.health.v1.HealthCheckResponse' }],
    }],
  }));
  return createFileRegistry(set);
}

/** Methods every reader needs an example of. */
const REQUIRED_METHODS = [
  'grpc.health.v1.Health/Check',
  'flowserv.remote.v1.RemoteWorkflowService/UploadFile',
  'flowserv.remote.v1.RemoteWorkflowService/FindFiles',
  'flowserv.remote.v1.RemoteWorkflowService/CreateWorkflow',
  'flowserv.remote.v1.RemoteWorkflowService/WatchState',
  'flowserv.remote.v1.RemoteWorkflowService/WatchLogs',
  'flowserv.remote.v1.RemoteWorkflowService/GetWorkflowState',
  'flowserv.remote.v1.RemoteWorkflowService/DownloadFile',
  'flowserv.remote.v1.RemoteWorkflowService/StopWorkflow',
];

/** The body as the shell hands it to grpcurl: `$VAR` expanded in unquoted here-documents only. */
function expandShell(command: GrpcurlCommand, defined: ReadonlySet<string>): string {
  const body = command.body ?? '';
  if (command.bodyKind !== 'heredoc') return body;
  return body.replace(/\$(?:\{(\w+)\}|(\w+)|(.))/g, (whole, braced?: string, plain?: string) => {
    const name = braced ?? plain;
    if (name === undefined || !defined.has(name)) {
      throw new Error(`unquoted here-document expands '${whole}' (quote the delimiter: <<'EOF'): ${command.line}`);
    }
    return `value-of-${name}`;
  });
}

function requestType(reg: FileRegistry, method: string) {
  const [serviceName, methodName] = method.split('/');
  const service = reg.getService(serviceName ?? '');
  const found = service?.methods.find((m) => m.name === methodName);
  if (!found) throw new Error(`no method ${method} in the descriptor set`);
  return found;
}

const section = readmeSection('grpcurl');

describe('README grpcurl section', () => {
  it('exists', () => {
    expect(section, 'README.md has no "## grpcurl" section').toBeDefined();
  });

  const scripts = codeBlocks(section ?? '', ['sh', 'bash', 'shell']);
  const commands = scripts.flatMap(grpcurlCommands);
  const defined = new Set(scripts.flatMap((s) => [...s.matchAll(/^\s*(\w+)=/gm)].map((m) => m[1] ?? '')));
  const reg = registry();

  it('shows list, describe and every core method, all with -plaintext 127.0.0.1:50051', () => {
    expect(commands.some((c) => c.verb?.name === 'list')).toBe(true);
    expect(commands.some((c) => c.verb?.name === 'describe')).toBe(true);
    const methods = new Set(commands.map((c) => c.method));
    for (const method of REQUIRED_METHODS) expect(methods, method).toContain(method);
    for (const c of commands) expect(c.line, c.line).toMatch(/-plaintext\b.*\s127\.0\.0\.1:50051\s/);
  });

  it('describes symbols the descriptor set has', () => {
    for (const c of commands.filter((c) => c.verb?.name === 'describe')) {
      const symbol = c.verb?.symbol ?? '';
      expect(reg.getService(symbol) ?? reg.getMessage(symbol), `describe ${symbol}`).toBeDefined();
    }
  });

  it('sends only bodies that parse as the method\'s request type', () => {
    let checked = 0;
    for (const c of commands.filter((c) => c.method !== undefined)) {
      const method = requestType(reg, c.method ?? '');
      if (c.body === undefined) continue;
      const messages = jsonMessages(expandShell(c, defined));
      expect(messages.length, c.line).toBeGreaterThan(0);
      if (method.methodKind !== 'client_streaming') expect(messages.length, `${c.method} takes one message`).toBe(1);
      for (const json of messages) {
        expect(() => fromJson(method.input, json as JsonValue, { registry: reg }), `${c.method}: ${JSON.stringify(json)}`).not.toThrow();
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(REQUIRED_METHODS.length);
  });

  it('rejects what grpcurl would reject (the check can fail)', () => {
    const create = requestType(reg, 'flowserv.remote.v1.RemoteWorkflowService/CreateWorkflow').input;
    expect(() => fromJson(create, { run: { run_idd: 'x' } }, { registry: reg })).toThrow();
    expect(() => fromJson(create, { template: { parameters: [{ dtype: 'FILE' }] } }, { registry: reg })).toThrow();
    expect(() => fromJson(create, { arguments: [{ name: 'a', file: 'x' }] }, { registry: reg })).toThrow();
  });

  it('uploads the very content, digest and size that CreateWorkflow refers to', () => {
    const upload = commands.find((c) => c.method?.endsWith('/UploadFile'));
    const createCmd = commands.find((c) => c.method?.endsWith('/CreateWorkflow'));
    const [header, ...chunks] = jsonMessages(upload?.body ?? '') as [
      { header: { sha256: string; sizeBytes: string } },
      ...{ chunk: string }[],
    ];
    const content = Buffer.concat(chunks.map((c) => Buffer.from(c.chunk, 'base64')));
    const digest = createHash('sha256').update(content).digest('hex');
    expect(header.header.sha256).toBe(digest);
    expect(Number(header.header.sizeBytes)).toBe(content.length);
    const [request] = jsonMessages(createCmd?.body ?? '') as [{ arguments: { file?: { sha256: string } }[] }];
    const fileArgs = request.arguments.filter((a) => a.file !== undefined);
    expect(fileArgs.length).toBeGreaterThan(0);
    for (const arg of fileArgs) expect(arg.file?.sha256).toBe(digest);
  });
});
