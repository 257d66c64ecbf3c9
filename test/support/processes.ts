/**
 * What is running on this machine, read from /proc: the checks behind "nothing of a job is left
 * running" in the local-engine and reliability tests.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** Numeric /proc entries, i.e. the pids alive when the directory was read. */
function livePids(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number);
}

/** Pids of live processes whose working directory lies under `dir` (a job's run directory). */
export function processesUnder(dir: string): number[] {
  return livePids().filter((pid) => {
    try {
      return readlinkSync(`/proc/${pid}/cwd`).startsWith(dir);
    } catch {
      return false; // gone while we looked, or not ours to read
    }
  });
}

/** Pids of live (non-zombie) processes whose process group is `pgid`. */
export function processesInGroup(pgid: number): number[] {
  return livePids().filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return Number(fields[2]) === pgid && fields[0] !== 'Z';
    } catch {
      return false; // the process ended while we looked
    }
  });
}
