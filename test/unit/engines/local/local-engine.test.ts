import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLocalEngine } from '../../../../src/engines/local/local-engine.js';
import { EngineRejectedError, EngineUnavailableError } from '../../../../src/engines/types.js';
import { collect, jobSpec, liveGroupMembers, localEngineTest, outcomeOf, waitFor } from './helpers.js';

describe('local engine: running jobs', () => {

  localEngineTest('runs the steps in the working directory and reports started then succeeded', async ({ dirs, engine, pgids }) => {
    const before = Date.now();
    const handle = await engine.submit(
      jobSpec(dirs, [
        { name: 'one', commands: ['echo hello > a.txt'] },
        { name: 'two', commands: ['cat a.txt a.txt > b.txt'] },
      ]),
    );
    pgids.push(Number(handle.externalId));
    expect(handle.engine).toBe('local');
    expect(typeof handle.data?.startTicks).toBe('number');
    const events = await collect(engine, handle);
    expect(events.map((e) => e.type)).toEqual(['started', 'ended']);
    const started = events[0]!;
    expect(started.type === 'started' && started.at.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(outcomeOf(events).kind).toBe('succeeded');
    expect(await readFile(join(dirs.workDir, 'b.txt'), 'utf8')).toBe('hello\nhello\n');
    expect((await readFile(join(dirs.controlDir, 'exit-status'), 'utf8')).trim()).toBe('0 -1 -1');
    expect(existsSync(join(dirs.controlDir, 'started'))).toBe(true);
    expect(await engine.status(handle)).toMatchObject({ kind: 'ended', outcome: { kind: 'succeeded' } });
  });

  localEngineTest('builds ERROR messages like flowServ: all stdout, then all stderr, stopping at the failure', async ({ dirs, engine }) => {
    const handle = await engine.submit(
      jobSpec(dirs, [
        { name: 's', commands: ['echo out1; echo err1 >&2', 'echo second; exit 3', 'echo never > never.txt'] },
        { name: 't', commands: ['echo never > never2.txt'] },
      ]),
    );
    const outcome = outcomeOf(await collect(engine, handle));
    expect(outcome).toMatchObject({ kind: 'failed', exitCode: 3, messages: ['out1\n', 'second\n', 'err1\n'] });
    expect(existsSync(join(dirs.workDir, 'never.txt'))).toBe(false);
    expect(existsSync(join(dirs.workDir, 'never2.txt'))).toBe(false);
  });

  localEngineTest('reports a mistyped command with the text /bin/sh prints', async ({ dirs, engine }) => {
    const handle = await engine.submit(jobSpec(dirs, [{ name: 's', commands: ['pithon --version'] }]));
    const outcome = outcomeOf(await collect(engine, handle));
    expect(outcome).toMatchObject({ kind: 'failed', exitCode: 127, messages: ['/bin/sh: 1: pithon: not found\n'] });
  });

  localEngineTest('gives a step with env only those variables (env -i: the engine PATH is dropped)', async ({ dirs, makeEngine }) => {
    const engine = makeEngine({
      env: { PATH: `/opt/flowserv-test/bin:${process.env.PATH ?? ''}`, ENGINE_ONLY: 'x' },
    });
    const handle = await engine.submit(
      jobSpec(dirs, [{ name: 's', env: { FOO: 'bar baz' }, commands: ['/usr/bin/env > env.txt; echo "$PATH" > path.txt'] }]),
    );
    expect(outcomeOf(await collect(engine, handle)).kind).toBe('succeeded');
    const env = (await readFile(join(dirs.workDir, 'env.txt'), 'utf8')).trim().split('\n').sort();
    expect(env).toEqual(['FOO=bar baz', `PWD=${dirs.workDir}`]);
    expect(await readFile(join(dirs.workDir, 'path.txt'), 'utf8')).not.toContain('/opt/flowserv-test/bin');
  });

  localEngineTest('lets a step without env inherit options.env and nothing of the server environment', async ({ dirs, makeEngine }) => {
    process.env.FLOWSERV_TEST_SERVER_SECRET = 'top-secret';
    try {
      const engine = makeEngine({ env: { PATH: process.env.PATH, VISIBLE: 'yes' } });
      const handle = await engine.submit(
        jobSpec(dirs, [{ name: 's', env: {}, commands: ['echo "$VISIBLE:${FLOWSERV_TEST_SERVER_SECRET-unset}" > e.txt'] }]),
      );
      expect(outcomeOf(await collect(engine, handle)).kind).toBe('succeeded');
      expect(await readFile(join(dirs.workDir, 'e.txt'), 'utf8')).toBe('yes:unset\n');
    } finally {
      delete process.env.FLOWSERV_TEST_SERVER_SECRET;
    }
  });

  localEngineTest('inherits process.env when no options.env is given', async ({ dirs, makeEngine }) => {
    process.env.FLOWSERV_TEST_INHERITED = 'inherited';
    try {
      const engine = makeEngine();
      const handle = await engine.submit(jobSpec(dirs, [{ name: 's', commands: ['echo "$FLOWSERV_TEST_INHERITED" > e.txt'] }]));
      expect(outcomeOf(await collect(engine, handle)).kind).toBe('succeeded');
      expect(await readFile(join(dirs.workDir, 'e.txt'), 'utf8')).toBe('inherited\n');
    } finally {
      delete process.env.FLOWSERV_TEST_INHERITED;
    }
  });

  localEngineTest('runs the job in its own process group, led by the runner', async ({ dirs, engine, pgids }) => {
    const handle = await engine.submit(jobSpec(dirs, [{ name: 's', commands: ['while [ ! -e go ]; do sleep 0.02; done'] }]));
    const pgid = Number(handle.externalId);
    pgids.push(pgid);
    await waitFor(() => liveGroupMembers(pgid).length >= 2);
    expect(liveGroupMembers(pgid)).toContain(pgid);
    expect(liveGroupMembers(process.pid)).not.toContain(pgid);
    expect(await engine.status(handle)).toMatchObject({ kind: 'running' });
    await writeFile(join(dirs.workDir, 'go'), '');
    expect(outcomeOf(await collect(engine, handle)).kind).toBe('succeeded');
  });

  localEngineTest('ends the observation on abort without touching the job', async ({ dirs, engine, pgids }) => {
    const handle = await engine.submit(
      jobSpec(dirs, [{ name: 's', commands: ['while [ ! -e go ]; do sleep 0.02; done; echo finished'] }]),
    );
    const pgid = Number(handle.externalId);
    pgids.push(pgid);
    const controller = new AbortController();
    const seen: string[] = [];
    const iteration = (async () => {
      for await (const event of engine.observe(handle, controller.signal)) {
        seen.push(event.type);
        if (event.type === 'started') setImmediate(() => controller.abort());
      }
    })();
    await iteration;
    expect(seen).toEqual(['started']);
    expect(liveGroupMembers(pgid)).toContain(pgid);
    expect(await engine.status(handle)).toMatchObject({ kind: 'running' });
    await writeFile(join(dirs.workDir, 'go'), '');
    const outcome = outcomeOf(await collect(engine, handle));
    expect(outcome).toMatchObject({ kind: 'succeeded' });
  });

  localEngineTest('yields nothing when observe starts with an aborted signal', async ({ dirs, engine }) => {
    const handle = await engine.submit(jobSpec(dirs, [{ name: 's', commands: ['true'] }]));
    expect(await collect(engine, handle, AbortSignal.abort())).toEqual([]);
    expect(outcomeOf(await collect(engine, handle)).kind).toBe('succeeded');
  });

  localEngineTest('close() ends observations and leaves jobs running', async ({ dirs, engine, pgids, makeEngine }) => {
    const handle = await engine.submit(jobSpec(dirs, [{ name: 's', commands: ['while [ ! -e go ]; do sleep 0.02; done'] }]));
    const pgid = Number(handle.externalId);
    pgids.push(pgid);
    const observed = collect(engine, handle);
    await waitFor(() => existsSync(join(dirs.controlDir, 'started')));
    await engine.close();
    expect((await observed).map((e) => e.type)).not.toContain('ended');
    expect(liveGroupMembers(pgid)).toContain(pgid);
    await expect(engine.submit(jobSpec(dirs, [{ name: 's', commands: ['true'] }]))).rejects.toBeInstanceOf(
      EngineUnavailableError,
    );
    await writeFile(join(dirs.workDir, 'go'), '');
    const again = makeEngine();
    expect(outcomeOf(await collect(again, handle)).kind).toBe('succeeded');
  });

  localEngineTest('creates a missing working directory and rejects a control directory inside it', async ({ dirs, engine }) => {
    const nested = { ...dirs, workDir: join(dirs.base, 'deep', 'er', 'work') };
    const handle = await engine.submit(jobSpec(nested, [{ name: 's', commands: ['pwd > here.txt'] }]));
    expect(outcomeOf(await collect(engine, handle)).kind).toBe('succeeded');
    expect(await readFile(join(nested.workDir, 'here.txt'), 'utf8')).toBe(`${nested.workDir}\n`);
    const inside = { ...dirs, controlDir: join(dirs.workDir, '.ctl') };
    await expect(engine.submit(jobSpec(inside, [{ name: 's', commands: ['true'] }]))).rejects.toBeInstanceOf(
      EngineRejectedError,
    );
    const relative = { ...dirs, workDir: 'work' };
    await expect(engine.submit(jobSpec(relative, [{ name: 's', commands: ['true'] }]))).rejects.toBeInstanceOf(
      EngineRejectedError,
    );
  });

  localEngineTest('does not start anything when submit is aborted', async ({ dirs, engine }) => {
    await expect(engine.submit(jobSpec(dirs, [{ name: 's', commands: ['true'] }]), AbortSignal.abort())).rejects.toThrow();
    expect(existsSync(join(dirs.controlDir, 'run.sh'))).toBe(false);
  });
});

describe('local engine: capabilities, health and options', () => {
  localEngineTest('advertises restart survival and graceful stop, no resources, CPUs as concurrency by default', async ({ dirs }) => {
    const engine = createLocalEngine({ baseDir: dirs.base });
    expect(engine.name).toBe('local');
    expect(engine.capabilities).toEqual({
      survivesRestart: true,
      gracefulStop: true,
      resources: false,
      maxConcurrentJobs: availableParallelism(),
      confinement: engine.sandbox.kind === 'off' ? 'none' : engine.sandbox.kind,
      separateJobUser: process.getuid!() === 0,
    });
    expect(createLocalEngine({ baseDir: dirs.base, maxConcurrentJobs: 3 }).capabilities.maxConcurrentJobs).toBe(3);
  });

  localEngineTest('is serving with a writable base directory, and not without one or once closed', async ({ dirs }) => {
    const engine = createLocalEngine({ baseDir: dirs.base });
    expect(await engine.health()).toEqual({ serving: true });
    const missing = createLocalEngine({ baseDir: join(dirs.base, 'does-not-exist') });
    const health = await missing.health();
    expect(health.serving).toBe(false);
    expect(health.detail).toContain('not writable');
    await engine.close();
    expect((await engine.health()).serving).toBe(false);
  });

  it('lists every invalid option at once', () => {
    expect(() => createLocalEngine({ baseDir: '', pollIntervalMs: 0, maxConcurrentJobs: -1 })).toThrow(
      /baseDir is required; pollIntervalMs must be > 0; maxConcurrentJobs must be an integer >= 0/,
    );
  });
});
