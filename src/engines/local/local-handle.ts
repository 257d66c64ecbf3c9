/**
 * The local engine's view of a job handle. The handle is persisted as JSON by the service, so it
 * carries everything needed after a restart: the process-group id (the runner's pid, which is
 * also its pgid because it is spawned detached) and the runner's start time, which guards
 * against the pid being recycled by an unrelated process once the job is gone.
 */
import { isAbsolute, relative } from 'node:path';
import { EngineRejectedError, type JobHandle } from '../types.js';

/** Engine name as clients select it and as it appears in handles. */
export const LOCAL_ENGINE_NAME = 'local';

/** A decoded local job handle. */
export interface LocalJob {
  /** Pid of the runner, equal to the job's process-group id. */
  readonly pid: number;
  /** Runner start time in clock ticks after boot (/proc/<pid>/stat field 22). */
  readonly startTicks: number;
  /** When submit() spawned the runner; fallback for `started` before the runner records it. */
  readonly submittedAt?: Date;
  readonly workDir: string;
  readonly controlDir: string;
}

/** Encodes a job as the handle the service persists. */
export function toHandle(job: LocalJob): JobHandle {
  return {
    engine: LOCAL_ENGINE_NAME,
    externalId: String(job.pid),
    workDir: job.workDir,
    controlDir: job.controlDir,
    data: {
      startTicks: job.startTicks,
      ...(job.submittedAt ? { submittedAt: job.submittedAt.toISOString() } : {}),
    },
  };
}

/**
 * Decodes a handle produced by toHandle (possibly before a restart). Throws EngineRejectedError
 * for a handle of another engine or one missing the identity fields: acting on a bare pid
 * could signal an unrelated process.
 */
export function fromHandle(handle: JobHandle): LocalJob {
  const reject = (why: string): never => {
    throw new EngineRejectedError(LOCAL_ENGINE_NAME, `invalid local job handle: ${why}`);
  };
  if (handle.engine !== LOCAL_ENGINE_NAME) reject(`engine is '${handle.engine}'`);
  const pid = /^[1-9]\d*$/.test(handle.externalId) ? Number(handle.externalId) : NaN;
  if (!Number.isSafeInteger(pid)) reject(`externalId '${handle.externalId}' is not a pid`);
  const startTicks = handle.data?.startTicks;
  if (typeof startTicks !== 'number' || !Number.isSafeInteger(startTicks) || startTicks < 0) {
    reject('data.startTicks is missing');
  }
  if (!isAbsolute(handle.controlDir) || !isAbsolute(handle.workDir)) reject('directories must be absolute');
  const submitted = handle.data?.submittedAt;
  const submittedAt = typeof submitted === 'string' ? new Date(submitted) : undefined;
  return {
    pid,
    startTicks: startTicks as number,
    workDir: handle.workDir,
    controlDir: handle.controlDir,
    ...(submittedAt && !Number.isNaN(submittedAt.getTime()) ? { submittedAt } : {}),
  };
}

/**
 * Rejects job directories the runner cannot use safely: both must be absolute, and the control
 * directory (runner, logs, exit status) must not lie inside the working directory, where the
 * workflow's own commands could overwrite it.
 */
export function checkJobDirs(workDir: string, controlDir: string): void {
  if (!isAbsolute(workDir) || !isAbsolute(controlDir)) {
    throw new EngineRejectedError(LOCAL_ENGINE_NAME, 'workDir and controlDir must be absolute paths');
  }
  const rel = relative(workDir, controlDir);
  if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) {
    throw new EngineRejectedError(LOCAL_ENGINE_NAME, 'controlDir must not be inside workDir');
  }
}
