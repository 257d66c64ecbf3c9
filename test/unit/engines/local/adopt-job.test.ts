import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalEngine } from '../../../../src/engines/local/local-engine.js';
import { writeJobRunner } from '../../../../src/engines/runner/job-runner.js';
import { collect, jobSpec, killGroup, makeTempDirs, outcomeOf, waitFor, type TempJobDirs } from './helpers.js';

describe('local engine: adopting a job that was started but never recorded', () => {
  let dirs: TempJobDirs;
  const pgids: number[] = [];
  beforeEach(async () => {
    dirs = await makeTempDirs();
  });
  afterEach(async () => {
    pgids.splice(0).forEach(killGroup);
    await dirs.cleanup();
  });

  it('finds the running job by the pid its runner wrote, with the same identity as submit gave', async () => {
    const before = createLocalEngine({ baseDir: dirs.base, pollIntervalMs: 50 });
    const spec = jobSpec(dirs, [{ name: 's', commands: ['while [ ! -e go ]; do sleep 0.02; done; echo finished'] }]);
    const submitted = await before.submit(spec);
    pgids.push(Number(submitted.externalId));
    await waitFor(() => existsSync(join(dirs.controlDir, 'pid')));
    await before.close();

    const after = createLocalEngine({ baseDir: dirs.base, pollIntervalMs: 50 });
    const adopted = await after.adopt!(spec);
    expect(adopted).toEqual({ ...submitted, data: { startTicks: submitted.data!.startTicks } });
    await writeFile(join(dirs.workDir, 'go'), '');
    expect(outcomeOf(await collect(after, adopted!))).toMatchObject({ kind: 'succeeded' });
    await after.close();
  });

  it('gives a handle that finalizes from the exit status when the job already ended', async () => {
    const engine = createLocalEngine({ baseDir: dirs.base, pollIntervalMs: 50 });
    const spec = jobSpec(dirs, [{ name: 's', commands: ['echo out; exit 3'] }]);
    const submitted = await engine.submit(spec);
    await waitFor(() => existsSync(join(dirs.controlDir, 'exit-status')));
    const adopted = await engine.adopt!(spec);
    expect(adopted?.externalId).toBe(submitted.externalId);
    expect(outcomeOf(await collect(engine, adopted!))).toMatchObject({
      kind: 'failed',
      exitCode: 3,
      messages: ['out\n'],
    });
    await engine.close();
  });

  it('finds nothing when the runner never ran, and never takes a recycled pid for the job', async () => {
    const engine = createLocalEngine({ baseDir: dirs.base, pollIntervalMs: 50 });
    const spec = jobSpec(dirs, [{ name: 's', commands: ['true'] }]);
    await writeJobRunner(spec);
    expect(await engine.adopt!(spec)).toBeUndefined();
    // A pid file naming a live process that is not this job's runner (this test process).
    await writeFile(join(dirs.controlDir, 'pid'), `${process.pid}\n`);
    const adopted = await engine.adopt!(spec);
    expect(adopted?.data?.startTicks).toBe(0);
    expect(outcomeOf(await collect(engine, adopted!))).toMatchObject({ kind: 'lost' });
    await engine.close();
  });
});
