/**
 * Liveness and signalling of a local job's process group. A job is its runner plus everything
 * the runner started; they share the runner's process group (the runner is spawned detached,
 * so its pid is the pgid). The job is running while any live process of that group remains.
 */
import { isLive, listGroupMembers, readProcStat } from './process-table.js';
import type { LocalJob } from './local-handle.js';

/**
 * Whether any process of the job's group is still alive (zombies do not count).
 *
 * Identity: when the leader's pid exists with another start time, the pid was recycled, which
 * the kernel only does once no process uses it as a pgid either, so the job is gone. When the
 * leader is gone or a zombie, the remaining members of group `pid` are the job's; as a last
 * guard only members started no earlier than the leader count.
 */
export async function isJobRunning(job: LocalJob): Promise<boolean> {
  const leader = await readProcStat(job.pid);
  if (leader !== undefined && leader.startTicks !== job.startTicks) return false;
  if (leader !== undefined && isLive(leader)) return true;
  // No process (zombies included) has the job's pgid: nothing to look for in all of /proc.
  if (leader === undefined && !groupExists(job.pid)) return false;
  const members = await listGroupMembers(job.pid);
  return members.some((m) => m.pid !== job.pid && isLive(m) && m.startTicks >= job.startTicks);
}

/**
 * Whether any process, zombies included, is in process group `pgid` (signal 0 to the group: one
 * system call). ESRCH means none; EPERM means one exists that this process may not signal.
 */
function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Sends `signal` to the whole process group after checking the job's identity. Returns false
 * when nothing of the job was left to signal (ESRCH included); other errors (EPERM) propagate.
 */
export async function signalJob(job: LocalJob, signal: NodeJS.Signals): Promise<boolean> {
  if (!(await isJobRunning(job))) return false;
  try {
    process.kill(-job.pid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/**
 * Polls every `pollMs` until no live process of the job's group remains or `timeoutMs` passes.
 * Resolves true when the group is gone and false on timeout; throws the abort reason when
 * `signal` aborts (the job is left as it is).
 */
export async function waitUntilGone(
  job: LocalJob,
  timeoutMs: number,
  pollMs: number,
  signal?: AbortSignal,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    signal?.throwIfAborted();
    if (!(await isJobRunning(job))) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(done, Math.min(pollMs, left));
      function done(): void {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        if (signal?.aborted) reject(signal.reason);
        else resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
