/**
 * The Slurm engine: each workflow is one batch job whose script is the shared job runner
 * (../runner/job-runner.ts), submitted with `sbatch --parsable`. State comes from one batched
 * squeue per poll interval (job-poller.ts), outcomes from the runner's exit-status file plus
 * Slurm's job state (slurm-outcome.ts), stop is `scancel` then `scancel --signal=KILL`.
 *
 * The job's working and control directories (JobSpec.workDir / controlDir) must be on a
 * filesystem that the submitting host and every compute node share at the same path: the
 * runner writes its logs and exit-status file there, and the adapter reads them back. On a
 * single-node cluster the local filesystem qualifies.
 *
 * Handles carry only the Slurm job id and the two directories, so any adapter instance (after
 * a server restart, say) can observe, stop or finalize a job: reattach is observe().
 */
import { setMaxListeners } from 'node:events';
import { readdir } from 'node:fs/promises';
import type { Logger } from 'pino';
import { componentLogger } from '../../logging/logger.js';
import { linkSignals } from '../../util/abort.js';
import { readStartedAt } from '../runner/job-runner.js';
import {
  EngineUnavailableError,
  type EngineAdapter,
  type EngineCapabilities,
  type EngineHealth,
  type JobEvent,
  type JobHandle,
  type JobSpec,
  type JobStatus,
  type ResourceProblem,
} from '../types.js';
import { createConcurrencyLimit } from './concurrency-limit.js';
import { createJobPoller, type JobPollerStats } from './job-poller.js';
import { DEFAULT_ALLOWED_EXTRA_ARGS, resourceProblems, type SlurmResourceDefaults } from './sbatch-args.js';
import { createSlurmCli, type SlurmCli, type SlurmCommand } from './slurm-cli.js';
import { slurmMessage } from './slurm-errors.js';
import { statusFromPoll } from './slurm-outcome.js';
import { cancelJob } from './slurm-stop.js';
import { findSubmittedJobs, submitJob, type SubmitContext } from './slurm-submit.js';

/** Options of createSlurmEngine; resource defaults apply when a JobSpec leaves them unset. */
export interface SlurmEngineOptions extends SlurmResourceDefaults {
  /** Engine name as clients select it. Default `slurm`. */
  readonly name?: string;
  /**
   * Shared directory (see the module comment) under which all work and control directories
   * must lie; submit rejects JobSpecs outside it. Unset: any absolute paths are accepted.
   */
  readonly baseDir?: string;
  /** sbatch options a JobSpec may add (`--name=value` only). Default DEFAULT_ALLOWED_EXTRA_ARGS. */
  readonly allowedExtraArgs?: readonly string[];
  /** Time between batched squeue calls while jobs are observed, in ms. Default 1000. */
  readonly pollIntervalMs?: number;
  /** Longest any Slurm command may take, in ms. Default 30000 (sbatch alone retries ~9 s). */
  readonly commandTimeoutMs?: number;
  /** Longest health()'s `scontrol ping` may take, in ms. Default 5000. */
  readonly healthTimeoutMs?: number;
  /** Wait for the exit-status file after Slurm says COMPLETED/FAILED (shared fs lag), in ms. Default 3000. */
  readonly exitFileGraceMs?: number;
  /** How long stop() waits for Slurm to report the job gone after the forced kill, in ms. Default 60000. */
  readonly stopConfirmTimeoutMs?: number;
  /** Most sbatch processes at once; more submissions wait their turn. Default 4. */
  readonly maxConcurrentSubmits?: number;
  /** Advertised concurrency; 0 (default) = unlimited, Slurm queues the jobs itself. */
  readonly maxConcurrentJobs?: number;
  /** Directory of sbatch, squeue, scontrol, scancel; default: PATH. */
  readonly binDir?: string;
  /**
   * Environment of the Slurm commands and thus of the jobs (sbatch exports it); default
   * process.env. Pass a filtered copy to keep server secrets out of jobs. SLURM_JWT is always
   * dropped; SBATCH_* variables here act as sbatch defaults.
   */
  readonly env?: NodeJS.ProcessEnv;
  /** Parent logger; the engine logs under `{component: 'engine.slurm'}`. */
  readonly logger?: Logger;
  /** Called before every Slurm command (metrics; tests count squeue calls). */
  readonly onCommand?: (command: SlurmCommand, args: readonly string[]) => void;
  /** Called after every Slurm command with its duration in seconds and success (metrics). */
  readonly onCommandEnd?: (command: SlurmCommand, seconds: number, ok: boolean) => void;
  /**
   * Runs the Slurm commands; default createSlurmCli with binDir, commandTimeoutMs, env and
   * onCommand and onCommandEnd above (which are then ignored). Unit tests hand in a scripted one that plays a
   * cluster, outages of its controller included, so the engine's logic runs without Slurm.
   */
  readonly cli?: SlurmCli;
}

/** The Slurm adapter, with a status snapshot (used by its stop()) and its poller's counters. */
export interface SlurmEngine extends EngineAdapter {
  /** The job's status now (one immediate squeue); throws EngineUnavailableError when Slurm cannot say. */
  status(handle: JobHandle, signal?: AbortSignal): Promise<JobStatus>;
  /** Counters of the shared squeue poller. */
  pollerStats(): JobPollerStats;
}

/** Engine name used when the options give none. */
export const SLURM_ENGINE_NAME = 'slurm';

/** Creates the Slurm adapter. Nothing runs until a job is submitted or observed. */
export function createSlurmEngine(options: SlurmEngineOptions = {}): SlurmEngine {
  const name = options.name ?? SLURM_ENGINE_NAME;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const healthTimeoutMs = options.healthTimeoutMs ?? 5000;
  const exitFileGraceMs = options.exitFileGraceMs ?? 3000;
  const stopConfirmTimeoutMs = options.stopConfirmTimeoutMs ?? 60_000;
  const allowedExtraArgs = options.allowedExtraArgs ?? DEFAULT_ALLOWED_EXTRA_ARGS;
  const defaults: SlurmResourceDefaults = {
    ...(options.partition !== undefined ? { partition: options.partition } : {}),
    ...(options.timeLimitMinutes !== undefined ? { timeLimitMinutes: options.timeLimitMinutes } : {}),
    ...(options.cpus !== undefined ? { cpus: options.cpus } : {}),
    ...(options.memoryMb !== undefined ? { memoryMb: options.memoryMb } : {}),
  };
  const log = options.logger && componentLogger(options.logger, `engine.${name}`);
  const cli = options.cli ?? createSlurmCli({
    ...(options.binDir !== undefined ? { binDir: options.binDir } : {}),
    ...(options.commandTimeoutMs !== undefined ? { commandTimeoutMs: options.commandTimeoutMs } : {}),
    ...(options.env !== undefined ? { env: options.env } : {}),
    ...(options.onCommand !== undefined ? { onCommand: options.onCommand } : {}),
    ...(options.onCommandEnd !== undefined ? { onCommandEnd: options.onCommandEnd } : {}),
  });
  const poller = createJobPoller({ cli, pollIntervalMs });
  const submits = createConcurrencyLimit(options.maxConcurrentSubmits ?? 4);
  const closing = new AbortController();
  // Every observed job links to this signal (one listener each, removed when its observer ends):
  // no listener cap, or 11 workflows at once print a MaxListenersExceededWarning.
  setMaxListeners(0, closing.signal);
  const capabilities: EngineCapabilities = Object.freeze({
    survivesRestart: true,
    gracefulStop: true,
    resources: true,
    maxConcurrentJobs: options.maxConcurrentJobs ?? 0,
    // Jobs run on the cluster's nodes as the submitting account, under the cluster's own policy.
    confinement: 'cluster',
  });

  const submitContext: SubmitContext = {
    engine: name,
    cli,
    submits,
    defaults,
    allowedExtraArgs,
    ...(options.baseDir !== undefined ? { baseDir: options.baseDir } : {}),
    ...(log ? { log } : {}),
  };

  async function submit(job: JobSpec, signal?: AbortSignal): Promise<JobHandle> {
    signal?.throwIfAborted();
    if (closing.signal.aborted) throw new EngineUnavailableError(name, 'slurm engine is closed');
    return submitJob(submitContext, job, signal);
  }

  function validate(job: JobSpec): ResourceProblem[] {
    return resourceProblems({ job, defaults, allowedExtraArgs });
  }

  async function* observe(handle: JobHandle, signal: AbortSignal): AsyncGenerator<JobEvent, void, undefined> {
    const linked = linkSignals(signal, closing.signal);
    try {
      yield* followJob(handle, linked.signal);
    } finally {
      linked.dispose();
    }
  }

  async function* followJob(handle: JobHandle, linked: AbortSignal): AsyncGenerator<JobEvent, void, undefined> {
    let started = false;
    let outage = false;
    for (;;) {
      let status: JobStatus | undefined;
      try {
        const poll = await poller.next(handle.externalId, { signal: linked });
        status = await statusFromPoll(handle, poll, { cli, exitFileGraceMs, signal: linked });
        if (status === undefined && !outage) {
          log?.warn({ jobId: handle.externalId, detail: poll.kind === 'error' ? poll.message : '' }, 'squeue failed; still watching');
        }
        outage = status === undefined;
      } catch (err) {
        if (linked.aborted) return;
        throw err;
      }
      if (status === undefined || status.kind === 'queued') continue;
      if (!started && status.kind === 'running') {
        started = true;
        yield { type: 'started', at: status.startedAt ?? new Date() };
      }
      if (status.kind === 'ended') {
        if (!started) {
          const at = await readStartedAt(handle.controlDir);
          if (at !== undefined) yield { type: 'started', at };
        }
        yield { type: 'ended', outcome: status.outcome };
        return;
      }
    }
  }

  /**
   * A job an earlier process submitted but never recorded: Slurm still knows it by name and
   * script (pending or recent), or its output file `slurm-<id>.out` in the control directory
   * names it (started, possibly purged since; observe then decides from the exit-status file).
   */
  async function adopt(job: JobSpec, signal?: AbortSignal): Promise<JobHandle | undefined> {
    const [queued] = await findSubmittedJobs(submitContext, job, signal);
    const written = (await readdir(job.controlDir).catch(() => [] as string[]))
      .map((f) => /^slurm-(\d+)\.out$/.exec(f)?.[1])
      .find((id) => id !== undefined);
    const id = queued ?? written;
    return id === undefined ? undefined : { engine: name, externalId: id, workDir: job.workDir, controlDir: job.controlDir };
  }

  async function status(handle: JobHandle, signal?: AbortSignal): Promise<JobStatus> {
    signal?.throwIfAborted();
    const poll = await poller.next(handle.externalId, { immediate: true, ...(signal ? { signal } : {}) });
    const result = await statusFromPoll(handle, poll, { cli, exitFileGraceMs, ...(signal ? { signal } : {}) });
    if (result === undefined) {
      throw new EngineUnavailableError(name, `cannot read the state of Slurm job ${handle.externalId}: ${poll.kind === 'error' ? slurmMessage(poll.message) : ''}`);
    }
    return result;
  }

  async function stop(handle: JobHandle, graceMs: number, signal?: AbortSignal): Promise<void> {
    if ((await status(handle, signal)).kind === 'ended') return;
    await cancelJob({ engine: name, cli, poller, stopConfirmTimeoutMs, ...(log ? { log } : {}) }, handle.externalId, graceMs, signal);
  }

  async function health(signal?: AbortSignal): Promise<EngineHealth> {
    if (closing.signal.aborted) return { serving: false, detail: 'slurm engine is closed' };
    try {
      const { stdout } = await cli.run('scontrol', ['ping'], { timeoutMs: healthTimeoutMs, ...(signal ? { signal } : {}) });
      if (/\bis UP\b/.test(stdout)) return { serving: true };
      return { serving: false, detail: stdout.trim() || 'scontrol ping: controller not UP' };
    } catch (err) {
      signal?.throwIfAborted();
      // When the controller is down, ping prints "Slurmctld(primary) at <host> is DOWN" and a banner.
      const text = slurmMessage(err).split('; ').filter((l) => !/^\*+/.test(l)).join('; ');
      return { serving: false, detail: `scontrol ping: ${text}` };
    }
  }

  async function close(): Promise<void> {
    closing.abort();
    poller.close();
  }

  return { name, capabilities, submit, validate, adopt, observe, status, stop, health, close, pollerStats: () => poller.stats() };
}
