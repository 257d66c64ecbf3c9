/**
 * Undecodable requests (issue 16, item 3): bad wire bytes, an int64 above 2^53 and a Struct
 * nested 40 deep, on unary, server-stream and client-stream methods, against a real server
 * process. Each answers INVALID_ARGUMENT with ErrorInfo reason MALFORMED_REQUEST, the access log
 * records that code (not CANCELLED), and the server keeps serving.
 */
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { credentials, makeGenericClientConstructor, status as Code, type Client, type ServiceError } from '@grpc/grpc-js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateWorkflowRequest } from '../../src/gen/flowserv/remote/v1/service.js';
import { decodeStatusDetails } from '../../src/wire/status-details.js';
import { shellRequest } from '../support/shell-request.js';
import { spawnServerProcess, type ServerProcess } from '../support/server-process.js';

const SERVICE = 'flowserv.remote.v1.RemoteWorkflowService';
const identity = (b: Buffer) => b;

type Kind = 'unary' | 'server' | 'client';
type RawClient = Client & Record<string, (...args: unknown[]) => unknown>;

function rawClient(address: string): RawClient {
  const method = (path: string, kind: Kind) => ({
    path, requestStream: kind === 'client', responseStream: kind === 'server',
    requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity,
  });
  const Ctor = makeGenericClientConstructor({
    GetWorkflow: method(`/${SERVICE}/GetWorkflow`, 'unary'),
    CreateWorkflow: method(`/${SERVICE}/CreateWorkflow`, 'unary'),
    WatchState: method(`/${SERVICE}/WatchState`, 'server'),
    UploadFile: method(`/${SERVICE}/UploadFile`, 'client'),
    GetServiceInfo: method(`/${SERVICE}/GetServiceInfo`, 'unary'),
  }, 'Raw');
  return new Ctor(address, credentials.createInsecure()) as RawClient;
}

/** Sends `bytes` as the one request message and resolves with the call's error (null on OK). */
function send(client: RawClient, method: string, kind: Kind, bytes: Buffer): Promise<ServiceError | null> {
  return new Promise((done) => {
    if (kind === 'unary') {
      client[method]!(bytes, (err: ServiceError | null) => done(err));
    } else if (kind === 'server') {
      const call = client[method]!(bytes) as NodeJS.EventEmitter;
      call.on('data', () => undefined);
      call.on('error', (err: ServiceError) => done(err));
      call.on('end', () => done(null));
    } else {
      const call = client[method]!((err: ServiceError | null) => done(err)) as NodeJS.WritableStream;
      call.write(bytes);
      call.end();
    }
  });
}

function deepStruct(levels: number): Buffer {
  let spec: unknown = 'leaf';
  for (let i = 0; i < levels; i += 1) spec = { nested: spec };
  const request = shellRequest('deep', ['echo hi']);
  request.template!.workflow = { steps: [], parameters: spec } as never;
  return Buffer.from(CreateWorkflowRequest.encode(request).finish());
}

function hugeInt64(): Buffer {
  const w = new BinaryWriter();
  w.uint32((1 << 3) | 2).string('0123456789abcdef0123456789abcdef');
  w.uint32(2 << 3).uint64(2n ** 60n);
  return Buffer.from(w.finish());
}

const CASES: Array<[string, string, Kind, Buffer]> = [
  ['truncated length-delimited field (unary)', 'GetWorkflow', 'unary', Buffer.from([0x0a, 0xff, 0xff, 0x01])],
  ['invalid wire type (unary)', 'GetWorkflow', 'unary', Buffer.from([0x0f, 0x01])],
  ['Struct nested 40 deep (unary)', 'CreateWorkflow', 'unary', deepStruct(40)],
  ['int64 above 2^53 (server stream)', 'WatchState', 'server', hugeInt64()],
  ['truncated message (client stream)', 'UploadFile', 'client', Buffer.from([0x0a, 0x05, 0x0a])],
];

let server: ServerProcess;
let dataDir: string;
let client: RawClient;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'fsr-malformed-'));
  server = await spawnServerProcess(dataDir, ['--log-level', 'debug']);
  client = rawClient(server.address);
});

afterAll(async () => {
  client?.close();
  server?.child.kill('SIGTERM');
  await server?.exited;
  rmSync(dataDir, { recursive: true, force: true });
});

/** Resolves with the access-log line of the next call to `rpc` logged after `from` lines. */
async function accessLine(rpc: string, from: number): Promise<Record<string, unknown>> {
  for (;;) {
    const line = server.lines.slice(from).find((l) => l.msg === 'rpc' && String(l.rpc).endsWith(`/${rpc}`));
    if (line) return line;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('undecodable requests', () => {
  for (const [name, method, kind, bytes] of CASES) {
    it(`${name}: INVALID_ARGUMENT with MALFORMED_REQUEST, logged as INVALID_ARGUMENT`, async () => {
      const from = server.lines.length;
      const err = await send(client, method, kind, bytes);
      expect(err?.code, err?.message).toBe(Code.INVALID_ARGUMENT);
      const details = decodeStatusDetails(err!.metadata);
      expect(details?.errorInfo).toMatchObject({ reason: 'MALFORMED_REQUEST', domain: 'flowserv.remote.v1' });
      expect(err!.details).toMatch(/^request message could not be decoded: /);
      expect(await accessLine(method, from)).toMatchObject({ code: 'INVALID_ARGUMENT' });
      expect(await send(client, 'GetServiceInfo', 'unary', Buffer.alloc(0))).toBeNull();
    });
  }
});
