/**
 * Limits, each rejecting with RESOURCE_EXHAUSTED: the per-client CreateWorkflow rate limit (with
 * RetryInfo), max message size, max upload size; and max concurrent streams per connection,
 * where HTTP/2 makes the extra stream wait (grpc-js queues it on the client) rather than fail.
 */
import { credentials, Metadata, status as Code, type ClientReadableStream } from '@grpc/grpc-js';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bearerTokenInterceptor } from '../../../src/client/bearer-token.js';
import { CreateWorkflowRequest, ListWorkflowsRequest, type RemoteWorkflowServiceClient, type WatchStateResponse } from '../../../src/gen/flowserv/remote/v1/service.js';
import { call } from '../../support/grpc-calls.js';
import { helloWorldRequest } from '../../support/helloworld.js';
import { PROBES } from './probes.js';
import { OK, outcomeOf, startSecureServer, unaryOutcome, type Outcome, type SecureTestServer } from './support.js';

const ALICE = 'alice-00112233445566778899aabbccdd';
const BOB = 'bob-ffeeddccbbaa99887766554433221100';

let servers: SecureTestServer[] = [];
let dirs: string[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  servers = [];
  dirs = [];
});

async function start(args: readonly string[]): Promise<SecureTestServer> {
  const server = await startSecureServer(args);
  servers.push(server);
  return server;
}

const asClient = (server: SecureTestServer, token?: string) =>
  server.client(credentials.createInsecure(), token === undefined ? {} : { interceptors: [bearerTokenInterceptor(token)] });

const createOutcome = (client: RemoteWorkflowServiceClient, request: CreateWorkflowRequest) =>
  unaryOutcome((md, o, cb) => client.createWorkflow(request, md, o, cb), new Metadata());

describe('CreateWorkflow rate limit', () => {
  it('refuses the (burst+1)th create of one client with RESOURCE_EXHAUSTED and RetryInfo; another client is unaffected', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fsr-limits-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'tokens'), `${ALICE} name=alice\n${BOB} name=bob\n`);
    const server = await start(['--auth-token-file', join(dir, 'tokens'), '--create-rate-per-minute', '1', '--create-burst', '3']);
    const alice = asClient(server, ALICE);
    const bob = asClient(server, BOB);
    const request = (runId: string) => helloWorldRequest(alice, { runId, sleeptime: 0 });

    for (const runId of ['a1', 'a2', 'a3']) expect(await createOutcome(alice, await request(runId))).toEqual(OK);
    const refused = await createOutcome(alice, await request('a4'));
    expect(refused).toMatchObject({ code: Code.RESOURCE_EXHAUSTED, details: { errorInfo: { reason: 'RESOURCE_EXHAUSTED', metadata: { limit: 'create_rate' } } } });
    expect(refused.message).toMatch(/CreateWorkflow rate limit exceeded for this client \(1 per minute, bursts of 3\); retry in \d+ s/);
    expect(refused.details?.retryDelayMs).toBeGreaterThan(50_000);
    expect(refused.details?.retryDelayMs).toBeLessThanOrEqual(60_000);

    expect(await createOutcome(bob, await request('b1'))).toEqual(OK);
    // Other RPCs of the limited client are not metered.
    expect((await PROBES.find((p) => p.rpc === 'ListWorkflows')!.call(alice, new Metadata())).code).toBe(Code.OK);
  });

  it('meters unauthenticated clients by IP address', async () => {
    const server = await start(['--create-rate-per-minute', '1', '--create-burst', '1']);
    const client = asClient(server);
    expect((await createOutcome(client, CreateWorkflowRequest.fromPartial({}))).code).toBe(Code.INVALID_ARGUMENT);
    // A second channel from the same address shares the bucket.
    expect((await createOutcome(asClient(server), CreateWorkflowRequest.fromPartial({}))).code).toBe(Code.RESOURCE_EXHAUSTED);
  });
});

describe('message and upload sizes', () => {
  it('answers a CreateWorkflow larger than max-receive-message-bytes with RESOURCE_EXHAUSTED', async () => {
    const server = await start(['--max-receive-message-bytes', '2048']);
    const outcome = await createOutcome(asClient(server), CreateWorkflowRequest.fromPartial({ labels: { big: 'x'.repeat(4096) } }));
    expect(outcome.code).toBe(Code.RESOURCE_EXHAUSTED);
    expect(outcome.message).toMatch(/larger than max/);
    // grpc-js answers this itself, before any interceptor or handler: nothing was created.
    expect((await call(asClient(server), 'listWorkflows', ListWorkflowsRequest.fromPartial({}))).workflows).toEqual([]);
  });

  const uploadOutcome = (client: RemoteWorkflowServiceClient, declared: number, bytes: Buffer) =>
    new Promise<Outcome>((resolve) => {
      const stream = client.uploadFile((err) => resolve(err ? outcomeOf(err) : OK));
      stream.on('error', () => {});
      stream.write({ content: { $case: 'header', value: { sha256: createHash('sha256').update(bytes).digest('hex'), sizeBytes: declared } } });
      for (let at = 0; at < bytes.length; at += 512) stream.write({ content: { $case: 'chunk', value: bytes.subarray(at, at + 512) } });
      stream.end();
    });

  it('answers an upload larger than max-upload-bytes with RESOURCE_EXHAUSTED, whether declared so or not', async () => {
    const server = await start(['--max-upload-bytes', '1024']);
    const client = asClient(server);
    const big = Buffer.alloc(4096, 7);
    const declared = await uploadOutcome(client, big.length, big);
    expect(declared).toMatchObject({ code: Code.RESOURCE_EXHAUSTED, details: { errorInfo: { reason: 'RESOURCE_EXHAUSTED', metadata: { max_upload_bytes: '1024' } } } });
    // Declaring a size within the limit and then sending more does not get around it.
    const understated = await uploadOutcome(client, 1024, big);
    expect(understated).toMatchObject({ code: Code.RESOURCE_EXHAUSTED, details: { errorInfo: { reason: 'RESOURCE_EXHAUSTED' } } });
    expect(await uploadOutcome(client, 1024, Buffer.alloc(1024, 1))).toEqual(OK);
  });
});

describe('max concurrent streams per connection', () => {
  it('holds the (N+1)th stream on a connection until one of the N ends', async () => {
    const server = await start(['--max-concurrent-streams', '2']);
    const client = asClient(server);
    const created = await new Promise<string>((resolve, reject) => {
      void helloWorldRequest(client, { runId: 'long', sleeptime: 30 }).then((req) =>
        client.createWorkflow(req, (err, res) => (err ? reject(err) : resolve(res.workflow!.workflowId))),
      );
    });
    const firstMessage = (stream: ClientReadableStream<WatchStateResponse>) =>
      new Promise<void>((resolve, reject) => {
        stream.once('data', () => resolve());
        stream.on('error', (err: { code?: number }) => (err.code === Code.CANCELLED ? undefined : reject(err)));
      });
    const watch = () => client.watchState({ workflowId: created, afterSequence: 0 });
    const streams = [watch(), watch()];
    await Promise.all(streams.map(firstMessage));

    const third = watch();
    let thirdStarted = false;
    const thirdFirst = firstMessage(third).then(() => (thirdStarted = true));
    thirdFirst.catch(() => {});
    // Any further call on this connection waits as well: a unary call with a short deadline runs out.
    const waiting = await unaryOutcome((md, o, cb) => client.getServiceInfo({}, md, { deadline: Date.now() + 500 }, cb), new Metadata());
    expect(waiting.code).toBe(Code.DEADLINE_EXCEEDED);
    expect(thirdStarted).toBe(false);
    // Another connection is not affected. (grpc-js shares connections between clients of the same
    // target unless told otherwise: a second client alone would wait too.)
    const other = server.client(credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
    expect((await PROBES.find((p) => p.rpc === 'GetServiceInfo')!.call(other, new Metadata())).code).toBe(Code.OK);

    streams[0]!.cancel();
    await thirdFirst;
    expect(thirdStarted).toBe(true);
    for (const stream of [streams[1]!, third]) stream.cancel();
    await new Promise<void>((resolve) => client.stopWorkflow({ workflowId: created, reason: 'test over', gracePeriod: { seconds: 0, nanos: 0 } }, () => resolve()));
  });
});
