/**
 * Bounded error answers (issue 16, item 1): requests that echo huge values or produce hundreds
 * of violations get a readable INVALID_ARGUMENT with ErrorInfo, at most 50 violations plus an
 * "and N more" entry, details well under C-core's 8 KB metadata limit, and the connection keeps
 * working afterwards. Checked with grpc-js and with Debian's Python grpcio (C-core), at every size.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { credentials, makeGenericClientConstructor, status as Code, type Client, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateWorkflowRequest,
  GetWorkflowRequest,
  ListWorkflowsRequest,
} from '../../src/gen/flowserv/remote/v1/service.js';
import { ParameterDeclaration, ParameterType } from '../../src/gen/flowserv/remote/v1/template.js';
import { MAX_DETAILS_BYTES, MAX_MESSAGE_CHARS, MAX_VIOLATIONS, MORE_VIOLATIONS_REASON } from '../../src/server/bounded-details.js';
import { decodeStatusDetails, STATUS_DETAILS_KEY } from '../../src/wire/status-details.js';
import { describeIfAvailable } from '../support/requirements.js';
import { shellRequest } from '../support/shell-request.js';
import { startAppServer as startTestServer, type AppServer as TestServer } from '../support/app-server.js';

const ROOT = resolve(import.meta.dirname, '../..');
const PYTHON = '/usr/bin/python3';

interface Case {
  readonly name: string;
  readonly method: 'CreateWorkflow' | 'GetWorkflow' | 'ListWorkflows';
  readonly bytes: Buffer;
  /** Violations the server finds before bounding (0: the answer has none). */
  readonly violations: number;
}

function unknownArguments(count: number): Buffer {
  const request = shellRequest(`unknown-${count}`, ['echo hi']);
  request.arguments = Array.from({ length: count }, (_, i) => ({ name: `no_such_parameter_${i}`, kind: { $case: 'value', value: i } }) as never);
  return Buffer.from(CreateWorkflowRequest.encode(request).finish());
}

function badIntValues(count: number, chars: number): Buffer {
  const request = shellRequest(`badint-${count}-${chars}`, ['echo hi']);
  request.template!.parameters = Array.from({ length: count }, (_, i) => ParameterDeclaration.fromPartial({ name: `p${i}`, dtype: ParameterType.PARAMETER_TYPE_INT }));
  request.arguments = Array.from({ length: count }, (_, i) => ({ name: `p${i}`, kind: { $case: 'value', value: 'x'.repeat(chars) } }) as never);
  return Buffer.from(CreateWorkflowRequest.encode(request).finish());
}

const CASES: Case[] = [
  ...[40, 1000, 40_000].map((n): Case => ({
    name: `workflow id of ${n} characters`,
    method: 'GetWorkflow',
    bytes: Buffer.from(GetWorkflowRequest.encode({ workflowId: 'w'.repeat(n) }).finish()),
    violations: n > 64 ? 1 : 0,
  })),
  ...[1, 60, 700, 5000].map((n): Case => ({ name: `${n} unknown arguments`, method: 'CreateWorkflow', bytes: unknownArguments(n), violations: n })),
  ...[100, 10_000, 60_000].map((n): Case => ({ name: `a bad int value of ${n} characters`, method: 'CreateWorkflow', bytes: badIntValues(1, n), violations: 1 })),
  { name: '15 bad int values of 60,000 characters', method: 'CreateWorkflow', bytes: badIntValues(15, 60_000), violations: 15 },
  {
    name: 'a label filter key of 70,000 characters',
    method: 'ListWorkflows',
    bytes: Buffer.from(ListWorkflowsRequest.encode(ListWorkflowsRequest.fromPartial({ labels: { ['k'.repeat(70_000)]: 'v' } })).finish()),
    violations: 1,
  },
];

type RawClient = Client & Record<string, (bytes: Buffer, cb: (err: ServiceError | null) => void) => void>;

/** A client sending pre-encoded requests to each method of CASES, plus GetServiceInfo. */
function rawClient(address: string): RawClient {
  const identity = (b: Buffer) => b;
  const method = (name: string) => ({
    path: `/flowserv.remote.v1.RemoteWorkflowService/${name}`,
    requestStream: false, responseStream: false,
    requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity,
  });
  const Ctor = makeGenericClientConstructor(
    Object.fromEntries(['CreateWorkflow', 'GetWorkflow', 'ListWorkflows', 'GetServiceInfo'].map((n) => [n, method(n)])),
    'Raw',
  );
  return new Ctor(address, credentials.createInsecure()) as RawClient;
}

function send(client: RawClient, method: string, bytes: Buffer): Promise<ServiceError | null> {
  return new Promise((done) => client[method]!.call(client, bytes, (err) => done(err)));
}

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server?.stop();
});

describe('bounded error answers, grpc-js client', () => {
  for (const c of CASES) {
    it(`${c.name}: readable status, bounded details, the connection still works`, async () => {
      const client = rawClient(server.address);
      try {
        const err = await send(client, c.method, c.bytes);
        expect(err, 'the call must fail').not.toBeNull();
        const details = decodeStatusDetails(err!.metadata);
        expect(details?.errorInfo?.domain).toBe('flowserv.remote.v1');
        const raw = err!.metadata.get(STATUS_DETAILS_KEY)[0] as Buffer;
        expect(raw.length).toBeLessThanOrEqual(MAX_DETAILS_BYTES);
        expect(err!.details.length).toBeLessThanOrEqual(MAX_MESSAGE_CHARS);
        if (c.violations === 0) {
          expect(err!.code).toBe(Code.NOT_FOUND);
        } else {
          expect(err!.code).toBe(Code.INVALID_ARGUMENT);
          const sent = details!.fieldViolations;
          expect(sent.length).toBeGreaterThan(0);
          expect(sent.length).toBeLessThanOrEqual(MAX_VIOLATIONS + 1);
          const shown = sent.filter((v) => v.reason !== MORE_VIOLATIONS_REASON).length;
          if (shown < c.violations) expect(sent.at(-1)).toEqual({ field: '', description: `and ${c.violations - shown} more violation${c.violations - shown === 1 ? '' : 's'}`, reason: MORE_VIOLATIONS_REASON });
          else expect(sent.length).toBe(c.violations);
          for (const v of sent) expect(v.description.length + v.field.length).toBeLessThanOrEqual(400);
        }
        expect(await send(client, 'GetServiceInfo', Buffer.alloc(0))).toBeNull();
      } finally {
        client.close();
      }
    });
  }
});

function missingPython(): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const probe = spawnSync(PYTHON, ['-c', 'import grpc, google.protobuf'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : `${PYTHON} cannot import grpc and protobuf (run scripts/install-python-deps.sh)`;
}

/** Runs a program without blocking this process's event loop (the server lives here). */
function run(command: string, args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describeIfAvailable('bounded error answers, Python grpcio (C-core) client', missingPython(), () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'fsr-bounded-py-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('every case arrives as its real code with decodable details, and the channel keeps working', async () => {
    const casesFile = join(work, 'cases.json');
    writeFileSync(casesFile, JSON.stringify(CASES.map((c) => ({ name: c.name, method: c.method, request_b64: c.bytes.toString('base64') }))));
    const result = await run(PYTHON, [join(ROOT, 'test/reliability/bounded_errors.py'), server.address, casesFile, join(ROOT, 'clients/python')]);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.name)).toEqual(CASES.map((c) => c.name));
    CASES.forEach((c, i) => {
      const line = lines[i]!;
      expect(line.code, c.name).toBe(c.violations === 0 ? 'NOT_FOUND' : 'INVALID_ARGUMENT');
      expect(line.reason, c.name).toBe(c.violations === 0 ? 'WORKFLOW_NOT_FOUND' : 'INVALID_ARGUMENT');
      expect(line.details_bytes as number, c.name).toBeLessThanOrEqual(MAX_DETAILS_BYTES);
      if (c.violations > 0) expect(line.violations as number, c.name).toBeLessThanOrEqual(MAX_VIOLATIONS + 1);
      expect(line.follow_up, c.name).toBe('OK');
    });
    console.info(`[bounded-errors] python: ${lines.map((l) => `${String(l.name)} -> ${String(l.code)} (${String(l.details_bytes)} B, ${String(l.violations ?? 0)} violations)`).join('; ')}`);
  });
});
