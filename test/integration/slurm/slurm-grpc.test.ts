/**
 * The slurm engine through the gRPC API, against the real single-node cluster of
 * scripts/slurm-dev.sh: Hello World to SUCCESS with its downloads, the misspelled-command
 * variant to ERROR, StopWorkflow, reattaching after a server restart (graceful and SIGKILL), a
 * controller outage (health NOT_SERVING, CreateWorkflow accepted and submitted once the
 * controller is back, without a restart) and 100 workflows at once. It stops slurmctld, so it must not run beside any other
 * Slurm test file: vitest.config.ts runs test/integration/slurm/** one file at a time, after
 * everything else.
 */
import { credentials, status as Code } from '@grpc/grpc-js';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RemoteWorkflowServiceClient } from '../../../src/gen/flowserv/remote/v1/service.js';
import { WorkflowStateType } from '../../../src/gen/flowserv/remote/v1/workflow.js';
import { call, callError, unary } from '../../support/grpc-calls.js';
import { helloWorldRequest } from '../../support/helloworld.js';
import { describeIfAvailable } from '../../support/requirements.js';
import { spawnServerProcess } from '../../support/server-process.js';
import { startAppServer, type AppServer } from '../../support/app-server.js';
import { healthClient } from '../../support/grpc-clients.js';
import { makeTempRoot, slurmDev, slurmMissing } from './slurm-cluster.js';
import { readExitStatus } from '../../../src/engines/runner/job-runner.js';
import {
  activeSlurmJob,
  cancelJobsUnder,
  downloadText,
  followToEnd,
  slurmJobState,
  slurmServerArgs,
  slurmShellRequest,
  typeNames,
  waitForState,
} from './slurm-grpc-support.js';

const { PENDING, RUNNING, SUCCESS, ERROR, CANCELED } = {
  PENDING: WorkflowStateType.WORKFLOW_STATE_TYPE_PENDING,
  RUNNING: WorkflowStateType.WORKFLOW_STATE_TYPE_RUNNING,
  SUCCESS: WorkflowStateType.WORKFLOW_STATE_TYPE_SUCCESS,
  ERROR: WorkflowStateType.WORKFLOW_STATE_TYPE_ERROR,
  CANCELED: WorkflowStateType.WORKFLOW_STATE_TYPE_CANCELED,
};

describeIfAvailable('slurm engine through the gRPC API (real single-node cluster)', slurmMissing(), () => {
  let root: { dir: string; cleanup(): Promise<void> };
  let server: AppServer;

  beforeAll(async () => {
    root = await makeTempRoot();
    // 100 CreateWorkflow calls at once from one client: lift the per-client burst limit.
    server = await startAppServer({ dataDir: join(root.dir, 'data'), args: slurmServerArgs(join(root.dir, 'runs'), ['--create-burst', '100']) });
  });

  afterAll(async () => {
    await server?.stop();
    if (root) await cancelJobsUnder(root.dir);
    await root?.cleanup();
  });

  it('runs Hello World to SUCCESS on slurm and its results download', async () => {
    const { client } = server;
    const req = { ...(await helloWorldRequest(client, { runId: 'hello-slurm', sleeptime: 0 })), engine: 'slurm' };
    const created = await call(client, 'createWorkflow', req);
    const id = created.workflow!.workflowId;
    expect(created.workflow!.engine).toBe('slurm');
    const states = await followToEnd(client, id);
    expect(typeNames(states)).toEqual(['PENDING', 'RUNNING', 'SUCCESS']);
    const { handle } = (await server.app.testing.record(id))!;
    expect(handle).toMatchObject({ engine: 'slurm', externalId: expect.stringMatching(/^\d+$/) });
    expect(handle!.workDir.startsWith(join(root.dir, 'runs'))).toBe(true);
    expect(await slurmJobState(handle!.externalId)).toBe('COMPLETED');
    expect(await downloadText(client, id, 'results/greetings.txt')).toBe('Hello Alice!\nHello Bob!\n');
    expect(JSON.parse(await downloadText(client, id, 'results/analytics.json'))).toEqual({
      avg_count: 11.0,
      total_count: 22,
      max_len: 12,
      max_line: 'Hello Alice!',
    });
  });

  it('ends the misspelled-command variant in ERROR with the shell\'s message', async () => {
    const { client } = server;
    const req = { ...(await helloWorldRequest(client, { runId: 'hello-slurm-invalid', specfile: 'benchmark-invalid-cmd.yaml' })), engine: 'slurm' };
    const id = (await call(client, 'createWorkflow', req)).workflow!.workflowId;
    const states = await followToEnd(client, id);
    const last = states.at(-1)!;
    expect(last.type).toBe(ERROR);
    expect(last.messages).toEqual(['/bin/sh: 1: pithon: not found\n']);
    expect(last.stoppedAt).toBeInstanceOf(Date);
  });

  it('StopWorkflow cancels a running Slurm job: CANCELED, and the job is gone from Slurm', async () => {
    const { client } = server;
    const req = slurmShellRequest('stop-slurm', ['echo $$ > sleeper.pid && exec sleep 300']);
    const id = (await call(client, 'createWorkflow', req)).workflow!.workflowId;
    await waitForState(client, id, RUNNING);
    const handle = (await server.app.testing.record(id))!.handle!;
    const pidFile = join(handle.workDir, 'sleeper.pid');
    await expect.poll(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '').toBe(true);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(await slurmJobState(handle.externalId)).toBe('RUNNING');

    const t0 = Date.now();
    const stopped = await call(client, 'stopWorkflow', { workflowId: id, reason: 'not needed', gracePeriod: { seconds: 2, nanos: 0 } });
    console.info(`[slurm-grpc] StopWorkflow took ${Date.now() - t0} ms`);
    expect(stopped.state).toMatchObject({ type: CANCELED, messages: ['not needed'] });
    expect(await activeSlurmJob(handle.externalId)).toBe('');
    expect(await slurmJobState(handle.externalId)).toBe('CANCELLED');
    expect(existsSync(`/proc/${pid}`) && !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))).toBe(false);
    const states = await followToEnd(client, id);
    expect(typeNames(states)).toEqual(['PENDING', 'RUNNING', 'CANCELED']);
    const again = await call(client, 'stopWorkflow', { workflowId: id, reason: 'again', gracePeriod: undefined });
    expect(again.state).toEqual(stopped.state);
  });

  it('passes EngineResources to sbatch; INVALID_ARGUMENT for resources the pre-check refuses, ERROR for those only sbatch refuses', async () => {
    const { client } = server;
    const req = slurmShellRequest('resources-ok', ['echo ok > out.txt'], ['out.txt'], {
      resources: { partition: '', timeLimit: { seconds: 90, nanos: 0 }, cpus: 2, memoryMb: 100, extraArgs: ['--nodes=1'] },
    });
    const id = (await call(client, 'createWorkflow', req)).workflow!.workflowId;
    expect((await followToEnd(client, id)).at(-1)!.type).toBe(SUCCESS);
    const jobId = (await server.app.testing.record(id))!.handle!.externalId;
    const record = await new Promise<string>((resolve, reject) =>
      execFile('scontrol', ['show', 'job', '-o', jobId], (err, stdout) => (err ? reject(err) : resolve(stdout))),
    );
    expect(record).toMatch(/\bTimeLimit=00:02:00\b/); // 90 s rounded up to whole minutes
    expect(record).toMatch(/\bNumCPUs=2\b/);
    expect(record).toMatch(/\bMinMemoryNode=100M\b/);
    expect(record).toMatch(/\bNumNodes=1\b/);

    const noResources = { partition: '', timeLimit: undefined, cpus: 0, memoryMb: 0, extraArgs: [] };
    // Foreseen by the engine's pre-check: refused before anything is stored.
    const runDirsBefore = readdirSync(join(root.dir, 'runs')).sort();
    const foreseen = slurmShellRequest('resources-bad-wrap', ['true'], [], {
      labels: { suite: 'slurm-grpc-refused' },
      resources: { ...noResources, extraArgs: ['--wrap=rm -rf /'] },
    });
    const { err, details } = await callError(client, 'createWorkflow', foreseen);
    expect(err.code, err.details).toBe(Code.INVALID_ARGUMENT);
    expect(err.details).toMatch(/'--wrap=rm -rf \/' is not allowed/);
    expect(details?.fieldViolations).toEqual([expect.objectContaining({ field: 'resources.extra_args', reason: 'ENGINE_REJECTED' })]);
    const listed = await call(client, 'listWorkflows', { pageSize: 10, pageToken: '', states: [], labels: { suite: 'slurm-grpc-refused' }, engine: '' });
    expect(listed.workflows).toEqual([]);
    expect(readdirSync(join(root.dir, 'runs')).sort()).toEqual(runDirsBefore);

    // Only the controller knows these: the workflow is accepted and ends in ERROR with Slurm's message.
    const refusedLater = [
      { partition: 'no-such-partition', pattern: /Invalid partition name specified/ },
      { memoryMb: 100_000_000, pattern: /Requested node configuration is not available|Memory specification can not be satisfied/ },
    ];
    for (const [i, { pattern, ...resources }] of refusedLater.entries()) {
      const bad = slurmShellRequest(`resources-bad-${i}`, ['true'], [], { resources: { ...noResources, ...resources } });
      const created = await call(client, 'createWorkflow', bad);
      expect(created.workflow!.state!.type).toBe(PENDING);
      const last = (await followToEnd(client, created.workflow!.workflowId)).at(-1)!;
      expect(last.type).toBe(ERROR);
      expect(last.messages.join('\n')).toMatch(pattern);
    }
  });

  it('reattaches Slurm jobs after a graceful restart of the server; they finish to SUCCESS', async () => {
    const dataDir = join(root.dir, 'restart-data');
    const args = slurmServerArgs(join(root.dir, 'restart-runs'));
    let first: AppServer | undefined = await startAppServer({ dataDir, args });
    let second: AppServer | undefined;
    try {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const req = slurmShellRequest(`restart-${i}`, [`sleep 4; echo ${i} > out.txt`], ['out.txt']);
        ids.push((await call(first.client, 'createWorkflow', req)).workflow!.workflowId);
      }
      for (const id of ids) await waitForState(first.client, id, RUNNING);
      const jobIds = await Promise.all(ids.map(async (id) => (await first!.app.testing.record(id))!.handle!.externalId));
      await first.stop();
      first = undefined;
      for (const job of jobIds) expect(await slurmJobState(job)).toBe('RUNNING');

      second = await startAppServer({ dataDir, args });
      for (const [i, id] of ids.entries()) {
        const states = await followToEnd(second.client, id);
        expect(typeNames(states)).toEqual(['PENDING', 'RUNNING', 'SUCCESS']);
        expect(states.map((s) => s.sequence)).toEqual([1, 2, 3]);
        expect(await downloadText(second.client, id, 'out.txt')).toBe(`${i}\n`);
      }
    } finally {
      await first?.stop();
      await second?.stop();
    }
  });

  it('reattaches Slurm jobs after the server process is killed (SIGKILL), including ones that ended meanwhile', async () => {
    const dataDir = join(root.dir, 'kill-data');
    // spawnServerProcess waits for the info-level "listening" line: keep its log level.
    const args = slurmServerArgs(join(root.dir, 'kill-runs'));
    const first = await spawnServerProcess(dataDir, args);
    let client = new RemoteWorkflowServiceClient(first.address, credentials.createInsecure());
    const ids: string[] = [];
    try {
      // One that ends while the server is down, two that are still running when it comes back.
      const sleeps = [1, 8, 8];
      for (const [i, s] of sleeps.entries()) {
        const req = slurmShellRequest(`kill-${i}`, [`sleep ${s}; echo ${i} > out.txt`], ['out.txt']);
        ids.push((await call(client, 'createWorkflow', req)).workflow!.workflowId);
      }
      for (const id of ids) await waitForState(client, id, RUNNING);
    } finally {
      client.close();
      first.child.kill('SIGKILL');
    }
    expect(await first.exited).toBe('SIGKILL');
    // The short job must end while no server is watching: wait for its runner's exit status.
    const controlDir = join(root.dir, 'kill-runs', ids[0]!);
    await expect.poll(async () => (await readExitStatus(controlDir)) !== undefined, { timeout: 30_000, interval: 100 }).toBe(true);

    const second = await spawnServerProcess(dataDir, args);
    client = new RemoteWorkflowServiceClient(second.address, credentials.createInsecure());
    try {
      for (const [i, id] of ids.entries()) {
        const states = await followToEnd(client, id);
        expect(typeNames(states)).toEqual(['PENDING', 'RUNNING', 'SUCCESS']);
        expect(await downloadText(client, id, 'out.txt')).toBe(`${i}\n`);
      }
    } finally {
      client.close();
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    }
  }, 90_000);

  it('a stopped slurmctld makes engine/slurm NOT_SERVING; CreateWorkflow still accepts, and the workflow runs once it is back, without a restart', async () => {
    const runsDir = join(root.dir, 'outage-runs');
    const outage = await startAppServer({
      dataDir: join(root.dir, 'outage-data'),
      args: slurmServerArgs(runsDir, ['--engine-health-interval-ms', '500']),
    });
    const health = healthClient(outage.address);
    const check = async () => (await unary<{ status: string }>(health, 'Check', { service: 'engine/slurm' })).status;
    try {
      await expect.poll(check, { timeout: 10_000 }).toBe('SERVING');
      expect(await check()).toBe('SERVING');
      let id: string;
      try {
        await slurmDev('stop', 'slurmctld');
        await expect.poll(check, { timeout: 10_000 }).toBe('NOT_SERVING');
        expect(await unary<{ status: string }>(health, 'Check', { service: '' })).toEqual({ status: 'SERVING' });

        const t0 = Date.now();
        const created = await call(outage.client, 'createWorkflow', slurmShellRequest('outage', ['echo hi > out.txt'], ['out.txt']));
        console.info(`[slurm-grpc] CreateWorkflow with slurmctld down answered after ${Date.now() - t0} ms`);
        expect(created.workflow!.state!.type).toBe(PENDING);
        id = created.workflow!.workflowId;
        // sbatch cannot reach the controller: the submission is retried, the workflow stays PENDING.
        expect((await outage.app.testing.record(id))!.handle).toBeUndefined();
        expect((await outage.app.service.getWorkflow(id)).state.type).toBe('PENDING');
      } finally {
        await slurmDev('up');
      }
      await expect.poll(check, { timeout: 15_000 }).toBe('SERVING');
      const states = await followToEnd(outage.client, id);
      expect(typeNames(states)).toEqual(['PENDING', 'RUNNING', 'SUCCESS']);
      expect(await downloadText(outage.client, id, 'out.txt')).toBe('hi\n');
    } finally {
      health.close();
      await outage.stop();
    }
  }, 120_000);

  it('runs 100 small workflows submitted at once through gRPC, all correctly', async () => {
    const { client } = server;
    const n = 100;
    const t0 = Date.now();
    const created = await Promise.all(
      Array.from({ length: n }, (_, i) => call(client, 'createWorkflow', slurmShellRequest(`many-${i}`, [`echo workflow ${i} > out.txt`], ['out.txt']))),
    );
    const createdMs = Date.now() - t0;
    const ids = created.map((c) => c.workflow!.workflowId);
    expect(created.every((c) => c.workflow!.state!.type === PENDING || c.workflow!.state!.type === RUNNING)).toBe(true);
    const finals = await Promise.all(ids.map(async (id) => (await followToEnd(client, id)).at(-1)!));
    const totalMs = Date.now() - t0;
    console.info(`[slurm-grpc] ${n} workflows: all created in ${createdMs} ms, all ended in ${totalMs} ms`);
    expect(finals.filter((s) => s.type === SUCCESS)).toHaveLength(n);
    const texts = await Promise.all(ids.map((id) => downloadText(client, id, 'out.txt')));
    expect(texts).toEqual(ids.map((_, i) => `workflow ${i}\n`));
    const jobIds = new Set(await Promise.all(ids.map(async (id) => (await server.app.testing.record(id))!.handle!.externalId)));
    expect(jobIds.size).toBe(n);
    expect(totalMs).toBeLessThan(120_000);
  }, 180_000);
});
