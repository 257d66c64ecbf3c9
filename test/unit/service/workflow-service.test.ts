import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createLocalEngine } from '../../../src/engines/local/local-engine.js';
import type { EngineAdapter } from '../../../src/engines/types.js';
import { AlreadyExistsError, InvalidArgumentError, OutOfRangeError, WorkflowNotFoundError } from '../../../src/errors.js';
import { createPlanner } from '../../../src/service/plan-workflow.js';
import type { CreateWorkflowInput, WatchEvent } from '../../../src/service/types.js';
import { createWorkflowServiceWithTesting, type WorkflowService, type WorkflowServiceTesting } from '../../../src/service/workflow-service.js';
import { createBlobStore } from '../../../src/store/blob-store.js';
import { createSqliteBlobIndex } from '../../../src/store/blob-index.js';
import { openDatabase } from '../../../src/store/database.js';
import type { StateRecord } from '../../../src/store/records.js';
import { createSqliteWorkflowStore } from '../../../src/store/sqlite-workflow-store.js';
import { replicaOfArea } from '../../../src/util/process-area.js';

const logger = pino({ level: 'silent' });
const open: WorkflowService[] = [];
const testingOf = new Map<WorkflowService, WorkflowServiceTesting>();

function newService(dataDir: string, maxConcurrentJobs = 4): WorkflowService {
  const db = openDatabase(join(dataDir, 'db.sqlite'));
  const engines = new Map<string, EngineAdapter>([
    ['local', createLocalEngine({ baseDir: join(dataDir, 'runs'), maxConcurrentJobs, pollIntervalMs: 100 })],
  ]);
  const { service, testing } = createWorkflowServiceWithTesting({
    store: createSqliteWorkflowStore(db),
    blobs: createBlobStore(createSqliteBlobIndex(db), join(dataDir, 'blobs')),
    engines,
    defaultEngine: 'local',
    planWorkflow: createPlanner(),
    runsDirFor: () => join(dataDir, 'runs'),
    limits: { maxUploadBytes: 1 << 20, uploadChunkBytes: 1 << 16, downloadChunkBytes: 1 << 16, heartbeatIntervalMs: 200, maxPageSize: 100, maxDirectoryEntries: 100, maxDirectoryBytes: 1 << 20 },
    logger,
  });
  open.push(service);
  testingOf.set(service, testing);
  return service;
}

/** What is staged in the runs directory's incoming area, whichever process's part it is in. */
function stagedEntries(runsDir: string): string[] {
  const incoming = join(runsDir, '.incoming');
  return readdirSync(incoming).flatMap((name) => (replicaOfArea(name) === undefined ? [name] : readdirSync(join(incoming, name)).map((inner) => `${name}/${inner}`)));
}

function shellWorkflow(runId: string, commands: string[], extra: Partial<CreateWorkflowInput> = {}): CreateWorkflowInput {
  return {
    run: { runId },
    template: {
      workflow: { steps: [{ name: 'main', action: { environment: 'sh', commands } }], files: { outputs: ['out/result.txt'] } },
      parameters: [{ name: 'who', dtype: 'string', defaultValue: 'world' }],
    },
    arguments: [],
    staticFiles: [],
    ...extra,
  };
}

async function untilDone(service: WorkflowService, id: string): Promise<StateRecord[]> {
  const states: StateRecord[] = [];
  for await (const ev of await service.watchState(id, 0, new AbortController().signal)) if (ev.kind === 'state') states.push(ev.state);
  return states;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

describe('workflow service on the local engine', () => {
  it('runs a workflow to SUCCESS and stores its declared output with size and sha256', async () => {
    const service = newService(mkdtempSync(join(tmpdir(), 'svc-')));
    const { workflow } = await service.createWorkflow(shellWorkflow('r1', ['mkdir -p out && echo hello > out/result.txt']));
    const states = await untilDone(service, workflow.workflowId);
    expect(states.map((s) => s.type)).toEqual(['PENDING', 'RUNNING', 'SUCCESS']);
    expect(states.map((s) => s.sequence)).toEqual([1, 2, 3]);
    const file = states[2]!.files[0]!;
    expect(file).toEqual({ key: 'out/result.txt', sizeBytes: 6, sha256: createHash('sha256').update('hello\n').digest('hex') });
    const download = await service.openDownload(workflow.workflowId, 'out/result.txt', 2);
    const chunks: Buffer[] = [];
    for await (const c of download.chunks) chunks.push(Buffer.from(c));
    expect(Buffer.concat(chunks).toString()).toBe('llo\n');
  });

  it('ends in ERROR naming a declared output that the job did not write', async () => {
    const service = newService(mkdtempSync(join(tmpdir(), 'svc-')));
    const { workflow } = await service.createWorkflow(shellWorkflow('r1', ['true']));
    const last = (await untilDone(service, workflow.workflowId)).at(-1)!;
    expect(last.type).toBe('ERROR');
    expect(last.messages).toEqual(["missing output file 'out/result.txt'"]);
  });

  it('rejects an output that is a symlink leaving the working directory', async () => {
    const service = newService(mkdtempSync(join(tmpdir(), 'svc-')));
    const { workflow } = await service.createWorkflow(shellWorkflow('r1', ['mkdir -p out && ln -s /etc/passwd out/result.txt']));
    const last = (await untilDone(service, workflow.workflowId)).at(-1)!;
    expect(last.type).toBe('ERROR');
    expect(last.messages[0]).toMatch(/outside the working directory/);
  });

  it('reports every invalid argument at once as field violations and stores nothing', async () => {
    const service = newService(mkdtempSync(join(tmpdir(), 'svc-')));
    const input = shellWorkflow('r1', ['true'], {
      arguments: [{ name: 'nope', value: 1 }, { name: 'who', value: 'a' }, { name: 'who', value: 'b' }],
    });
    const err = await service.createWorkflow(input).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    const fields = (err as InvalidArgumentError).violations.map((v) => v.field).sort();
    expect(fields).toEqual(['arguments.nope', 'arguments.who']);
    expect((await service.listWorkflows({})).workflows).toHaveLength(0);
  });

  it('replays an identical request and refuses a different one with the same run id', async () => {
    const service = newService(mkdtempSync(join(tmpdir(), 'svc-')));
    const first = await service.createWorkflow(shellWorkflow('r1', ['mkdir -p out; echo > out/result.txt']));
    const again = await service.createWorkflow(shellWorkflow('r1', ['mkdir -p out; echo > out/result.txt']));
    expect(again.replayed).toBe(true);
    expect(again.workflow.workflowId).toBe(first.workflow.workflowId);
    await expect(service.createWorkflow(shellWorkflow('r1', ['echo different']))).rejects.toBeInstanceOf(AlreadyExistsError);
  });

  it('queues workflows beyond the engine limit as PENDING and runs them all', async () => {
    const service = newService(mkdtempSync(join(tmpdir(), 'svc-')), 1);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await service.createWorkflow(shellWorkflow(`q${i}`, ['sleep 0.2; mkdir -p out; echo > out/result.txt']))).workflow.workflowId);
    }
    expect((await service.getWorkflow(ids[2]!)).state.type).toBe('PENDING');
    expect(testingOf.get(service)!.activeCount('local')).toBe(1);
    // Without inputs, creation makes the run directory only; the engine makes the working directory when it submits.
    const queued = (await testingOf.get(service)!.record(ids[2]!))!.job;
    expect(existsSync(queued.controlDir)).toBe(true);
    expect(existsSync(queued.workDir)).toBe(false);
    for (const id of ids) expect((await untilDone(service, id)).at(-1)!.type).toBe('SUCCESS');
    expect(existsSync(join(queued.workDir, 'out', 'result.txt'))).toBe(true);
  });

  it('stops a running workflow: CANCELED with the reason; stopping again returns the same state', async () => {
    const service = newService(mkdtempSync(join(tmpdir(), 'svc-')));
    const { workflow } = await service.createWorkflow(shellWorkflow('r1', ['sleep 300']));
    const events = await service.watchState(workflow.workflowId, 0, new AbortController().signal);
    for await (const ev of events) if (ev.kind === 'state' && ev.state.type === 'RUNNING') break;
    const stopped = await service.stopWorkflow(workflow.workflowId, 'enough', 1000);
    expect(stopped).toMatchObject({ type: 'CANCELED', messages: ['enough'] });
    expect(await service.stopWorkflow(workflow.workflowId, 'again', 1000)).toEqual(stopped);
  });

  it('watch: replays from a cursor without duplicates, rejects a cursor ahead of the log, heartbeats while idle', async () => {
    const service = newService(mkdtempSync(join(tmpdir(), 'svc-')));
    const { workflow } = await service.createWorkflow(shellWorkflow('r1', ['sleep 0.5; mkdir -p out; echo > out/result.txt']));
    const ac = new AbortController();
    const seen: WatchEvent[] = [];
    for await (const ev of await service.watchState(workflow.workflowId, 1, ac.signal)) seen.push(ev);
    const states = seen.filter((e) => e.kind === 'state');
    expect(states.map((e) => (e.kind === 'state' ? e.state.sequence : 0))).toEqual([2, 3]);
    expect(seen.some((e) => e.kind === 'heartbeat')).toBe(true);
    await expect(service.watchState(workflow.workflowId, 4, ac.signal)).rejects.toThrow(OutOfRangeError);
    await expect(service.watchState('missing', 0, ac.signal)).rejects.toThrow(WorkflowNotFoundError);
    expect(testingOf.get(service)!.subscriberCount()).toBe(0);
  });

  it('after a restart, a job that kept running is reattached and finishes to SUCCESS', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'svc-'));
    const first = newService(dir);
    const { workflow } = await first.createWorkflow(shellWorkflow('r1', ['sleep 1; mkdir -p out; echo done > out/result.txt']));
    await first.close();
    const second = newService(dir);
    await second.start();
    const last = (await untilDone(second, workflow.workflowId)).at(-1)!;
    expect(last.type).toBe('SUCCESS');
    expect(readFileSync(join(dir, 'runs', workflow.workflowId, 'work', 'out', 'result.txt'), 'utf8')).toBe('done\n');
  });

  it('refuses a label filter whose key could not have been stored', async () => {
    const service = newService(mkdtempSync(join(tmpdir(), 'svc-')));
    await expect(service.listWorkflows({ labels: { 'a"b': 'x' } })).rejects.toThrow(InvalidArgumentError);
  });

  it('on first start over the earlier layout, removes run directories a crash left between staging and recording', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'svc-'));
    const orphan = join(dir, 'runs', 'a'.repeat(32));
    mkdirSync(join(orphan, 'work.staging-x'), { recursive: true });
    const service = newService(dir);
    await service.start();
    expect(existsSync(orphan)).toBe(false);
    const { workflow } = await service.createWorkflow(shellWorkflow('kept', ['mkdir -p out; echo > out/result.txt']));
    await untilDone(service, workflow.workflowId);
    expect(existsSync(join(dir, 'runs', workflow.workflowId, 'work'))).toBe(true);
    expect(stagedEntries(join(dir, 'runs'))).toEqual([]);
  });

  it('stages in the incoming area and on start removes only its unrecorded leftovers, never scanning run directories', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'svc-'));
    const first = newService(dir);
    await first.start();
    const { workflow } = await first.createWorkflow(shellWorkflow('kept', ['mkdir -p out; echo > out/result.txt']));
    await untilDone(first, workflow.workflowId);
    await first.close();
    const unrecorded = join(dir, 'runs', '.incoming', 'b'.repeat(32));
    mkdirSync(join(unrecorded, 'work'), { recursive: true });
    // A run directory outside the incoming area is recorded by construction: start-up leaves it unread.
    const outside = join(dir, 'runs', 'c'.repeat(32));
    mkdirSync(outside);
    const second = newService(dir);
    await second.start();
    expect(existsSync(unrecorded)).toBe(false);
    expect(existsSync(outside)).toBe(true);
    expect(readdirSync(join(dir, 'runs', workflow.workflowId))).toContain('work');
  });

  it('after a crash between recording a workflow and moving its run directory into place, moves it and runs the workflow', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'svc-'));
    const first = newService(dir);
    await first.start();
    const { workflow } = await first.createWorkflow(shellWorkflow('moved', ['mkdir -p out; echo done > out/result.txt']));
    await untilDone(first, workflow.workflowId);
    await first.close();
    // Rewind to the moment after the insert commit: PENDING, never submitted, directory still incoming.
    const db = openDatabase(join(dir, 'db.sqlite'));
    db.prepare('DELETE FROM workflow_states WHERE workflow_id = ? AND sequence > 1').run(workflow.workflowId);
    db.prepare("UPDATE workflows SET handle = NULL, job_done = 0, state_type = 'PENDING', sequence = 1 WHERE workflow_id = ?").run(workflow.workflowId);
    db.close();
    const runDir = join(dir, 'runs', workflow.workflowId);
    // At that moment the run directory held only the staged working directory: no runner records.
    for (const name of readdirSync(runDir).filter((n) => n !== 'work')) rmSync(join(runDir, name), { recursive: true, force: true });
    rmSync(join(runDir, 'work', 'out'), { recursive: true, force: true });
    renameSync(runDir, join(dir, 'runs', '.incoming', workflow.workflowId));
    const second = newService(dir);
    await second.start();
    const last = (await untilDone(second, workflow.workflowId)).at(-1)!;
    expect(last.type).toBe('SUCCESS');
    expect(readFileSync(join(runDir, 'work', 'out', 'result.txt'), 'utf8')).toBe('done\n');
    expect(stagedEntries(join(dir, 'runs'))).toEqual([]);
  });

  it('after a crash between starting a job and recording it, adopts the running job instead of starting it twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'svc-'));
    const first = newService(dir);
    const { workflow } = await first.createWorkflow(
      shellWorkflow('adopt', ['echo ran >> starts.log; sleep 1; mkdir -p out; echo done > out/result.txt']),
    );
    await expect.poll(async () => (await first.getWorkflow(workflow.workflowId)).state.type).toBe('RUNNING');
    await first.close();
    // Rewind the store to the moment before the handle was committed: PENDING, no handle.
    const db = openDatabase(join(dir, 'db.sqlite'));
    db.prepare('DELETE FROM workflow_states WHERE workflow_id = ? AND sequence > 1').run(workflow.workflowId);
    db.prepare("UPDATE workflows SET handle = NULL, state_type = 'PENDING', sequence = 1 WHERE workflow_id = ?").run(workflow.workflowId);
    db.close();
    const second = newService(dir);
    await second.start();
    const last = (await untilDone(second, workflow.workflowId)).at(-1)!;
    expect(last.type).toBe('SUCCESS');
    expect(readFileSync(join(dir, 'runs', workflow.workflowId, 'work', 'starts.log'), 'utf8')).toBe('ran\n');
  });

  it('verifies uploads against the declared digest', async () => {
    const service = newService(mkdtempSync(join(tmpdir(), 'svc-')));
    const sha = createHash('sha256').update('names').digest('hex');
    const result = await service.uploadFile(Readable.from([Buffer.from('names')]), { sha256: sha, sizeBytes: 5 });
    expect(result.alreadyPresent).toBe(false);
    expect(await service.findFiles([sha, '0'.repeat(64)])).toEqual([sha]);
    await expect(service.uploadFile(Readable.from([Buffer.from('namez')]), { sha256: sha, sizeBytes: 5 })).rejects.toMatchObject({ reason: 'CHECKSUM_MISMATCH' });
  });

  it('names every bad field with a catalogue reason (upload header, page token)', async () => {
    const service = newService(mkdtempSync(join(tmpdir(), 'svc-')));
    await expect(service.uploadFile(Readable.from([]), { sha256: 'XYZ', sizeBytes: -1 })).rejects.toMatchObject({
      violations: [
        { field: 'header.sha256', reason: 'INVALID_DIGEST' },
        { field: 'header.size_bytes', reason: 'OUT_OF_BOUNDS' },
      ],
    });
    await expect(service.listWorkflows({ pageSize: 1, pageToken: 'bm9wZQ' })).rejects.toThrow(
      expect.objectContaining({ violations: [expect.objectContaining({ field: 'page_token', reason: 'INVALID_PAGE_TOKEN' })] }),
    );
    // A token whose time is not an instant this server wrote, or whose id no store can hold.
    for (const cursor of [['yesterday', 'wf'], ['2026-01-01T00:00:00.000Z', 'wf\0']]) {
      await expect(service.listWorkflows({ pageSize: 1, pageToken: Buffer.from(JSON.stringify(cursor)).toString('base64url') })).rejects.toThrow(
        expect.objectContaining({ violations: [expect.objectContaining({ field: 'page_token', reason: 'INVALID_PAGE_TOKEN' })] }),
      );
    }
  });
});
