/**
 * Submitting one workflow as a Slurm batch job whose script is the shared job runner. Both
 * directories are created before sbatch runs (a missing --chdir makes Slurm run the job in /tmp
 * and call it COMPLETED), and a failed submission leaves no job behind.
 */
import { mkdir } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import type { Logger } from 'pino';
import { RUNNER_FILES, writeJobRunner } from '../runner/job-runner.js';
import { EngineRejectedError, EngineUnavailableError, type JobHandle, type JobSpec } from '../types.js';
import type { ConcurrencyLimit } from './concurrency-limit.js';
import { buildSbatchArgs, parseSbatchJobId, slurmJobName, type SlurmResourceDefaults } from './sbatch-args.js';
import { SlurmCommandError, type SlurmCli } from './slurm-cli.js';
import { submitError } from './slurm-errors.js';

/** What submitJob needs from the adapter. */
export interface SubmitContext {
  readonly engine: string;
  readonly cli: SlurmCli;
  /** Bounds how many sbatch processes run at once. */
  readonly submits: ConcurrencyLimit;
  readonly defaults: SlurmResourceDefaults;
  readonly allowedExtraArgs: readonly string[];
  /** When set, both job directories must lie under it (the shared filesystem). */
  readonly baseDir?: string;
  readonly log?: Logger;
}

/**
 * Writes the runner, runs sbatch and returns the handle. Throws EngineRejectedError for specs
 * Slurm (or the allow-list) refuses and EngineUnavailableError when the controller is unreachable.
 */
export async function submitJob(ctx: SubmitContext, job: JobSpec, signal?: AbortSignal): Promise<JobHandle> {
  checkDirs(ctx, job);
  const runnerPath = join(job.controlDir, RUNNER_FILES.script);
  const args = buildSbatchArgs({ engine: ctx.engine, job, runnerPath, defaults: ctx.defaults, allowedExtraArgs: ctx.allowedExtraArgs });
  await mkdir(job.workDir, { recursive: true });
  await mkdir(job.controlDir, { recursive: true });
  await writeJobRunner(job);
  let stdout: string;
  try {
    // The last point where giving up leaves nothing behind is the wait for a slot; sbatch
    // itself is not aborted, because killing it midway could leave a job nobody has a handle for.
    ({ stdout } = await ctx.submits.run(() => ctx.cli.run('sbatch', args), signal));
  } catch (err) {
    if (signal?.aborted && err === signal.reason) throw err;
    // Killed on timeout: the controller may have queued the job without sbatch printing its id.
    if (err instanceof SlurmCommandError && err.exitCode === undefined) await cancelOrphans(ctx, job);
    throw submitError(ctx.engine, err);
  }
  const jobId = parseSbatchJobId(stdout);
  if (jobId === undefined) {
    await cancelOrphans(ctx, job);
    throw new EngineUnavailableError(ctx.engine, `sbatch printed no job id: ${stdout.trim() || '(nothing)'}`);
  }
  ctx.log?.debug({ workflowId: job.workflowId, jobId }, 'submitted');
  return { engine: ctx.engine, externalId: jobId, workDir: job.workDir, controlDir: job.controlDir };
}

function checkDirs(ctx: SubmitContext, job: JobSpec): void {
  for (const [field, dir] of [['workDir', job.workDir], ['controlDir', job.controlDir]] as const) {
    if (!isAbsolute(dir)) throw new EngineRejectedError(ctx.engine, `${field} must be an absolute path: ${dir}`);
    if (ctx.baseDir !== undefined) {
      const rel = relative(ctx.baseDir, dir);
      if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
        throw new EngineRejectedError(ctx.engine, `${field} ${dir} is outside the shared directory ${ctx.baseDir}`);
      }
    }
  }
}

/**
 * Ids of the Slurm jobs (any state) that run this job's runner script: found by job name, then
 * matched on the script path, so a job of another server with the same workflow id is not taken.
 * Throws when squeue fails (controller unreachable).
 */
export async function findSubmittedJobs(ctx: SubmitContext, job: JobSpec, signal?: AbortSignal): Promise<string[]> {
  const runnerPath = join(job.controlDir, RUNNER_FILES.script);
  const args = ['-h', '-t', 'all', `--name=${slurmJobName(job.workflowId)}`, '-o', '%i|%o'];
  const { stdout } = await ctx.cli.run('squeue', args, signal ? { signal } : {});
  return stdout
    .split('\n')
    .map((line) => line.trim().split('|'))
    .filter(([id, command]) => id && command === runnerPath)
    .map(([id]) => id!);
}

/**
 * After an sbatch whose answer was lost, a job may exist that nobody has a handle for: find it
 * by name and script path, and cancel it. Best effort: when the controller is still unreachable
 * there is nothing to find either way.
 */
async function cancelOrphans(ctx: SubmitContext, job: JobSpec): Promise<void> {
  try {
    for (const id of await findSubmittedJobs(ctx, job)) {
      ctx.log?.warn({ workflowId: job.workflowId, jobId: id }, 'cancelling a job from a failed sbatch');
      await ctx.cli.run('scancel', [id]);
    }
  } catch (err) {
    ctx.log?.warn({ err, workflowId: job.workflowId }, 'could not check for a job left by a failed sbatch');
  }
}
