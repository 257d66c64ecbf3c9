/**
 * Tenancy (issue 16, item 12), the attack as reproduced against a real server process: two users
 * with read-write tokens list, read, watch, download, stop and replay each other's workflows.
 * Every workflow call with another owner's workflow id must answer exactly as for an id that does
 * not exist (NOT_FOUND, ErrorInfo WORKFLOW_NOT_FOUND, same metadata), lists hold only the caller's
 * own, and another owner's identical CreateWorkflow is refused without naming that workflow.
 * Admin tokens see all (and stop all unless read-only); a JWT subject is its own owner, apart
 * from a token of the same name.
 */
import { credentials, status as Code, type ServiceError } from '@grpc/grpc-js';
import { createSecretKey } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerTokenInterceptor } from '../../src/client/bearer-token.js';
import { RemoteWorkflowServiceClient, RemoteWorkflowServiceService, type CreateWorkflowRequest } from '../../src/gen/flowserv/remote/v1/service.js';
import { WorkflowStateType } from '../../src/gen/flowserv/remote/v1/workflow.js';
import { decodeStatusDetails } from '../../src/wire/status-details.js';
import { scratch } from '../support/fixtures.js';
import { call, collect, rejection, waitForStateType } from '../support/grpc-calls.js';
import { spawnServerProcess, type ServerProcess } from '../support/server-process.js';
import { shellRequest } from '../support/shell-request.js';

const TOKENS = {
  alice: 'alice-3f9c0d6e2b1a4c8d9e7f6a5b4c3d',
  bob: 'bob-9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c',
  bobReader: 'bobro-5e4f3a2b1c0d9e8f7a6b5c4d3f9c',
  root: 'root-1c0d9e8f7a6b5c4d3f9c0d6e2b1a',
  auditor: 'audit-7a6b5c4d3f9c0d6e2b1a4c8d9e7f',
};
const SECRET = createSecretKey(Buffer.from('tenancy-test-secret-0123456789abcdef'));

let server: ServerProcess;
const clients: RemoteWorkflowServiceClient[] = [];
const clientFor = (token: string) => {
  const client = new RemoteWorkflowServiceClient(server.address, credentials.createInsecure(), { interceptors: [bearerTokenInterceptor(token)] });
  clients.push(client);
  return client;
};
const jwtFor = (sub: string, scope?: string) =>
  new SignJWT({ sub, ...(scope !== undefined && { scope }) }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('10m').sign(SECRET);

beforeAll(async () => {
  const dir = scratch('fsr-tenancy-');
  writeFileSync(
    join(dir, 'tokens'),
    [
      `${TOKENS.alice} name=alice`,
      `${TOKENS.bob} name=bob`,
      `${TOKENS.bobReader} read-only name=bob`,
      `${TOKENS.root} admin name=root`,
      `${TOKENS.auditor} read-only admin name=auditor`,
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'jwt.secret'), SECRET.export());
  server = await spawnServerProcess(join(dir, 'data'), ['--auth-token-file', join(dir, 'tokens'), '--auth-jwt-key-file', join(dir, 'jwt.secret')]);
}, 60_000);
afterAll(async () => {
  for (const client of clients) client.close();
  server?.child.kill('SIGTERM');
  await server?.exited;
});

/** Code, ErrorInfo and message (with the workflow id replaced) of a failed call. */
function answerOf(err: ServiceError, workflowId: string) {
  const details = decodeStatusDetails(err.metadata);
  const metadata = { ...details?.errorInfo?.metadata };
  if (metadata.workflow_id === workflowId) metadata.workflow_id = '<id>';
  return { code: err.code, reason: details?.errorInfo?.reason, metadata, message: err.details.replaceAll(workflowId, '<id>') };
}

type Attempt = (client: RemoteWorkflowServiceClient, workflowId: string) => Promise<unknown>;
/** Every RPC that takes a workflow id, as the other user would call it. */
const BY_ID: Readonly<Record<string, Attempt>> = {
  getWorkflow: (c, workflowId) => call(c, 'getWorkflow', { workflowId }),
  getWorkflowState: (c, workflowId) => call(c, 'getWorkflowState', { workflowId }),
  stopWorkflow: (c, workflowId) => call(c, 'stopWorkflow', { workflowId, reason: 'not mine', gracePeriod: undefined }),
  // A cursor beyond the log: on one's own workflow that is OUT_OF_RANGE with the last sequence.
  watchState: (c, workflowId) => collect(c.watchState({ workflowId, afterSequence: 1000, includeProgress: false })),
  watchLogs: (c, workflowId) => collect(c.watchLogs({ workflowId, follow: false, startOffsets: [], streams: [] })),
  downloadFile: (c, workflowId) => collect(c.downloadFile({ workflowId, path: 'out.txt', offset: 0 })),
};

async function finalState(client: RemoteWorkflowServiceClient, workflowId: string): Promise<WorkflowStateType> {
  await expect
    .poll(async () => (await call(client, 'getWorkflowState', { workflowId })).state!.type, { timeout: 30_000 })
    .toBeGreaterThanOrEqual(WorkflowStateType.WORKFLOW_STATE_TYPE_CANCELED);
  return (await call(client, 'getWorkflowState', { workflowId })).state!.type;
}

describe('tenancy: two read-write users and their workflows', () => {
  let alice: RemoteWorkflowServiceClient;
  let bob: RemoteWorkflowServiceClient;
  let request: CreateWorkflowRequest;
  let done: string;
  let running: string;

  beforeAll(async () => {
    alice = clientFor(TOKENS.alice);
    bob = clientFor(TOKENS.bob);
    request = shellRequest('alice-run-1', ['echo secret-of-alice > out.txt'], { outputs: ['out.txt'], requestId: 'req-1' });
    done = (await call(alice, 'createWorkflow', request)).workflow!.workflowId;
    running = (await call(alice, 'createWorkflow', shellRequest('alice-run-2', ['sleep 60']))).workflow!.workflowId;
    await waitForStateType(alice, done, WorkflowStateType.WORKFLOW_STATE_TYPE_SUCCESS);
    await waitForStateType(alice, running, WorkflowStateType.WORKFLOW_STATE_TYPE_RUNNING);
  }, 60_000);

  it('the sweep covers every RPC whose request names a workflow', () => {
    const withId = Object.entries(RemoteWorkflowServiceService)
      .filter(([, m]) => 'workflowId' in (m.requestDeserialize(Buffer.alloc(0)) as object))
      .map(([name]) => name);
    expect(Object.keys(BY_ID).sort()).toEqual(withId.sort());
  });

  it("lists only the caller's own workflows", async () => {
    expect((await call(alice, 'listWorkflows', { pageSize: 0, pageToken: '', states: [], labels: {}, engine: '' })).workflows.map((w) => w.workflowId).sort()).toEqual(
      [done, running].sort(),
    );
    const bobs = await call(bob, 'listWorkflows', { pageSize: 0, pageToken: '', states: [], labels: {}, engine: '' });
    expect(bobs.workflows).toEqual([]);
    console.log(`[tenancy] list: alice sees 2 of 2 of hers, bob sees ${bobs.workflows.length} of alice's`);
  });

  it("answers another owner's workflow exactly like an unknown id, on every RPC that takes one", async () => {
    const unknown = 'f'.repeat(32);
    for (const [rpc, attempt] of Object.entries(BY_ID)) {
      for (const target of [done, running]) {
        const foreign = answerOf(await rejection(attempt(bob, target)), target);
        const missing = answerOf(await rejection(attempt(bob, unknown)), unknown);
        expect(foreign, `${rpc} on alice's workflow`).toEqual(missing);
        expect(foreign).toMatchObject({ code: Code.NOT_FOUND, reason: 'WORKFLOW_NOT_FOUND', metadata: { workflow_id: '<id>' } });
      }
    }
    // Bob's stop did nothing; alice's download still works.
    expect((await call(alice, 'getWorkflowState', { workflowId: running })).state!.type).toBe(WorkflowStateType.WORKFLOW_STATE_TYPE_RUNNING);
    const chunks = await collect(alice.downloadFile({ workflowId: done, path: 'out.txt', offset: 0 }));
    expect(Buffer.concat(chunks.map((c) => c.chunk)).toString()).toBe('secret-of-alice\n');
    console.log(`[tenancy] ${Object.keys(BY_ID).length} RPCs x 2 foreign workflows: all NOT_FOUND, identical to an unknown id`);
  });

  it("refuses another owner's identical request without naming the workflow; the request id is each owner's own", async () => {
    const clash = await rejection(call(bob, 'createWorkflow', request));
    const details = decodeStatusDetails(clash.metadata);
    expect(clash.code).toBe(Code.ALREADY_EXISTS);
    expect(details?.errorInfo).toMatchObject({ reason: 'ALREADY_EXISTS', metadata: { run_id: 'alice-run-1' } });
    expect(JSON.stringify([clash.details, details])).not.toContain(done);
    // The same request id with bob's own run id is bob's own new workflow, then his replay.
    const own = await call(bob, 'createWorkflow', { ...request, run: { runId: 'bob-run-1' } });
    expect(own.replayed).toBe(false);
    expect(own.workflow!.workflowId).not.toBe(done);
    expect(own.workflow!.owner).toBe('token:bob');
    const again = await call(bob, 'createWorkflow', { ...request, run: { runId: 'bob-run-1' } });
    expect(again).toMatchObject({ replayed: true, workflow: { workflowId: own.workflow!.workflowId } });
    const replay = await call(alice, 'createWorkflow', request);
    expect(replay).toMatchObject({ replayed: true, workflow: { workflowId: done } });
    // A read-only token named like bob's reads bob's workflows, and only his.
    const reader = clientFor(TOKENS.bobReader);
    const listed = await call(reader, 'listWorkflows', { pageSize: 0, pageToken: '', states: [], labels: {}, engine: '' });
    expect(listed.workflows.map((w) => w.workflowId)).toEqual([own.workflow!.workflowId]);
    expect((await rejection(call(reader, 'getWorkflow', { workflowId: done }))).code).toBe(Code.NOT_FOUND);
  });

  it('a JWT subject is an owner of its own, apart from a token with the same name', async () => {
    const jwtAlice = clientFor(await jwtFor('alice'));
    expect((await call(jwtAlice, 'listWorkflows', { pageSize: 0, pageToken: '', states: [], labels: {}, engine: '' })).workflows).toEqual([]);
    expect((await rejection(call(jwtAlice, 'getWorkflow', { workflowId: done }))).code).toBe(Code.NOT_FOUND);
    const created = (await call(jwtAlice, 'createWorkflow', shellRequest('jwt-alice-1', ['true']))).workflow!;
    expect(created.owner).toBe('jwt:alice');
    const mine = created.workflowId;
    expect((await call(jwtAlice, 'getWorkflow', { workflowId: mine })).workflow!.workflowId).toBe(mine);
    expect((await rejection(call(alice, 'getWorkflow', { workflowId: mine }))).code).toBe(Code.NOT_FOUND);
    const jwtAdmin = clientFor(await jwtFor('ops', 'flowserv:admin'));
    expect((await call(jwtAdmin, 'getWorkflow', { workflowId: mine })).workflow!.workflowId).toBe(mine);
    expect((await rejection(call(jwtAdmin, 'stopWorkflow', { workflowId: running, reason: 'x', gracePeriod: undefined }))).code).toBe(Code.PERMISSION_DENIED);
  });

  it('admins see every owner; a read-only admin cannot stop, an admin can', async () => {
    const auditor = clientFor(TOKENS.auditor);
    const root = clientFor(TOKENS.root);
    for (const admin of [auditor, root]) {
      const all = await call(admin, 'listWorkflows', { pageSize: 0, pageToken: '', states: [], labels: {}, engine: '' });
      expect(all.workflows.map((w) => w.workflowId)).toEqual(expect.arrayContaining([done, running]));
      expect(all.workflows.length).toBeGreaterThanOrEqual(4);
      expect(all.workflows.find((w) => w.workflowId === done)?.owner).toBe('token:alice');
      expect(new Set(all.workflows.map((w) => w.owner))).toEqual(new Set(['token:alice', 'token:bob', 'jwt:alice']));
      const chunks = await collect(admin.downloadFile({ workflowId: done, path: 'out.txt', offset: 0 }));
      expect(Buffer.concat(chunks.map((c) => c.chunk)).toString()).toBe('secret-of-alice\n');
    }
    expect((await rejection(call(auditor, 'stopWorkflow', { workflowId: running, reason: 'x', gracePeriod: undefined }))).code).toBe(Code.PERMISSION_DENIED);
    const stopped = await call(root, 'stopWorkflow', { workflowId: running, reason: 'stopped by the operator', gracePeriod: undefined });
    expect(stopped.state!.type).toBe(WorkflowStateType.WORKFLOW_STATE_TYPE_CANCELED);
    expect(await finalState(alice, running)).toBe(WorkflowStateType.WORKFLOW_STATE_TYPE_CANCELED);
  });
});
