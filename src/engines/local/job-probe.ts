/**
 * Turns what is on disk and in the process table into a JobStatus. The runner writes its
 * exit-status file (atomically) before it exits, so once the process group is seen gone a
 * fresh read of that file is authoritative: present means the job ended normally, absent means
 * it was killed (by stop(), which leaves a marker, or by someone else: `lost`).
 */
import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { outcomeFromExitStatus, readExitStatus, readStartedAt } from '../runner/job-runner.js';
import type { JobOutcome, JobStatus } from '../types.js';
import type { LocalJob } from './local-handle.js';
import { isJobRunning } from './process-group.js';

/** File in the control directory that stop() writes before signalling: the job was canceled. */
export const STOP_MARKER_FILE = 'stop-requested';

/** Message of the `lost` outcome: the group vanished without the runner recording an outcome. */
export const LOST_MESSAGE = 'job vanished without an exit status (its processes were killed or the host restarted)';

/** Message of the `canceled` outcome after stop(). */
export const CANCELED_MESSAGE = 'job stopped on request';

/** Records that a stop was requested, so the ending is reported as `canceled`, not `lost`. */
export async function writeStopMarker(job: LocalJob): Promise<void> {
  await writeFile(join(job.controlDir, STOP_MARKER_FILE), `${new Date().toISOString()}\n`);
}

async function stopRequested(job: LocalJob): Promise<boolean> {
  try {
    await access(join(job.controlDir, STOP_MARKER_FILE));
    return true;
  } catch {
    return false;
  }
}

/** The outcome of a job whose processes are gone, reading the exit status once more. */
async function finalOutcome(job: LocalJob): Promise<JobOutcome> {
  const exit = await readExitStatus(job.controlDir);
  if (exit !== undefined) return outcomeFromExitStatus(job.controlDir, exit);
  if (await stopRequested(job)) return { kind: 'canceled', at: new Date(), message: CANCELED_MESSAGE };
  return { kind: 'lost', at: new Date(), message: LOST_MESSAGE };
}

/**
 * Current status of a job without waiting. Never `queued`: a local job runs from submit on.
 * The exit status wins over liveness (the runner may still be exiting after writing it).
 */
export async function probeJob(job: LocalJob): Promise<JobStatus> {
  const exit = await readExitStatus(job.controlDir);
  if (exit !== undefined) return { kind: 'ended', outcome: await outcomeFromExitStatus(job.controlDir, exit) };
  if (await isJobRunning(job)) {
    const startedAt = (await readStartedAt(job.controlDir)) ?? job.submittedAt;
    return startedAt ? { kind: 'running', startedAt } : { kind: 'running' };
  }
  return { kind: 'ended', outcome: await finalOutcome(job) };
}
