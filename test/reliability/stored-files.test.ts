/**
 * Result and input files (issue 16, items 9 and 10): output collection cannot be raced into
 * storing a file outside the working directory, and stored blobs that were changed after they
 * were stored are never served or staged: DownloadFile and CreateWorkflow answer DATA_LOSS and
 * the blob is dropped, so it can be uploaded (or produced) again.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status as Code, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowStateType } from '../../src/gen/flowserv/remote/v1/workflow.js';
import { collectOutputFiles } from '../../src/service/output-files.js';
import { createBlobStore } from '../../src/store/blob-store.js';
import { createSqliteBlobIndex } from '../../src/store/blob-index.js';
import { openDatabase } from '../../src/store/database.js';
import { decodeStatusDetails } from '../../src/wire/status-details.js';
import { call, callError, collect, sha256, upload } from '../support/grpc-calls.js';
import { shellRequest } from '../support/shell-request.js';
import { startAppServer as startTestServer, type AppServer as TestServer } from '../support/app-server.js';

describe('output collection against a link-swapping process', () => {
  it('never stores /etc/passwd in 300 collections while out.txt flips between a file and a link to it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fsr-swap-'));
    const work = join(dir, 'work');
    const blobs = createBlobStore(createSqliteBlobIndex(openDatabase(join(dir, 'db.sqlite'))), join(dir, 'blobs'));
    const passwd = createHash('sha256').update(readFileSync('/etc/passwd')).digest('hex');
    const swapper = spawn('/bin/sh', ['-c', `mkdir -p ${work} && cd ${work} && echo mine > own && while :; do ln -sf /etc/passwd l && mv -fT l out.txt; cp own f && mv -fT f out.txt; done`], { stdio: 'ignore' });
    try {
      let stored = 0;
      let refused = 0;
      for (let i = 0; i < 300; i += 1) {
        const collected = await collectOutputFiles(work, ['out.txt'], blobs).catch(() => undefined);
        if (collected?.ok) {
          stored += 1;
          expect(collected.files[0]!.sha256).not.toBe(passwd);
        } else {
          refused += 1;
        }
      }
      console.info(`[stored-files] swap race: ${stored} collections stored the job's own file, ${refused} refused, 0 stored /etc/passwd`);
      expect(stored + refused).toBe(300);
    } finally {
      swapper.kill('SIGKILL');
    }
  });
});

describe('stored blobs changed behind the server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  const blobPath = (digest: string) => join(server.dataDir, 'blobs', digest.slice(0, 2), digest);

  it('DownloadFile of a result file that was rewritten fails with DATA_LOSS; the blob is dropped', async () => {
    const created = await call(server.client, 'createWorkflow', shellRequest('tamper-out', ['echo original result > out.txt'], { outputs: ['out.txt'] }));
    const id = created.workflow!.workflowId;
    await expect.poll(async () => (await call(server.client, 'getWorkflow', { workflowId: id })).workflow?.state?.type, { timeout: 20_000 }).toBe(WorkflowStateType.WORKFLOW_STATE_TYPE_SUCCESS);
    const state = (await call(server.client, 'getWorkflow', { workflowId: id })).workflow!.state!;
    const digest = state.files[0]!.sha256;
    const intact = await collect(server.client.downloadFile({ workflowId: id, path: 'out.txt', offset: 0 }));
    expect(Buffer.concat(intact.map((c) => c.chunk)).toString()).toBe('original result\n');

    writeFileSync(blobPath(digest), 'tampered result\n');
    const failed = await collect(server.client.downloadFile({ workflowId: id, path: 'out.txt', offset: 0 })).catch((e: ServiceError) => e);
    expect((failed as ServiceError).code).toBe(Code.DATA_LOSS);
    expect(decodeStatusDetails((failed as ServiceError).metadata)?.errorInfo).toMatchObject({ reason: 'DATA_LOSS', metadata: { sha256: digest } });
    expect((await call(server.client, 'findFiles', { sha256s: [digest] })).presentSha256s).toEqual([]);
  });

  it('CreateWorkflow staging an uploaded file that was rewritten fails with DATA_LOSS, and succeeds after a new upload', async () => {
    const bytes = Buffer.from('input bytes\n');
    await upload(server.client, bytes);
    const digest = sha256(bytes);
    writeFileSync(blobPath(digest), 'other bytes\n');
    const request = shellRequest('tamper-in', ['cat in.txt > out.txt'], { outputs: ['out.txt'] });
    request.staticFiles = [{ path: 'in.txt', sha256: digest }];
    const { err, details } = await callError(server.client, 'createWorkflow', request);
    expect(err.code).toBe(Code.DATA_LOSS);
    expect(details?.errorInfo?.metadata).toMatchObject({ sha256: digest });
    expect((await call(server.client, 'findFiles', { sha256s: [digest] })).presentSha256s).toEqual([]);
    await upload(server.client, bytes);
    const created = await call(server.client, 'createWorkflow', request);
    expect(created.workflow?.workflowId).toBeTruthy();
  });
});
