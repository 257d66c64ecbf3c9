/**
 * Two server processes (two replicas) on one data directory: one starts while the other is in
 * the middle of staging a workflow's run directory and of receiving an upload. The newcomer's
 * start-up cleanup must leave both alone (each replica stages and uploads in its own part of the
 * shared directories), and the first replica must then finish both as if nothing happened. It
 * runs on both stores: SQLite (two processes on one database file, the cleanup's regression test)
 * and PostgreSQL (the deployment of several replicas, local engine pinned).
 */
import { credentials } from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, watch } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RemoteWorkflowServiceClient, type UploadFileResponse } from '../../../src/gen/flowserv/remote/v1/service.js';
import { WorkflowStateType } from '../../../src/gen/flowserv/remote/v1/workflow.js';
import { call, sha256, upload, waitForStateType } from '../../support/grpc-calls.js';
import { scratch } from '../../support/fixtures.js';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.js';
import { replicaArgs } from '../../support/replica-servers.js';
import { describeIfAvailable, postgresMissing } from '../../support/requirements.js';
import { spawnServerProcess, type ServerProcess } from '../../support/server-process.js';
import { shellRequest } from '../../support/shell-request.js';

const servers: ServerProcess[] = [];
const clients: RemoteWorkflowServiceClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const server of servers.splice(0)) {
    server.child.kill('SIGKILL');
    await server.exited;
  }
});

/** Flags of a replica: none for SQLite, the database and the local engine pinned for PostgreSQL. */
type StoreArgs = (name: string) => string[];

async function replica(dataDir: string, name: string, storeArgs: StoreArgs): Promise<{ server: ServerProcess; client: RemoteWorkflowServiceClient }> {
  const server = await spawnServerProcess(dataDir, storeArgs(name), { FLOWSERV_REMOTE_REPLICA_NAME: name });
  servers.push(server);
  const client = new RemoteWorkflowServiceClient(server.address, credentials.createInsecure());
  clients.push(client);
  return { server, client };
}

/** The single part of `dir` that belongs to replica `name` (`<name>@<random>`), once it exists. */
function areaOf(dir: string, name: string): string | undefined {
  const found = existsSync(dir) ? readdirSync(dir).filter((entry) => entry.startsWith(`${name}@`)) : [];
  return found.length === 1 ? join(dir, found[0]!) : undefined;
}

/** Resolves with the first entry that appears in `dir` (already there or new). */
function firstEntry(dir: string): Promise<string> {
  return new Promise((resolve) => {
    const check = (): boolean => {
      const [entry] = readdirSync(dir);
      if (entry === undefined) return false;
      watcher.close();
      resolve(join(dir, entry));
      return true;
    };
    const watcher = watch(dir, () => void check());
    check();
  });
}

/** The scenario, on a store whose replicas `storeArgs` configures. */
function startingBesideABusyReplica(storeArgs: () => StoreArgs): void {
  it('deletes nothing the other is staging or uploading; the other finishes both', async () => {
    const dataDir = scratch('fsr-replicas-');
    const a = await replica(dataDir, 'replica-a', storeArgs());

    // An upload in flight on A: the header and a first chunk sent, the rest held back.
    const CHUNK = 64 * 1024; // the server's default chunk limit
    const pending = randomBytes(4 * CHUNK);
    let settle: (err: Error | null, res?: UploadFileResponse) => void = () => undefined;
    const uploaded = new Promise<UploadFileResponse>((resolve, reject) => {
      settle = (err, res) => (err ? reject(err) : resolve(res!));
    });
    const stream = a.client.uploadFile((err, res) => settle(err, res));
    stream.write({ content: { $case: 'header', value: { sha256: sha256(pending), sizeBytes: pending.length } } });
    stream.write({ content: { $case: 'chunk', value: pending.subarray(0, CHUNK) } });
    const tmp = join(dataDir, 'blobs', 'tmp');
    await expect.poll(() => areaOf(tmp, 'replica-a') !== undefined && readdirSync(areaOf(tmp, 'replica-a')!).length === 1).toBe(true);
    const uploadArea = areaOf(tmp, 'replica-a')!;
    const partialUpload = join(uploadArea, readdirSync(uploadArea)[0]!);

    // A staging in flight on A: a workflow whose 96 MiB input takes a while to copy; A is frozen
    // (SIGSTOP) as soon as its staged directory appears, so it stays half-staged meanwhile.
    const big = randomBytes(96 * 1024 * 1024);
    const bigSha = (await upload(a.client, big, CHUNK)).sha256;
    const request = {
      ...shellRequest('replicas-staging', [`sha256sum big.bin | grep -q ${bigSha}`]),
      staticFiles: [{ path: 'big.bin', sha256: bigSha }],
    };
    const incoming = areaOf(join(dataDir, 'runs', '.incoming'), 'replica-a')!;
    expect(incoming).toBeDefined();
    const staging = firstEntry(incoming);
    const created = call(a.client, 'createWorkflow', request);
    const staged = await staging;
    a.server.child.kill('SIGSTOP');
    // Still staging when frozen (the directory is renamed away once the workflow is recorded).
    expect(existsSync(staged)).toBe(true);

    const b = await replica(dataDir, 'replica-b', storeArgs()); // its start-up cleanup has run once it listens
    expect(existsSync(staged)).toBe(true);
    expect(existsSync(partialUpload)).toBe(true);
    expect(existsSync(uploadArea)).toBe(true);
    expect(areaOf(join(dataDir, 'runs', '.incoming'), 'replica-b')).toBeDefined();

    a.server.child.kill('SIGCONT');
    for (let at = CHUNK; at < pending.length; at += CHUNK) stream.write({ content: { $case: 'chunk', value: pending.subarray(at, at + CHUNK) } });
    stream.end();
    expect((await uploaded).sha256).toBe(sha256(pending));
    const workflowId = (await created).workflow!.workflowId;
    expect(existsSync(staged)).toBe(false); // moved into place
    const final = await waitForStateType(a.client, workflowId, WorkflowStateType.WORKFLOW_STATE_TYPE_SUCCESS);
    expect(final.type).toBe(WorkflowStateType.WORKFLOW_STATE_TYPE_SUCCESS); // the input arrived whole
    // The other replica sees the same store: the upload and the workflow.
    expect((await call(b.client, 'findFiles', { sha256s: [sha256(pending), bigSha] })).presentSha256s.sort()).toEqual([sha256(pending), bigSha].sort());
    expect((await call(b.client, 'getWorkflow', { workflowId })).workflow!.state!.type).toBe(WorkflowStateType.WORKFLOW_STATE_TYPE_SUCCESS);
  });
}

describe('a replica starting beside a busy one on the same data directory (SQLite store)', () => {
  startingBesideABusyReplica(() => () => []);
});

describeIfAvailable('a replica starting beside a busy one on the same data directory (PostgreSQL store)', postgresMissing(), () => {
  let db: TestDatabase | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  // The replicas are gone by then (afterEach).
  afterAll(async () => {
    await db?.drop();
  });
  startingBesideABusyReplica(() => (name) => replicaArgs(db!.url, name));
});
