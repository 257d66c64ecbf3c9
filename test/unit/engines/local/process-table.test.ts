import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  isLive,
  listGroupMembers,
  parseProcStat,
  readProcStat,
  readProcStatSync,
} from '../../../../src/engines/local/process-table.js';
import { killGroup, startTicksOf, waitFor } from './helpers.js';

describe('process table', () => {
  it('parses stat lines whose command name holds spaces and parentheses', () => {
    const line = '4858 (we(i) rd) name) S 4849 4850 2637 0 -1 4194304 99 0 0 0 0 0 0 0 20 0 1 0 52164 3133440 394';
    expect(parseProcStat(line)).toEqual({ pid: 4858, state: 'S', pgid: 4850, startTicks: 52164 });
    expect(parseProcStat('garbage')).toBeUndefined();
    expect(parseProcStat('12 (x) S 1 2')).toBeUndefined();
  });

  it('reads this process, sync and async, and nothing for a pid that does not exist', async () => {
    const self = await readProcStat(process.pid);
    expect(self).toMatchObject({ pid: process.pid, startTicks: startTicksOf(process.pid) });
    expect(readProcStatSync(process.pid)).toMatchObject({ pid: self?.pid, pgid: self?.pgid, startTicks: self?.startTicks });
    expect(self && isLive(self)).toBe(true);
    expect(await readProcStat(2 ** 30)).toBeUndefined();
  });

  it('lists the members of a process group, zombies marked as not live', async () => {
    // `sleep 0` exits first; its parent then execs a sleep that never waits: a zombie remains.
    const leader = spawn('/bin/sh', ['-c', 'sleep 0 & exec sleep 300'], { detached: true, stdio: 'ignore' });
    const pgid = leader.pid!;
    try {
      await waitFor(async () => (await listGroupMembers(pgid)).some((m) => m.state === 'Z'));
      const members = await listGroupMembers(pgid);
      expect(members.every((m) => m.pgid === pgid)).toBe(true);
      expect(members.find((m) => m.pid === pgid && isLive(m))).toBeDefined();
      expect(members.filter((m) => !isLive(m))).toHaveLength(1);
    } finally {
      killGroup(pgid);
    }
  });
});
