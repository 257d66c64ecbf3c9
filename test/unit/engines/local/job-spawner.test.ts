import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDirectSpawner, createPerlSpawner, SpawnError } from '../../../../src/engines/local/job-spawner.js';
import { readRunnerPid } from '../../../../src/engines/runner/control-dir.js';
import { PERL } from '../../../../src/engines/runner/log-cap-helper.js';
import { collect, jobSpec, liveGroupMembers, localEngineTest, outcomeOf, startTicksOf, waitFor } from './helpers.js';

/** Pids of this process's children running the Perl spawner, read from /proc. */
function spawnerPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return ppid === process.pid && readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0')[0] === PERL;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Session id of `pid` (field 6 of /proc/<pid>/stat). */
function sessionOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3]);
}

describe.each([
  ['the Perl spawner', createPerlSpawner, true],
  ['the direct spawner', createDirectSpawner, false],
])('%s', (_name, create, dropsGroups) => {
  it('starts a program as the leader of its own session, in its directory and environment, and reports its exit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fsr-spawn-'));
    const spawner = create();
    try {
      const job = await spawner.spawn({
        argv: ['/bin/sh', '-c', 'echo "$$ $ONLY" > out.txt; while [ ! -e go ]; do sleep 0.02; done'],
        cwd: dir,
        env: { ONLY: 'yes', PATH: '/usr/bin:/bin' },
      });
      await waitFor(() => existsSync(join(dir, 'out.txt')) && readFileSync(join(dir, 'out.txt'), 'utf8').endsWith('\n'));
      expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe(`${job.pid} yes\n`);
      expect(sessionOf(job.pid)).toBe(job.pid);
      expect(job.startTicks).toBe(startTicksOf(job.pid));
      let exited = false;
      void job.exited.then(() => (exited = true));
      await writeFile(join(dir, 'go'), 'now\n');
      await job.exited;
      expect(exited).toBe(true);
      expect(liveGroupMembers(job.pid)).toEqual([]);
    } finally {
      spawner.close();
    }
  });

  it('records the pid as <pidFile>.<pid> before the program runs, and the program keeps that pid', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fsr-spawn-'));
    const spawner = create();
    try {
      // The program sees the record already there: it was written before the program started.
      const job = await spawner.spawn({ argv: ['/bin/sh', '-c', 'ls > seen.txt'], cwd: dir, env: {}, pidFile: join(dir, 'pid') });
      await job.exited;
      expect(readdirSync(dir).filter((name) => name.startsWith('pid.'))).toEqual([`pid.${job.pid}`]);
      expect(await readRunnerPid(dir)).toBe(job.pid);
      expect(readFileSync(join(dir, 'seen.txt'), 'utf8').split('\n')).toContain(`pid.${job.pid}`);
    } finally {
      spawner.close();
    }
  });

  it('refuses a program that cannot start, starting nothing', async () => {
    const spawner = create();
    try {
      await expect(spawner.spawn({ argv: ['/nonexistent/program'], cwd: tmpdir(), env: {} })).rejects.toBeInstanceOf(SpawnError);
      await expect(spawner.spawn({ argv: ['/bin/true'], cwd: '/nonexistent/dir', env: {} })).rejects.toBeInstanceOf(SpawnError);
    } finally {
      spawner.close();
    }
  });

  it.runIf(process.getuid?.() === 0)('runs a program as another user and group when asked (root only)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fsr-spawn-'));
    const spawner = create();
    try {
      const job = await spawner.spawn({ argv: ['/bin/sh', '-c', 'id -u > /dev/null; sleep 5'], cwd: dir, env: {}, uid: 65534, gid: 65534 });
      const status = readFileSync(`/proc/${job.pid}/status`, 'utf8');
      expect(status).toMatch(/^Uid:\s+65534\s+65534\s+65534\s+65534$/m);
      expect(status).toMatch(/^Gid:\s+65534\s+65534\s+65534\s+65534$/m);
      // The Perl spawner also leaves only that group as supplementary group (Node's spawn keeps the server's).
      if (dropsGroups) expect(status).toMatch(/^Groups:\s+65534\s*$/m);
      process.kill(-job.pid, 'SIGKILL');
      await job.exited;
    } finally {
      spawner.close();
    }
  });
});

describe('the local engine with its spawner', () => {
  localEngineTest('a job outlives its spawner, is followed by polling, and the next job gets a new spawner', async ({ dirs, pgids, makeEngine }) => {
    const before = spawnerPids();
    const engine = makeEngine({ spawner: true });
    const handle = await engine.submit(jobSpec(dirs, [{ name: 's', commands: ['while [ ! -e go ]; do sleep 0.02; done; echo done > finished'] }]));
    pgids.push(Number(handle.externalId));
    const started = spawnerPids().filter((pid) => !before.includes(pid));
    expect(started).toHaveLength(1);
    process.kill(started[0]!, 'SIGKILL');
    await waitFor(() => !existsSync(`/proc/${started[0]}`) || readFileSync(`/proc/${started[0]}/stat`, 'utf8').includes(') Z '));
    expect(liveGroupMembers(Number(handle.externalId))).toContain(Number(handle.externalId));
    const events = collect(engine, handle);
    await writeFile(join(dirs.workDir, 'go'), '');
    expect(outcomeOf(await events)).toMatchObject({ kind: 'succeeded' });
    expect(readFileSync(join(dirs.workDir, 'finished'), 'utf8')).toBe('done\n');

    const second = await engine.submit(jobSpec({ ...dirs, workDir: `${dirs.workDir}2`, controlDir: `${dirs.controlDir}2` }, [{ name: 's', commands: ['true'] }]));
    expect(outcomeOf(await collect(engine, second))).toMatchObject({ kind: 'succeeded' });
    expect(spawnerPids().filter((pid) => !before.includes(pid) && pid !== started[0])).toHaveLength(1);
  });

  localEngineTest('the spawner ends when the engine closes; its jobs keep running', async ({ dirs, pgids, makeEngine }) => {
    const before = spawnerPids();
    const engine = makeEngine({ spawner: true });
    const handle = await engine.submit(jobSpec(dirs, [{ name: 's', commands: ['while [ ! -e go ]; do sleep 0.02; done'] }]));
    const pgid = Number(handle.externalId);
    pgids.push(pgid);
    expect(spawnerPids().filter((pid) => !before.includes(pid))).toHaveLength(1);
    await engine.close();
    await waitFor(() => spawnerPids().filter((pid) => !before.includes(pid)).length === 0);
    expect(liveGroupMembers(pgid)).toContain(pgid);
  });

  localEngineTest('submitting again a job whose runner already started adopts it instead of starting a second', async ({ dirs, pgids, engine }) => {
    const spec = jobSpec(dirs, [{ name: 's', commands: ['echo x >> runs; while [ ! -e go ]; do sleep 0.02; done'] }]);
    const first = await engine.submit(spec);
    pgids.push(Number(first.externalId));
    await waitFor(async () => (await readRunnerPid(dirs.controlDir)) !== undefined);
    const again = await engine.submit(spec);
    expect(again.externalId).toBe(first.externalId);
    expect(again.data).toMatchObject({ startTicks: first.data!.startTicks });
    await writeFile(join(dirs.workDir, 'go'), '');
    expect(outcomeOf(await collect(engine, again))).toMatchObject({ kind: 'succeeded' });
    expect(readFileSync(join(dirs.workDir, 'runs'), 'utf8')).toBe('x\n');
  });

  localEngineTest('runs jobs without the spawner too (spawning from the server)', async ({ dirs, makeEngine }) => {
    const engine = makeEngine({ spawner: false });
    const before = spawnerPids();
    const handle = await engine.submit(jobSpec(dirs, [{ name: 's', commands: ['echo hi'] }]));
    expect(outcomeOf(await collect(engine, handle))).toMatchObject({ kind: 'succeeded' });
    expect(spawnerPids().filter((pid) => !before.includes(pid))).toEqual([]);
  });
});
