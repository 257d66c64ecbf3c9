import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { writeJobRunner } from '../../../../src/engines/runner/job-runner.js';
import { collect, jobSpec, localEngineTest, outcomeOf, waitFor } from './helpers.js';
import { readRunnerPid } from '../../../../src/engines/runner/control-dir.js';
import { readExitStatus } from '../../../../src/engines/runner/job-runner.js';

describe('local engine: adopting a job that was started but never recorded', () => {
  localEngineTest('finds the running job by the pid its runner wrote, with the same identity as submit gave', async ({ dirs, pgids, makeEngine }) => {
    const before = makeEngine();
    const spec = jobSpec(dirs, [{ name: 's', commands: ['while [ ! -e go ]; do sleep 0.02; done; echo finished'] }]);
    const submitted = await before.submit(spec);
    pgids.push(Number(submitted.externalId));
    await waitFor(async () => (await readRunnerPid(dirs.controlDir)) !== undefined);
    await before.close();

    const after = makeEngine();
    const adopted = await after.adopt!(spec);
    expect(adopted).toEqual({ ...submitted, data: { startTicks: submitted.data!.startTicks } });
    await writeFile(join(dirs.workDir, 'go'), '');
    expect(outcomeOf(await collect(after, adopted!))).toMatchObject({ kind: 'succeeded' });
  });

  localEngineTest('gives a handle that finalizes from the exit status when the job already ended', async ({ dirs, makeEngine }) => {
    const engine = makeEngine();
    const spec = jobSpec(dirs, [{ name: 's', commands: ['echo out; exit 3'] }]);
    const submitted = await engine.submit(spec);
    await waitFor(async () => (await readExitStatus(dirs.controlDir)) !== undefined);
    const adopted = await engine.adopt!(spec);
    expect(adopted?.externalId).toBe(submitted.externalId);
    expect(outcomeOf(await collect(engine, adopted!))).toMatchObject({
      kind: 'failed',
      exitCode: 3,
      messages: ['out\n'],
    });
  });

  localEngineTest('finds nothing when the runner never ran, and never takes a recycled pid for the job', async ({ dirs, makeEngine }) => {
    const engine = makeEngine();
    const spec = jobSpec(dirs, [{ name: 's', commands: ['true'] }]);
    await writeJobRunner(spec);
    expect(await engine.adopt!(spec)).toBeUndefined();
    // A pid file naming a live process that is not this job's runner (this test process).
    await writeFile(join(dirs.controlDir, 'pid'), `${process.pid}\n`);
    const adopted = await engine.adopt!(spec);
    expect(adopted?.data?.startTicks).toBe(0);
    expect(outcomeOf(await collect(engine, adopted!))).toMatchObject({ kind: 'lost' });
  });
});
