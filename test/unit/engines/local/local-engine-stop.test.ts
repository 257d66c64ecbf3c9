import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import type { JobHandle } from '../../../../src/engines/types.js';
import { cmdlineOf, collect, jobSpec, liveGroupMembers, localEngineTest, outcomeOf, startTicksOf, waitFor } from './helpers.js';
import { readExitStatus } from '../../../../src/engines/runner/job-runner.js';

/**
 * Slack on top of the grace period for signal delivery and /proc polling, in ms. It only tells
 * "stopped once the grace was over" from "waited for the job" (the jobs sleep 300 s); it is no
 * speed check, so it is wide enough for a loaded machine (1.5 s was exceeded at load 30).
 */
const MARGIN_MS = 10_000;

/** The local-engine fixtures plus `submitAndWaitReady`: submits `command` and waits for it to create `ready`. */
const stopTest = localEngineTest.extend<{ submitAndWaitReady: (command: string) => Promise<JobHandle> }>({
  submitAndWaitReady: async ({ dirs, engine, pgids }, use) => {
    await use(async (command) => {
      const handle = await engine.submit(jobSpec(dirs, [{ name: 's', commands: [command] }]));
      pgids.push(Number(handle.externalId));
      await waitFor(() => existsSync(join(dirs.workDir, 'ready')));
      return handle;
    });
  },
});

describe('local engine: stop and vanished jobs', () => {

  stopTest('stops a job and the children it spawned: nothing of the group survives', async ({ engine, submitAndWaitReady }) => {
    const handle = await submitAndWaitReady('sleep 300 & sleep 300 & : > ready; wait');
    const pgid = Number(handle.externalId);
    // runner, the command's sh, two sleeps
    await waitFor(() => liveGroupMembers(pgid).length >= 4);
    const observed = collect(engine, handle);
    const graceMs = 3000;
    const began = Date.now();
    await engine.stop(handle, graceMs);
    expect(Date.now() - began).toBeLessThan(graceMs + MARGIN_MS);
    expect(liveGroupMembers(pgid)).toEqual([]);
    const outcome = outcomeOf(await observed);
    expect(outcome).toMatchObject({ kind: 'canceled', message: 'job stopped on request' });
  });

  stopTest('kills a job that ignores SIGTERM once the grace period is over', async ({ engine, submitAndWaitReady }) => {
    const handle = await submitAndWaitReady("trap '' TERM; : > ready; sleep 300");
    const pgid = Number(handle.externalId);
    const graceMs = 600;
    const began = Date.now();
    await engine.stop(handle, graceMs);
    const elapsed = Date.now() - began;
    expect(elapsed).toBeGreaterThanOrEqual(graceMs);
    expect(elapsed).toBeLessThan(graceMs + MARGIN_MS);
    expect(liveGroupMembers(pgid)).toEqual([]);
    expect(outcomeOf(await collect(engine, handle)).kind).toBe('canceled');
  });

  stopTest('treats stopping an ended job as a no-op that keeps its outcome', async ({ dirs, engine }) => {
    const handle = await engine.submit(jobSpec(dirs, [{ name: 's', commands: ['echo done'] }]));
    expect(outcomeOf(await collect(engine, handle)).kind).toBe('succeeded');
    await engine.stop(handle, 1000);
    await engine.stop(handle, 1000);
    expect(existsSync(join(dirs.controlDir, 'stop-requested'))).toBe(false);
    expect(await engine.status(handle)).toMatchObject({ kind: 'ended', outcome: { kind: 'succeeded' } });
  });

  stopTest('reports a job killed from outside (no exit status) as lost, to its own observer', async ({ dirs, engine, submitAndWaitReady }) => {
    const handle = await submitAndWaitReady(': > ready; sleep 300');
    const observed = collect(engine, handle);
    process.kill(-Number(handle.externalId), 'SIGKILL');
    const outcome = outcomeOf(await observed);
    expect(outcome.kind).toBe('lost');
    expect(outcome.kind === 'lost' && outcome.message).toMatch(/vanished without an exit status/);
    expect(await readExitStatus(dirs.controlDir)).toBeUndefined();
  });

  stopTest('reports a killed job as lost to an engine that polls it (after a restart)', async ({ makeEngine, submitAndWaitReady }) => {
    const handle = await submitAndWaitReady(': > ready; sleep 300');
    const restarted = makeEngine();
    const observed = collect(restarted, JSON.parse(JSON.stringify(handle)) as JobHandle);
    expect(await restarted.status(handle)).toMatchObject({ kind: 'running' });
    process.kill(-Number(handle.externalId), 'SIGKILL');
    expect(outcomeOf(await observed).kind).toBe('lost');
    expect(await restarted.status(handle)).toMatchObject({ kind: 'ended', outcome: { kind: 'lost' } });
  });

  stopTest('without a PID namespace: keeps a job running while a member of its group lives on after the runner is killed', async ({ dirs, makeEngine, pgids }) => {
    const engine = makeEngine({ sandbox: { mode: 'off' } });
    const handle = await engine.submit(jobSpec(dirs, [{ name: 's', commands: ['sleep 300 & : > ready; wait'] }]));
    pgids.push(Number(handle.externalId));
    await waitFor(() => existsSync(join(dirs.workDir, 'ready')));
    const pgid = Number(handle.externalId);
    await waitFor(() => liveGroupMembers(pgid).length >= 3);
    process.kill(pgid, 'SIGKILL'); // the runner only
    await waitFor(() => !liveGroupMembers(pgid).includes(pgid));
    expect(await engine.status(handle)).toMatchObject({ kind: 'running' });
    await engine.stop(handle, 1000);
    expect(liveGroupMembers(pgid)).toEqual([]);
    expect(outcomeOf(await collect(engine, handle)).kind).toBe('canceled');
  });

  stopTest('in a PID namespace: killing the runner ends every process of the job, and the job is lost', async ({ dirs, engine, submitAndWaitReady }) => {
    expect(engine.sandbox.kind).not.toBe('off');
    const handle = await submitAndWaitReady('sleep 300 & setsid sleep 300 & : > ready; wait');
    const pgid = Number(handle.externalId);
    await waitFor(() => liveGroupMembers(pgid).length >= 3);
    // The runner is pid 1 of the job's namespace (the group leader is bwrap or unshare outside it).
    const runners = [`/bin/sh ${join(dirs.controlDir, 'run.sh')}`, `/usr/bin/perl ${join(dirs.controlDir, 'run.pl')}`];
    const runner = liveGroupMembers(pgid).find((pid) => runners.includes(cmdlineOf(pid).join(' ')));
    expect(runner).toBeDefined();
    process.kill(runner!, 'SIGKILL');
    await waitFor(() => liveGroupMembers(pgid).length === 0);
    expect(outcomeOf(await collect(engine, handle)).kind).toBe('lost');
  });

  stopTest('never takes a live process with a recycled pid for the job', async ({ dirs, engine, pgids }) => {
    const stranger = spawn('/bin/sh', ['-c', 'exec sleep 300'], { detached: true, stdio: 'ignore' });
    const pid = stranger.pid!;
    pgids.push(pid);
    const exited = new Promise((resolve) => stranger.once('exit', resolve));
    const fake = (p: number): JobHandle => ({
      engine: 'local',
      externalId: String(p),
      workDir: dirs.workDir,
      controlDir: dirs.controlDir,
      data: { startTicks: startTicksOf(p) + 12345 },
    });
    expect(await engine.status(fake(pid))).toMatchObject({ kind: 'ended', outcome: { kind: 'lost' } });
    expect(await engine.status(fake(process.pid))).toMatchObject({ kind: 'ended', outcome: { kind: 'lost' } });
    expect(outcomeOf(await collect(engine, fake(pid))).kind).toBe('lost');
    await engine.stop(fake(pid), 100);
    expect(liveGroupMembers(pid)).toEqual([pid]);
    expect(existsSync(join(dirs.controlDir, 'stop-requested'))).toBe(false);
    // The same pid with the right start time is recognised.
    const real = { ...fake(pid), data: { startTicks: startTicksOf(pid) } };
    expect(await engine.status(real)).toMatchObject({ kind: 'running' });
    stranger.kill('SIGKILL');
    await exited;
  });

  stopTest('rejects handles of other engines or without the start time', async ({ dirs, engine }) => {
    const base = { workDir: dirs.workDir, controlDir: dirs.controlDir };
    await expect(engine.status({ ...base, engine: 'slurm', externalId: '12', data: { startTicks: 1 } })).rejects.toThrow(
      /engine is 'slurm'/,
    );
    await expect(engine.stop({ ...base, engine: 'local', externalId: String(process.pid) }, 10)).rejects.toThrow(
      /startTicks/,
    );
    await expect(engine.status({ ...base, engine: 'local', externalId: '-1', data: { startTicks: 1 } })).rejects.toThrow(
      /not a pid/,
    );
  });
});
