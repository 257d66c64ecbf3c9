/**
 * The reaper every test file's teardown runs (temp-root.setup.ts): it finds what works under a
 * folder (a job's group in a session of its own, a server naming the folder in its arguments),
 * kills it whole, and leaves everything else alone, this process included.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { killProcessesUsing, processesInGroup, processesUsing } from '../../support/processes.js';
import { scratch } from '../../support/fixtures.js';

/** A job-like group: a detached shell (own session and group) looping on `sleep` in `cwd`. */
function loopingJob(cwd: string): number {
  const child = spawn('sh', ['-c', 'while :; do sleep 0.05; done'], { cwd, detached: true, stdio: 'ignore' });
  child.unref();
  return child.pid!;
}

describe('killing what works under a folder', () => {
  it('kills a detached job group working there (its sleeps included) and a process naming the folder, not one elsewhere', async () => {
    const root = scratch();
    const runDir = join(root, 'runs', 'r1');
    const elsewhere = scratch();
    mkdirSync(runDir, { recursive: true });
    const job = loopingJob(runDir);
    const other = loopingJob(elsewhere);
    // In this process's own group, naming the folder: killed alone, not with its group (ours).
    const named = spawn('sh', ['-c', 'while :; do sleep 0.05; done', `${root}/server`], { stdio: 'ignore' });
    try {
      await expect.poll(() => processesInGroup(job).length).toBeGreaterThanOrEqual(2);
      expect(processesUsing(root).map((p) => p.pid)).toEqual(expect.arrayContaining([job, named.pid]));

      const { killed, survivors } = await killProcessesUsing(root);
      expect(survivors).toEqual([]);
      expect(killed.map((p) => p.pid)).toEqual(expect.arrayContaining([job, named.pid]));
      expect(processesUsing(root)).toEqual([]);
      expect(processesInGroup(job)).toEqual([]);
      expect(processesInGroup(other).length).toBeGreaterThanOrEqual(1);
    } finally {
      process.kill(-other, 'SIGKILL');
      named.kill('SIGKILL');
    }
  });

  it('finds nothing and returns at once for a folder nobody uses', async () => {
    expect(await killProcessesUsing(scratch())).toEqual({ killed: [], survivors: [] });
  });
});
