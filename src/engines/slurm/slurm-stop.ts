/**
 * Stopping a Slurm job: `scancel <id>` (Slurm marks it CANCELLED and sends SIGTERM to all of
 * its processes), wait up to the grace period for Slurm to report it over, then
 * `scancel --signal=KILL --full <id>`, and confirm with squeue that it is gone (scancel exits 0
 * even for jobs it does not know, so its exit code proves nothing). Slurm itself sends SIGKILL
 * after the cluster's KillWait, which may come before the grace period ends.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import { EngineUnavailableError } from '../types.js';
import type { JobPoller } from './job-poller.js';
import { isControllerUnreachable, slurmMessage } from './slurm-errors.js';
import type { SlurmCli } from './slurm-cli.js';
import { isActiveSlurmState } from './slurm-state.js';

/** Pause between state checks while waiting for a job to go, in ms. */
const STOP_POLL_MS = 250;

/** What cancelJob needs from the adapter. */
export interface CancelContext {
  readonly engine: string;
  readonly cli: SlurmCli;
  readonly poller: JobPoller;
  /** How long to wait for Slurm to report the job over after the forced kill, in ms. */
  readonly stopConfirmTimeoutMs: number;
  readonly log?: Logger;
}

/**
 * Cancels Slurm job `jobId`, SIGKILL after `graceMs` (ms); resolves once Slurm reports it over.
 * Throws EngineUnavailableError when the controller cannot be reached or the job will not go.
 */
export async function cancelJob(ctx: CancelContext, jobId: string, graceMs: number, signal?: AbortSignal): Promise<void> {
  await scancel(ctx, [jobId], signal);
  if (await waitUntilOver(ctx, jobId, Math.max(0, graceMs), signal)) return;
  await scancel(ctx, ['--signal=KILL', '--full', jobId], signal);
  if (!(await waitUntilOver(ctx, jobId, ctx.stopConfirmTimeoutMs, signal))) {
    throw new EngineUnavailableError(
      ctx.engine,
      `Slurm job ${jobId} still active ${ctx.stopConfirmTimeoutMs} ms after scancel --signal=KILL`,
    );
  }
}

async function scancel(ctx: CancelContext, args: readonly string[], signal?: AbortSignal): Promise<void> {
  try {
    await ctx.cli.run('scancel', args, signal ? { signal } : {});
  } catch (err) {
    if (signal?.aborted) throw err;
    if (isControllerUnreachable(err)) throw new EngineUnavailableError(ctx.engine, `scancel failed: ${slurmMessage(err)}`);
    // Otherwise the job is already completing or gone; the wait that follows decides.
    ctx.log?.debug({ err, args }, 'scancel refused');
  }
}

/** Polls until Slurm no longer reports the job as active; false when `ms` passed first. */
async function waitUntilOver(ctx: CancelContext, jobId: string, ms: number, signal?: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    const poll = await ctx.poller.next(jobId, { immediate: true, ...(signal ? { signal } : {}) });
    if (poll.kind === 'unknown' || (poll.kind === 'found' && !isActiveSlurmState(poll.state))) return true;
    if (Date.now() >= deadline) return false;
    await delay(Math.min(STOP_POLL_MS, Math.max(0, deadline - Date.now())), undefined, { signal });
  }
}
