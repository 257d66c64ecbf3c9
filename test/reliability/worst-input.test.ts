/**
 * Denial of service by one request (issue 16, item 2): the inputs that once froze the event
 * loop for seconds (`$[[` repeated, `$ ` repeated, an int argument padded with spaces) are sent
 * to a real server process at the string cap and at the message-size limit, while a health
 * check is kept in flight: the health checks answer within a bound (below) and every bad request gets
 * INVALID_ARGUMENT with field violations. Requests are encoded before the clock starts, so the
 * figures measure the server, not this process. Under `npm run soak` (FLOWSERV_SOAK=1, meant
 * for a quiet machine) the slowest health check must stay under 100 ms in one of five attempts.
 * In the normal test command, which shares the machine with everything else, the bound is 2 s:
 * still far below what the old validation blocked for (11 s for 240 KB, hours at the limit).
 */
import { credentials, makeGenericClientConstructor, Metadata, type Client, type ServiceError } from '@grpc/grpc-js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateWorkflowRequest } from '../../src/gen/flowserv/remote/v1/service.js';
import { ParameterDeclaration, ParameterType } from '../../src/gen/flowserv/remote/v1/template.js';
import { decodeStatusDetails } from '../../src/wire/status-details.js';
import { MAX_STRING_CHARS, MAX_TOTAL_CHARS } from '../../src/service/input-limits.js';
import { shellRequest } from '../support/shell-request.js';
import { spawnServerProcess, type ServerProcess } from '../support/server-process.js';
import { healthClient } from '../support/grpc-clients.js';

const MESSAGE_LIMIT = 8 * 1024 * 1024;
/** Attempts per scenario; one under the bound passes it (a blocking server fails every one). */
const ATTEMPTS = 5;
const SOAK = process.env.FLOWSERV_SOAK === '1';
/** Slowest health check allowed while the worst input is validated, in ms. */
const HEALTH_BOUND_MS = SOAK ? 100 : 2000;

/** A client that sends pre-encoded CreateWorkflow bytes. */
function rawCreateClient(address: string): Client & { create(bytes: Buffer, cb: (err: ServiceError | null) => void): void } {
  const Ctor = makeGenericClientConstructor({
    create: {
      path: '/flowserv.remote.v1.RemoteWorkflowService/CreateWorkflow',
      requestStream: false,
      responseStream: false,
      requestSerialize: (b: Buffer) => b,
      requestDeserialize: (b: Buffer) => b,
      responseSerialize: (b: Buffer) => b,
      responseDeserialize: (b: Buffer) => b,
    },
  }, 'RawCreate');
  // Its own connection: on a shared one the health checks would queue behind the 8 MiB request
  // in this process's socket buffer, and the figure would measure the client, not the server.
  return new Ctor(address, credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 }) as never;
}

/** A request whose commands repeat `unit` up to `chars` characters each, filling about `total` bytes. */
function commandsRequest(runId: string, unit: string, chars: number, total: number): Buffer {
  const command = unit.repeat(Math.floor(chars / unit.length));
  const count = Math.max(1, Math.floor(total / (command.length + 8)));
  return Buffer.from(CreateWorkflowRequest.encode(shellRequest(runId, Array.from({ length: count }, () => command))).finish());
}

/** A request with `count` int parameters, each given `1<spaces>x` of `chars` characters. */
function paddedIntRequest(runId: string, chars: number, count: number): Buffer {
  const request = shellRequest(runId, ['echo hi']);
  request.template!.parameters = Array.from({ length: count }, (_, i) => ParameterDeclaration.fromPartial({ name: `p${i}`, dtype: ParameterType.PARAMETER_TYPE_INT }));
  request.arguments = Array.from({ length: count }, (_, i) => ({ name: `p${i}`, kind: { $case: 'value', value: `1${' '.repeat(chars - 2)}x` } }) as never);
  return Buffer.from(CreateWorkflowRequest.encode(request).finish());
}

let server: ServerProcess;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'fsr-worst-'));
  server = await spawnServerProcess(dataDir);
});

afterAll(async () => {
  server?.child.kill('SIGKILL');
  await server?.exited;
  rmSync(dataDir, { recursive: true, force: true });
});

/** Sends `bytes` as CreateWorkflow while health checks run back to back; returns the error and the slowest check. */
async function underHealthChecks(bytes: Buffer): Promise<{ err: ServiceError | null; slowestMs: number; checks: number }> {
  const creator = rawCreateClient(server.address);
  const health = healthClient(server.address);
  await new Promise<void>((resolve, reject) => health.waitForReady(Date.now() + 10_000, (e) => (e ? reject(e) : resolve())));
  let done = false;
  let slowestMs = 0;
  let checks = 0;
  const probe = (async () => {
    while (!done) {
      const start = performance.now();
      await new Promise<void>((resolve, reject) =>
        (health.Check as (r: object, m: Metadata, o: object, cb: (e: Error | null) => void) => void)({ service: '' }, new Metadata(), { deadline: Date.now() + 30_000 }, (e) => (e ? reject(e) : resolve())),
      );
      slowestMs = Math.max(slowestMs, performance.now() - start);
      checks += 1;
    }
  })();
  const err = await new Promise<ServiceError | null>((resolve) => creator.create(bytes, (e) => resolve(e)));
  done = true;
  await probe;
  creator.close();
  health.close();
  return { err, slowestMs, checks };
}

describe('worst inputs at the size limits', () => {
  const total = MESSAGE_LIMIT - 64 * 1024;
  // Just under the text cap: these are validated in full, the costliest requests that get that far.
  const underCap = MAX_TOTAL_CHARS - 4096;
  const cases: Array<[string, () => Buffer, string]> = [
    ['`$[[` x 2.8M in one command', () => commandsRequest('w1', '$[[', total, total), 'VALUE_TOO_LONG'],
    ['`$[[` at the string cap in every command, 8 MiB in all', () => commandsRequest('w2', '$[[', MAX_STRING_CHARS, total), 'REQUEST_TOO_LARGE'],
    ['`$ ` at the string cap in every command, 8 MiB in all', () => commandsRequest('w3', '$ ', MAX_STRING_CHARS, total), 'REQUEST_TOO_LARGE'],
    ['`$[[` at the string cap in every command, just under the text cap', () => commandsRequest('w4', '$[[', MAX_STRING_CHARS, underCap), 'INVALID_PLACEHOLDER'],
    ['`$ ` at the string cap in every command, just under the text cap', () => commandsRequest('w5', '$ ', MAX_STRING_CHARS, underCap), 'INVALID_PLACEHOLDER'],
    ['`$b.` at the string cap in every command, just under the text cap', () => commandsRequest('w6', '$b.', MAX_STRING_CHARS, underCap), 'UNKNOWN_VARIABLE'],
    ['int arguments padded with spaces to the string cap, just under the text cap', () => paddedIntRequest('w7', MAX_STRING_CHARS, 15), 'INVALID_ARGUMENT'],
  ];
  for (const [name, make, reason] of cases) {
    it(`${name}: INVALID_ARGUMENT (${reason}), and a health check in flight answers within ${HEALTH_BOUND_MS} ms`, async () => {
      const bytes = make();
      expect(bytes.length).toBeLessThanOrEqual(MESSAGE_LIMIT);
      const slowest: number[] = [];
      for (let attempt = 0; attempt < ATTEMPTS && !(slowest.length > 0 && Math.min(...slowest) < HEALTH_BOUND_MS); attempt += 1) {
        const { err, slowestMs, checks } = await underHealthChecks(bytes);
        expect(err?.code, err?.message).toBe(3);
        const details = decodeStatusDetails(err!.metadata);
        expect(details?.errorInfo?.reason).toBe('INVALID_ARGUMENT');
        expect(details?.fieldViolations.map((v) => v.reason)).toContain(reason);
        expect(checks).toBeGreaterThan(0);
        slowest.push(slowestMs);
        console.info(`[worst-input] ${name}: ${bytes.length} bytes, ${checks} health checks, slowest ${slowestMs.toFixed(1)} ms`);
      }
      expect(Math.min(...slowest)).toBeLessThan(HEALTH_BOUND_MS);
    });
  }
});
