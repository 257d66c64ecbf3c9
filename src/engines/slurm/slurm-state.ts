/**
 * What Slurm's job states mean for a workflow. squeue prints the base state, or COMPLETING
 * while a finished or cancelled job's processes are still being cleaned up (so a job is only
 * over once it has left COMPLETING).
 */

/** A Slurm job state reduced to what the adapter acts on. */
export type SlurmPhase =
  /** Waiting for resources or being requeued: not started. */
  | { readonly phase: 'queued' }
  /** Has (or had) processes on a node: running, suspended, completing. */
  | { readonly phase: 'running' }
  /** Over. `end` says how to build the outcome. */
  | { readonly phase: 'ended'; readonly end: SlurmEnd };

/**
 * How an ended job is finalized:
 * - `exit-status`: the runner's exit-status file is the truth (COMPLETED, FAILED);
 * - `canceled`: cancelled by scancel or an administrator;
 * - `timeout`: the time limit was reached (failed, with the logs so far);
 * - `scheduler-failure`: Slurm killed or lost it (node failure, preemption, out of memory, …).
 */
export type SlurmEnd = 'exit-status' | 'canceled' | 'timeout' | 'scheduler-failure';

const QUEUED = new Set(['PENDING', 'CONFIGURING', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'RESV_DEL_HOLD', 'SPECIAL_EXIT']);
const ENDED: ReadonlyMap<string, SlurmEnd> = new Map<string, SlurmEnd>([
  ['COMPLETED', 'exit-status'],
  ['FAILED', 'exit-status'],
  ['CANCELLED', 'canceled'],
  ['TIMEOUT', 'timeout'],
  ['NODE_FAIL', 'scheduler-failure'],
  ['PREEMPTED', 'scheduler-failure'],
  ['OUT_OF_MEMORY', 'scheduler-failure'],
  ['BOOT_FAIL', 'scheduler-failure'],
  ['DEADLINE', 'scheduler-failure'],
  ['REVOKED', 'scheduler-failure'],
]);

/**
 * Maps a state as squeue's `%T` prints it. RUNNING, COMPLETING, SUSPENDED, STOPPED, SIGNALING,
 * STAGE_OUT, RESIZING and any state this table does not know count as running: the adapter
 * keeps watching rather than finalizing a job it does not understand.
 */
export function classifySlurmState(state: string): SlurmPhase {
  const s = state.trim().toUpperCase();
  if (QUEUED.has(s)) return { phase: 'queued' };
  const end = ENDED.get(s);
  if (end !== undefined) return { phase: 'ended', end };
  return { phase: 'running' };
}

/** True for states in which the job may still have processes or may still start. */
export function isActiveSlurmState(state: string): boolean {
  return classifySlurmState(state).phase !== 'ended';
}

/** Human wording of the scheduler-failure states, for the outcome message. */
export function describeSchedulerFailure(state: string): string {
  switch (state.toUpperCase()) {
    case 'NODE_FAIL':
      return 'the node running the job failed';
    case 'PREEMPTED':
      return 'the job was preempted';
    case 'OUT_OF_MEMORY':
      return 'the job ran out of memory';
    case 'BOOT_FAIL':
      return 'the node failed to boot';
    case 'DEADLINE':
      return 'the job missed its deadline';
    case 'REVOKED':
      return 'the job was revoked (federation)';
    default:
      return `the job ended in state ${state}`;
  }
}

/**
 * Parses Slurm's `ExitCode=<code>:<signal>` into one shell-style code (128 + signal when a
 * signal ended the job); undefined when absent.
 */
export function parseSlurmExitCode(text: string | undefined): number | undefined {
  const m = /^(\d+):(\d+)$/.exec(text?.trim() ?? '');
  if (!m) return undefined;
  const code = Number(m[1]);
  const sig = Number(m[2]);
  return sig > 0 ? 128 + sig : code;
}
