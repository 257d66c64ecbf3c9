/**
 * createSlurmEngine over a scripted cluster (fake-slurm.ts): submit, observe, status, stop,
 * adopt and health, and what each does while the controller is unreachable, so the engine's
 * logic runs on machines without Slurm. The real-cluster tests in test/integration/slurm cover
 * the same engine against slurmctld itself.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSlurmEngine, type SlurmEngine } from '../../../../src/engines/slurm/slurm-engine.js';
import { EngineRejectedError, EngineUnavailableError, type JobEvent, type JobSpec } from '../../../../src/engines/types.js';
import { createFakeSlurm, type FakeSlurm } from './fake-slurm.js';

let base: string;
let slurm: FakeSlurm;
let engine: SlurmEngine;

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'slurm-engine-'));
  slurm = createFakeSlurm();
  engine = createSlurmEngine({ cli: slurm.cli, baseDir: base, pollIntervalMs: 10, exitFileGraceMs: 0, stopConfirmTimeoutMs: 1000 });
});

afterEach(async () => {
  await engine.close();
  await rm(base, { recursive: true, force: true });
});

function job(name = 'wf1', resources?: JobSpec['resources']): JobSpec {
  return {
    workflowId: name,
    workDir: join(base, name, 'work'),
    controlDir: join(base, name, 'ctl'),
    steps: [{ name: 's', commands: ['true'] }],
    ...(resources && { resources }),
  };
}

/** Observes in the background; `events` fills as they come. */
function observing(handle: Parameters<SlurmEngine['observe']>[0]) {
  const events: JobEvent[] = [];
  const done = (async () => {
    for await (const event of engine.observe(handle, new AbortController().signal)) events.push(event);
    return events;
  })();
  return { events, done };
}

const squeueCalls = () => slurm.callsOf('squeue').length;

describe('slurm engine over a scripted cluster', () => {
  it('submits the runner with sbatch into created directories and hands back the job id', async () => {
    const handle = await engine.submit(job('wf1', { partition: 'debug' }));
    expect(handle).toEqual({ engine: 'slurm', externalId: '1001', workDir: join(base, 'wf1', 'work'), controlDir: join(base, 'wf1', 'ctl') });
    const [sbatch] = slurm.callsOf('sbatch');
    expect(sbatch!.args).toEqual(expect.arrayContaining(['--parsable', `--chdir=${handle.workDir}`, '--partition=debug', '--job-name=flowserv-wf1']));
    expect(sbatch!.args.at(-1)).toBe(join(handle.controlDir, 'run.sh'));
    expect(existsSync(join(handle.controlDir, 'run.sh'))).toBe(true);
    expect(existsSync(handle.workDir)).toBe(true);
  });

  it('refuses jobs outside the shared directory or with bad resources before running sbatch', async () => {
    await expect(engine.submit({ ...job(), workDir: '/elsewhere/work' })).rejects.toThrow(/outside the shared directory/);
    await expect(engine.submit(job('wf2', { cpus: -2 }))).rejects.toBeInstanceOf(EngineRejectedError);
    expect(slurm.callsOf('sbatch')).toEqual([]);
  });

  it('tells a refusal (EngineRejectedError) from an unreachable controller (EngineUnavailableError)', async () => {
    slurm.refuseNextSubmit('Batch job submission failed: Invalid partition name specified');
    await expect(engine.submit(job('wf1'))).rejects.toThrow(new EngineRejectedError('slurm', 'sbatch failed: Batch job submission failed: Invalid partition name specified'));
    slurm.down();
    const down = engine.submit(job('wf2'));
    await expect(down).rejects.toBeInstanceOf(EngineUnavailableError);
    await expect(down).rejects.toThrow(/Unable to contact slurm controller/);
  });

  it('follows a job through a controller outage: keeps watching, then reports how it ended', async () => {
    const handle = await engine.submit(job());
    const watch = observing(handle);
    await expect.poll(squeueCalls).toBeGreaterThan(0);
    await slurm.start(handle.externalId);
    await expect.poll(() => watch.events.length).toBe(1);
    expect(watch.events[0]!.type).toBe('started');

    slurm.down();
    const beforeOutage = squeueCalls();
    await expect.poll(squeueCalls).toBeGreaterThan(beforeOutage + 2);
    await slurm.finish(handle.externalId, 0);
    expect(watch.events).toHaveLength(1);
    slurm.up();
    const events = await watch.done;
    expect(events.map((e) => e.type)).toEqual(['started', 'ended']);
    expect(events[1]).toMatchObject({ type: 'ended', outcome: { kind: 'succeeded' } });
  });

  it('reports a started event even for a job that ended between two polls', async () => {
    const handle = await engine.submit(job());
    await slurm.start(handle.externalId);
    await slurm.finish(handle.externalId, 4);
    const events = await observing(handle).done;
    expect(events.map((e) => e.type)).toEqual(['started', 'ended']);
    expect(events[1]).toMatchObject({ outcome: { kind: 'failed', exitCode: 4 } });
  });

  it('answers status() from one immediate poll, and fails with EngineUnavailableError while the controller is down', async () => {
    const handle = await engine.submit(job());
    expect(await engine.status(handle)).toEqual({ kind: 'queued' });
    slurm.down();
    await expect(engine.status(handle)).rejects.toThrow(EngineUnavailableError);
    await expect(engine.status(handle)).rejects.toThrow(/cannot read the state of Slurm job 1001: .*Unable to contact slurm controller/);
  });

  it('stops with scancel and confirms the job is over; a stop during an outage fails so it can be retried', async () => {
    const handle = await engine.submit(job());
    await slurm.start(handle.externalId);
    slurm.down();
    await expect(engine.stop(handle, 1000)).rejects.toBeInstanceOf(EngineUnavailableError);
    expect(slurm.callsOf('scancel')).toEqual([]);
    slurm.up();
    await engine.stop(handle, 1000);
    expect(slurm.callsOf('scancel').map((c) => c.args)).toEqual([[handle.externalId]]);
    const events = await observing(handle).done;
    expect(events.at(-1)).toMatchObject({ type: 'ended', outcome: { kind: 'canceled' } });
    await engine.stop(handle, 1000);
    expect(slurm.callsOf('scancel')).toHaveLength(1);
  });

  it('adopts the job an earlier process submitted by name and script, not one of another server', async () => {
    const spec = job('wf1');
    const submitted = await engine.submit(spec);
    await slurm.cli.run('sbatch', ['--job-name=flowserv-wf1', `--output=${base}/other/slurm-%j.out`, '/other/server/run.sh']);
    expect(await engine.adopt!(spec)).toEqual(submitted);
    expect(await engine.adopt!(job('wf9'))).toBeUndefined();
  });

  it('is healthy while scontrol ping says UP, and names the problem otherwise', async () => {
    expect(await engine.health()).toEqual({ serving: true });
    slurm.down();
    expect(await engine.health()).toEqual({ serving: false, detail: 'scontrol ping: Slurmctld(primary) at node1 is DOWN' });
    await engine.close();
    expect(await engine.health()).toEqual({ serving: false, detail: 'slurm engine is closed' });
    await expect(engine.submit(job())).rejects.toBeInstanceOf(EngineUnavailableError);
  });
});
