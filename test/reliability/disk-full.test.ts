/**
 * Full and read-only disk (issue 16, items 5 and 6), on a real server process whose data
 * directory is a small tmpfs mounted by the test (root needed; the suite skips locally with the
 * reason when mounting is impossible). While the disk is full: uploads answer RESOURCE_EXHAUSTED
 * with ErrorInfo STORAGE_FULL and engine/local health is NOT_SERVING; a job that ends meanwhile
 * keeps its known outcome (RUNNING, then SUCCESS once space is freed, never ERROR or "vanished").
 * Read-only (EROFS on the runs folder): CreateWorkflow answers UNAVAILABLE / STORAGE_READ_ONLY
 * while reads keep working.
 * Everything recovers without a restart.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, Metadata, status as Code, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RemoteWorkflowServiceClient } from '../../src/gen/flowserv/remote/v1/service.js';
import { WorkflowStateType } from '../../src/gen/flowserv/remote/v1/workflow.js';
import { decodeStatusDetails } from '../../src/wire/status-details.js';
import { healthClient } from '../support/grpc-clients.js';
import { call, callError, upload } from '../support/grpc-calls.js';
import { killProcessesUsing } from '../support/processes.js';
import { describeIfAvailable } from '../support/requirements.js';
import { shellRequest } from '../support/shell-request.js';
import { spawnServerProcess, type ServerProcess } from '../support/server-process.js';

/** Why a tmpfs cannot be mounted here, or undefined when it can. */
function cannotMount(): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'fsr-mount-probe-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { encoding: 'utf8' });
  if (mounted.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return `cannot mount a tmpfs (needs root): ${(mounted.stderr || mounted.error?.message || '').trim()}`;
  }
  spawnSync('umount', [dir]);
  rmSync(dir, { recursive: true, force: true });
  return undefined;
}

/**
 * Unmounts `dir`, retrying while it is busy (the server's health probe may have a file open in
 * it for a moment); throws with umount's reason when it stays busy.
 */
async function unmount(dir: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const result = spawnSync('umount', [dir], { encoding: 'utf8' });
    if (result.status === 0) return;
    if (Date.now() > deadline) throw new Error(`umount ${dir}: ${result.stderr.trim()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describeIfAvailable('full and read-only data directory', cannotMount(), () => {
  let mountPoint: string;
  let server: ServerProcess;
  let client: RemoteWorkflowServiceClient;
  let health: ReturnType<typeof healthClient>;

  beforeAll(async () => {
    mountPoint = mkdtempSync(join(tmpdir(), 'fsr-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', mountPoint]);
    server = await spawnServerProcess(mountPoint, ['--engine-health-interval-ms', '200', '--local-poll-interval-ms', '100']);
    client = new RemoteWorkflowServiceClient(server.address, credentials.createInsecure());
    health = healthClient(server.address);
  });

  afterAll(async () => {
    client?.close();
    health?.close();
    server?.child.kill('SIGKILL');
    await server?.exited;
    // Jobs outlive the server; one still running there (a failed test's gated job) keeps the disk busy.
    await killProcessesUsing(mountPoint);
    await unmount(mountPoint);
    rmSync(mountPoint, { recursive: true, force: true });
  });

  const healthOf = (service: string) =>
    new Promise<string>((resolve, reject) =>
      (health.Check as (r: object, m: Metadata, cb: (e: Error | null, r: { status: string }) => void) => void)({ service }, new Metadata(), (e, r) => (e ? reject(e) : resolve(r.status))),
    );
  const stateOf = async (workflowId: string) => (await call(client, 'getWorkflow', { workflowId })).workflow!.state!;
  const filler = () => join(mountPoint, 'filler');

  /** Writes zeros into the filler file until the file system refuses (ENOSPC). */
  function fillDisk(): void {
    const fd = openSync(filler(), 'a');
    const block = Buffer.alloc(64 * 1024);
    try {
      for (;;) writeSync(fd, block);
    } catch (err) {
      expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
    } finally {
      closeSync(fd);
    }
  }

  it('disk full: STORAGE_FULL answers, NOT_SERVING, a finished job stays RUNNING; freed: SUCCESS and SERVING, no restart', async () => {
    await expect.poll(() => healthOf('engine/local'), { timeout: 10_000 }).toBe('SERVING');
    const created = await call(client, 'createWorkflow', shellRequest('full-1', ['head -c 300000 /dev/zero > out.bin', 'while [ ! -f go ]; do sleep 0.05; done'], { outputs: ['out.bin'] }));
    const id = created.workflow!.workflowId;
    const work = join(mountPoint, 'runs', id, 'work');
    await expect.poll(() => existsSync(join(work, 'out.bin')) && statSync(join(work, 'out.bin')).size === 300_000, { timeout: 20_000 }).toBe(true);
    // The job runs before RUNNING is on disk; on a full disk RUNNING is skipped (it is informative), so wait for it.
    await expect.poll(async () => (await stateOf(id)).type, { timeout: 20_000 }).toBe(WorkflowStateType.WORKFLOW_STATE_TYPE_RUNNING);

    // The health probe writes and removes 64 KiB every 200 ms: what it held while the disk filled
    // up comes free again. Topping the disk up at every poll takes that back, until a probe finds
    // no room; from then on less than 64 KiB is ever free.
    await expect.poll(() => (fillDisk(), healthOf('engine/local')), { timeout: 10_000 }).toBe('NOT_SERVING');
    fillDisk();
    // Far more than the probe can hand back in the meantime, and new bytes (stored ones are not rewritten).
    const refused = await upload(client, randomBytes(1024 * 1024)).catch((e: ServiceError) => e);
    expect((refused as ServiceError).code).toBe(Code.RESOURCE_EXHAUSTED);
    expect(decodeStatusDetails((refused as ServiceError).metadata)?.errorInfo?.reason).toBe('STORAGE_FULL');

    const from = server.lines.length;
    writeFileSync(join(work, 'go'), '');
    await expect.poll(() => server.lines.slice(from).some((l) => l.msg === 'recording the outcome failed on a full or read-only disk; retrying'), { timeout: 20_000 }).toBe(true);
    expect((await stateOf(id)).type).toBe(WorkflowStateType.WORKFLOW_STATE_TYPE_RUNNING);

    rmSync(filler());
    await expect.poll(async () => (await stateOf(id)).type, { timeout: 60_000 }).toBe(WorkflowStateType.WORKFLOW_STATE_TYPE_SUCCESS);
    expect((await stateOf(id)).files.map((f) => [f.key, f.sizeBytes])).toEqual([['out.bin', 300_000]]);
    await expect.poll(() => healthOf('engine/local'), { timeout: 10_000 }).toBe('SERVING');
    expect((await upload(client, Buffer.from('after the disk was freed'))).sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('read-only runs folder: STORAGE_READ_ONLY answers and NOT_SERVING while reads work; read-write again: creates work, no restart', async () => {
    const before = await call(client, 'createWorkflow', shellRequest('ro-before', ['true']));
    await expect.poll(async () => (await stateOf(before.workflow!.workflowId)).type, { timeout: 20_000 }).toBe(WorkflowStateType.WORKFLOW_STATE_TYPE_SUCCESS);
    // The database is open for writing, so the data directory itself cannot be remounted
    // read-only (EBUSY): a second tmpfs over its runs folder, remounted read-only, stands in.
    const runs = join(mountPoint, 'runs');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', runs]);
    try {
      execFileSync('mount', ['-o', 'remount,ro', runs]);
      const { err, details } = await callError(client, 'createWorkflow', shellRequest('ro-1', ['true']));
      expect(err.code, JSON.stringify(server.lines.filter((l) => l.msg === 'internal error in handler').map((l) => l.err))).toBe(Code.UNAVAILABLE);
      expect(details?.errorInfo?.reason).toBe('STORAGE_READ_ONLY');
      expect((await call(client, 'getWorkflow', { workflowId: before.workflow!.workflowId })).workflow?.workflowId).toBe(before.workflow!.workflowId);
      await expect.poll(() => healthOf('engine/local'), { timeout: 10_000 }).toBe('NOT_SERVING');
      execFileSync('mount', ['-o', 'remount,rw', runs]);
      await expect.poll(() => healthOf('engine/local'), { timeout: 10_000 }).toBe('SERVING');
      const after = await call(client, 'createWorkflow', shellRequest('ro-2', ['true']));
      await expect.poll(async () => (await stateOf(after.workflow!.workflowId)).type, { timeout: 20_000 }).toBe(WorkflowStateType.WORKFLOW_STATE_TYPE_SUCCESS);
    } finally {
      await unmount(runs);
    }
  });
});
