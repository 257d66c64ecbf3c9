/**
 * The Slurm adapter against the real single-node cluster of scripts/slurm-dev.sh. One file on
 * purpose: the controller-outage test stops slurmctld, and vitest runs files in parallel, so
 * the other Slurm tests must not run at the same time; tests inside a file run in order.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSlurmEngine, type SlurmEngine } from '../../../src/engines/slurm/slurm-engine.js';
import { EngineRejectedError, EngineUnavailableError, type JobEvent, type JobHandle } from '../../../src/engines/types.js';
import { describeIfAvailable } from '../../support/requirements.js';
import { firstEvent, jobSpec, makeTempRoot, observeAll, slurmDev, slurmMissing, squeue } from './slurm-cluster.js';

const ended = (events: JobEvent[]) => {
  const last = events.at(-1);
  if (last?.type !== 'ended') throw new Error(`no ended event: ${JSON.stringify(events)}`);
  return last.outcome;
};

describeIfAvailable('slurm engine (real single-node cluster)', slurmMissing(), () => {
  let root: { dir: string; cleanup(): Promise<void> };
  let engine: SlurmEngine;
  let timeLimitJob: Promise<JobEvent[]> | undefined;
  let timeLimitEngine: SlurmEngine;

  beforeAll(async () => {
    root = await makeTempRoot();
    engine = createSlurmEngine({ pollIntervalMs: 300 });
    // Slurm enforces a 1-minute limit 60-90 s after start: submit now, check at the end.
    timeLimitEngine = createSlurmEngine({ pollIntervalMs: 1000 });
    const spec = jobSpec(root.dir, [['echo before the limit', 'sleep 600']], { resources: { timeLimitMinutes: 1 } });
    const handle = await timeLimitEngine.submit(spec);
    timeLimitJob = observeAll(timeLimitEngine, handle, 170_000);
    timeLimitJob.catch(() => undefined);
  });

  afterAll(async () => {
    await engine?.close();
    await timeLimitEngine?.close();
    await root?.cleanup();
  });

  it('runs a two-command job to success in its working directory', async () => {
    const spec = jobSpec(root.dir, [['echo hello > greeting.txt', 'cat greeting.txt > copy.txt']]);
    const handle = await engine.submit(spec);
    expect(handle).toMatchObject({ engine: 'slurm', workDir: spec.workDir, controlDir: spec.controlDir });
    expect(handle.externalId).toMatch(/^\d+$/);
    const events = await observeAll(engine, handle);
    expect(events.map((e) => e.type)).toEqual(['started', 'ended']);
    expect(ended(events).kind).toBe('succeeded');
    expect(await readFile(join(spec.workDir, 'copy.txt'), 'utf8')).toBe('hello\n');
    expect(await engine.status(handle)).toMatchObject({ kind: 'ended', outcome: { kind: 'succeeded' } });
  });

  it('reports a misspelled command with flowServ messages', async () => {
    const handle = await engine.submit(jobSpec(root.dir, [['pithon code/helloworld.py --inputfile data/names.txt']]));
    const outcome = ended(await observeAll(engine, handle));
    expect(outcome).toMatchObject({ kind: 'failed', exitCode: 127, messages: ['/bin/sh: 1: pithon: not found\n'] });
  });

  it('keeps stdout before stderr and stops at the first failing command', async () => {
    const spec = jobSpec(root.dir, [['echo out1; echo err1 >&2', 'echo second; exit 3', 'echo never > never.txt']]);
    const outcome = ended(await observeAll(engine, await engine.submit(spec)));
    expect(outcome).toMatchObject({ kind: 'failed', exitCode: 3, messages: ['out1\n', 'second\n', 'err1\n'] });
    await expect(readFile(join(spec.workDir, 'never.txt'))).rejects.toThrow();
  });

  it('rejects an unknown partition and extra options off the allow-list, leaving no job', async () => {
    const bad = jobSpec(root.dir, [['true']], { resources: { partition: 'no-such-partition' } });
    const err = await engine.submit(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineRejectedError);
    expect((err as Error).message).toMatch(/Invalid partition name specified/);
    const wrap = jobSpec(root.dir, [['true']], { resources: { extraArgs: ['--wrap=rm -rf /'] } });
    await expect(engine.submit(wrap)).rejects.toBeInstanceOf(EngineRejectedError);
    expect(await squeue('-t', 'all', `--name=flowserv-${bad.workflowId}`)).toBe('');
  });

  it('decides a job Slurm no longer knows (purged) from its exit-status file, else lost', async () => {
    const spec = jobSpec(root.dir, [['pithon x']]);
    const done = await engine.submit(spec);
    const outcome = ended(await observeAll(engine, done));
    // The same directories under a job id Slurm never had: what a purged job looks like.
    const purged: JobHandle = { ...done, externalId: '999999901' };
    expect(await engine.status(purged)).toEqual({ kind: 'ended', outcome });
    const empty = jobSpec(root.dir, [['true']]);
    const missing: JobHandle = { engine: 'slurm', externalId: '999999902', workDir: empty.workDir, controlDir: empty.controlDir };
    const lost = ended(await observeAll(engine, missing));
    expect(lost).toMatchObject({ kind: 'lost', message: expect.stringMatching(/no record of job 999999902/) });
  });

  it('refuses directories outside its shared base directory', async () => {
    const confined = createSlurmEngine({ baseDir: join(root.dir, 'shared') });
    try {
      await expect(confined.submit(jobSpec(root.dir, [['true']]))).rejects.toThrow(/outside the shared directory/);
    } finally {
      await confined.close();
    }
  });

  it('stops a running job: canceled, and gone from squeue', async () => {
    const handle = await engine.submit(jobSpec(root.dir, [['sleep 120']]));
    expect((await firstEvent(engine, handle)).type).toBe('started');
    const observed = observeAll(engine, handle);
    const t0 = Date.now();
    await engine.stop(handle, 2000);
    const stopMs = Date.now() - t0;
    expect(stopMs).toBeLessThan(15_000);
    expect(await squeue('-j', handle.externalId)).toBe('');
    expect(await squeue('-t', 'all', '-j', handle.externalId, '-o', '%T')).toBe('CANCELLED');
    const outcome = ended(await observed);
    expect(outcome.kind).toBe('canceled');
    expect(outcome.kind === 'canceled' && outcome.message).toMatch(/cancelled/);
    await engine.stop(handle, 0); // no-op once ended
  });

  it('reattaches to a running job from a new adapter instance', async () => {
    const first = createSlurmEngine({ pollIntervalMs: 300 });
    const spec = jobSpec(root.dir, [['sleep 3', 'echo done > done.txt']]);
    const persisted = JSON.parse(JSON.stringify(await first.submit(spec))) as JobHandle;
    expect((await firstEvent(first, persisted)).type).toBe('started');
    await first.close();
    const second = createSlurmEngine({ pollIntervalMs: 300 });
    try {
      // Slurm may say RUNNING a moment before the runner writes its `started` file.
      expect((await second.status(persisted)).kind).toBe('running');
      const events = await observeAll(second, persisted);
      expect(events.map((e) => e.type)).toEqual(['started', 'ended']);
      expect(ended(events).kind).toBe('succeeded');
      expect(await readFile(join(spec.workDir, 'done.txt'), 'utf8')).toBe('done\n');
    } finally {
      await second.close();
    }
  });

  it('adopts a job submitted by an earlier instance that never recorded its id', async () => {
    const spec = jobSpec(root.dir, [['sleep 2', 'echo adopted > adopted.txt']]);
    const submitted = await engine.submit(spec);
    const fresh = createSlurmEngine({ pollIntervalMs: 300 });
    try {
      const adopted = await fresh.adopt!(spec);
      expect(adopted?.externalId).toBe(submitted.externalId);
      expect(ended(await observeAll(fresh, adopted!)).kind).toBe('succeeded');
      expect(await fresh.adopt!(jobSpec(root.dir, [['true']]))).toBeUndefined();
    } finally {
      await fresh.close();
    }
  });

  it('runs 100 jobs submitted at once with batched polling', async () => {
    let squeueCalls = 0;
    const counted = createSlurmEngine({
      pollIntervalMs: 500,
      onCommand: (command) => {
        if (command === 'squeue') squeueCalls += 1;
      },
    });
    try {
      const t0 = Date.now();
      const specs = Array.from({ length: 100 }, (_, i) => jobSpec(root.dir, [[`echo job ${i} > out.txt`]]));
      const handles = await Promise.all(specs.map((s) => counted.submit(s)));
      const submitMs = Date.now() - t0;
      const outcomes = await Promise.all(handles.map(async (h) => ended(await observeAll(counted, h, 120_000))));
      const totalMs = Date.now() - t0;
      expect(outcomes.filter((o) => o.kind === 'succeeded')).toHaveLength(100);
      const stats = counted.pollerStats();
      console.info(
        `[slurm] 100 jobs: submit ${submitMs} ms, all ended ${totalMs} ms; squeue calls ${squeueCalls}, ` +
          `job lookups ${stats.lookups} in ${stats.polls} polls`,
      );
      // Unbatched, every observer would call squeue once per lookup.
      expect(squeueCalls).toBe(stats.squeueCalls);
      expect(squeueCalls * 10).toBeLessThan(stats.lookups);
      expect(squeueCalls).toBeLessThanOrEqual(Math.ceil(totalMs / 500) + 2);
      expect(totalMs).toBeLessThan(110_000);
    } finally {
      await counted.close();
    }
  }, 150_000);

  it('reports a stopped controller as unavailable and recovers when it returns', async () => {
    const running = await engine.submit(jobSpec(root.dir, [['sleep 6', 'echo survived > survived.txt']]));
    expect((await firstEvent(engine, running)).type).toBe('started');
    const observed = observeAll(engine, running, 120_000);
    try {
      await slurmDev('stop', 'slurmctld');
      const health = await engine.health();
      expect(health.serving).toBe(false);
      expect(health.detail).toMatch(/DOWN|contact|refused/i);
      // sbatch retries for ~9 s and squeue for ~18 s before giving up: run them side by side.
      const [err, statusErr] = await Promise.all([
        engine.submit(jobSpec(root.dir, [['true']])).catch((e: unknown) => e),
        engine.status(running).catch((e: unknown) => e),
      ]);
      expect(err).toBeInstanceOf(EngineUnavailableError);
      expect((err as Error).message).toMatch(/Unable to contact slurm controller/);
      expect(statusErr).toBeInstanceOf(EngineUnavailableError);
    } finally {
      await slurmDev('up');
    }
    expect(await engine.health()).toEqual({ serving: true });
    expect(ended(await observed).kind).toBe('succeeded');
    const after = await engine.submit(jobSpec(root.dir, [['true']]));
    expect(ended(await observeAll(engine, after)).kind).toBe('succeeded');
  }, 120_000);

  it('fails a job that reaches its time limit, with the logs so far', async () => {
    const outcome = ended(await timeLimitJob!);
    expect(outcome.kind).toBe('failed');
    if (outcome.kind !== 'failed') return;
    expect(outcome.messages[0]).toBe('Slurm: time limit reached');
    expect(outcome.messages).toContain('before the limit\n');
    expect(outcome.messages.join('')).toMatch(/DUE TO TIME LIMIT/);
  }, 180_000);
});
