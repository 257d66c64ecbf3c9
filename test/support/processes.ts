/**
 * What is running on this machine, read from /proc: the checks behind "nothing of a job is left
 * running" in the local-engine and reliability tests, and the reaper that ends what a test left
 * running under its temporary folders (jobs outlive the server that started them by design, so a
 * test that stops or kills a server must end its jobs itself).
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Numeric /proc entries, i.e. the pids alive when the directory was read. */
function livePids(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number);
}

/** State and process group of a pid (fields 3 and 5 of /proc/<pid>/stat), undefined once it is gone. */
function statOf(pid: number): { state: string; pgid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0]!, pgid: Number(fields[2]) };
  } catch {
    return undefined; // the process ended while we looked
  }
}

/** Whether `path` is `dir` or lies under it (a removed working directory reads `<path> (deleted)`). */
function isUnder(path: string, dir: string): boolean {
  return path === dir || path.startsWith(`${dir}/`) || path.startsWith(`${dir} `);
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
    const stat = statOf(pid);
    return stat !== undefined && stat.pgid === pgid && stat.state !== 'Z';
  });
}

/** A live process that works under a folder: its working directory or an argument lies there. */
export interface FolderProcess {
  readonly pid: number;
  readonly pgid: number;
  readonly cwd: string;
  /** The command line, arguments separated by spaces. */
  readonly args: string;
}

/**
 * Live (non-zombie) processes, other than this one, whose working directory lies under `dir`
 * or whose command line names a path under it: a job's runner, its log helpers and commands
 * (working directory in the run directory), a server (`--data-dir`), a benchmark's client.
 */
export function processesUsing(dir: string): FolderProcess[] {
  const found: FolderProcess[] = [];
  for (const pid of livePids()) {
    if (pid === process.pid) continue;
    try {
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      const stat = statOf(pid);
      if (stat === undefined || stat.state === 'Z') continue;
      if (isUnder(cwd, dir) || args.includes(`${dir}/`) || args.split(' ').includes(dir)) found.push({ pid, pgid: stat.pgid, cwd, args });
    } catch {
      // gone while we looked
    }
  }
  return found;
}

/** What {@link killProcessesUsing} found and what it could not end. */
export interface Reaped {
  /** Every process it found working under the folder (and killed). */
  readonly killed: readonly FolderProcess[];
  /** Those still alive when it gave up. */
  readonly survivors: readonly FolderProcess[];
}

/** This process's own group: never signalled as a whole (a server spawned without `detached` is in it). */
const OWN_GROUP = statOf(process.pid)?.pgid;

/**
 * Kills (SIGKILL) every process working under `dir`, with its whole process group when that is
 * not this process's own (a job is a group: runner, log helpers, commands, their `sleep`s), and
 * looks again until none is left or `timeoutMs` has passed.
 */
export async function killProcessesUsing(dir: string, timeoutMs = 10_000): Promise<Reaped> {
  const killed = new Map<number, FolderProcess>();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = processesUsing(dir);
    if (left.length === 0 || Date.now() > deadline) return { killed: [...killed.values()], survivors: left };
    for (const proc of left) {
      if (!killed.has(proc.pid)) killed.set(proc.pid, proc);
      const ownGroup = proc.pgid === OWN_GROUP || proc.pgid <= 1;
      try {
        process.kill(ownGroup ? proc.pid : -proc.pgid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await sleep(50);
  }
}

/** One line per process, for a failure message. */
export function describeProcesses(procs: readonly FolderProcess[]): string {
  return procs.map((p) => `${p.pid} (group ${p.pgid}, in ${p.cwd}): ${p.args.replace(/\s+/g, ' ').slice(0, 200)}`).join('\n');
}
