import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import type { JobHandle } from '../../../../src/engines/types.js';
import { collect, jobSpec, liveGroupMembers, localEngineTest, outcomeOf, waitFor } from './helpers.js';
import { readExitStatus } from '../../../../src/engines/runner/job-runner.js';

/** The handle as the service would read it back from its store after a restart. */
function persisted(handle: JobHandle): JobHandle {
  return JSON.parse(JSON.stringify(handle)) as JobHandle;
}

describe('local engine: reattach after a restart', () => {
  localEngineTest('observes a job started by a previous instance to completion, messages included', async ({ dirs, pgids, makeEngine }) => {
    const before = makeEngine();
    const handle = await before.submit(
      jobSpec(dirs, [{ name: 's', commands: ['echo waiting; while [ ! -e go ]; do sleep 0.02; done; echo bad >&2; exit 4'] }]),
    );
    pgids.push(Number(handle.externalId));
    await waitFor(() => existsSync(join(dirs.controlDir, 'started')));
    await before.close();

    const after = makeEngine();
    const stored = persisted(handle);
    const status = await after.status(stored);
    expect(status.kind).toBe('running');
    expect(status.kind === 'running' && status.startedAt).toBeInstanceOf(Date);
    const observed = collect(after, stored);
    await writeFile(join(dirs.workDir, 'go'), '');
    const events = await observed;
    expect(events.map((e) => e.type)).toEqual(['started', 'ended']);
    expect(outcomeOf(events)).toMatchObject({ kind: 'failed', exitCode: 4, messages: ['waiting\n', 'bad\n'] });
  });

  localEngineTest('finalizes a job that ended while no instance was watching', async ({ dirs, makeEngine }) => {
    const before = makeEngine();
    const handle = await before.submit(jobSpec(dirs, [{ name: 's', commands: ['echo ok'] }]));
    await before.close();
    await waitFor(async () => (await readExitStatus(dirs.controlDir)) !== undefined);
    const after = makeEngine();
    expect(await after.status(persisted(handle))).toMatchObject({ kind: 'ended', outcome: { kind: 'succeeded' } });
    expect(outcomeOf(await collect(after, persisted(handle))).kind).toBe('succeeded');
  });

  localEngineTest('ends a polled observation on abort and leaves the job running', async ({ dirs, pgids, makeEngine }) => {
    const before = makeEngine();
    const handle = await before.submit(jobSpec(dirs, [{ name: 's', commands: ['while [ ! -e go ]; do sleep 0.02; done'] }]));
    const pgid = Number(handle.externalId);
    pgids.push(pgid);
    await before.close();
    const after = makeEngine({ pollIntervalMs: 60_000 });
    const controller = new AbortController();
    const events = after.observe(persisted(handle), controller.signal)[Symbol.asyncIterator]();
    expect((await events.next()).value).toMatchObject({ type: 'started' });
    const next = events.next();
    controller.abort();
    // With a one-minute poll interval, only the abort can end this within the test timeout.
    expect(await next).toEqual({ done: true, value: undefined });
    expect(liveGroupMembers(pgid)).toContain(pgid);
    await writeFile(join(dirs.workDir, 'go'), '');
    await waitFor(async () => (await readExitStatus(dirs.controlDir)) !== undefined);
    expect(await after.status(persisted(handle))).toMatchObject({ kind: 'ended', outcome: { kind: 'succeeded' } });
  });

  localEngineTest('stops a reattached job', async ({ dirs, pgids, makeEngine }) => {
    const before = makeEngine();
    const handle = await before.submit(jobSpec(dirs, [{ name: 's', commands: ['sleep 300 & : > ready; wait'] }]));
    const pgid = Number(handle.externalId);
    pgids.push(pgid);
    await waitFor(() => existsSync(join(dirs.workDir, 'ready')));
    await before.close();
    const after = makeEngine();
    const observed = collect(after, persisted(handle));
    await after.stop(persisted(handle), 2000);
    expect(liveGroupMembers(pgid)).toEqual([]);
    expect(outcomeOf(await observed).kind).toBe('canceled');
  });
});
