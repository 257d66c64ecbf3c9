/**
 * A read-only view of the Linux process table through /proc. The local engine identifies a job
 * by its process-group id plus the leader's start time (so a recycled pid is never mistaken for
 * the job), and decides that a job is gone when no live process of its group remains.
 */
import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';

/** The few fields of /proc/<pid>/stat the engine needs. */
export interface ProcStat {
  readonly pid: number;
  /** One-letter state (R, S, D, Z, T, …); `Z` is a zombie: exited, waiting to be reaped. */
  readonly state: string;
  /** Process-group id (field 5). */
  readonly pgid: number;
  /** Start time after boot in clock ticks (field 22); with the pid it names a process uniquely. */
  readonly startTicks: number;
}

/**
 * Parses the text of /proc/<pid>/stat. The command name (field 2) is in parentheses and may
 * itself contain spaces and parentheses, so fields are counted from the last `)`.
 */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  const rest = text.slice(close + 1).trim().split(/\s+/);
  // rest[0] is field 3 (state), so field n is rest[n - 3].
  const state = rest[0];
  const pgid = Number(rest[2]);
  const startTicks = Number(rest[19]);
  if (state === undefined || ![pid, pgid, startTicks].every(Number.isSafeInteger)) return undefined;
  return { pid, state, pgid, startTicks };
}

/**
 * Reads one process synchronously. Used right after spawn(): no event-loop turn can happen in
 * between, so Node cannot have reaped the child yet and its entry is still there (at worst as a
 * zombie) even if it already exited.
 */
export function readProcStatSync(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Reads one process; undefined when it does not exist (any more). */
export async function readProcStat(pid: number): Promise<ProcStat | undefined> {
  try {
    return parseProcStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** True unless the process has exited (a zombie counts as exited). */
export function isLive(proc: ProcStat): boolean {
  return proc.state !== 'Z' && proc.state !== 'X';
}

/**
 * Lists the processes whose process-group id is `pgid`, zombies included (callers filter with
 * isLive). Scans every entry of /proc, so callers use it only once the group leader is gone.
 */
export async function listGroupMembers(pgid: number): Promise<ProcStat[]> {
  const names = await readdir('/proc');
  const stats = await Promise.all(names.filter((n) => /^\d+$/.test(n)).map((n) => readProcStat(Number(n))));
  return stats.filter((s): s is ProcStat => s !== undefined && s.pgid === pgid);
}
