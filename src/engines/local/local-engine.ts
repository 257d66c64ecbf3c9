/**
 * The local engine: runs each workflow's job runner (see ../runner/job-runner.ts; the Perl runner,
 * ../runner/perl-runner.ts, where perl is installed, else the shell runner with /bin/sh) on this host, detached in its own process group, so a job outlives a server restart and is found
 * again from its persisted handle. Outcomes come from the runner's exit-status file; the process
 * table only says whether anything of the job is still alive.
 */
import { setMaxListeners } from 'node:events';
import { constants } from 'node:fs';
import { access, mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { componentLogger } from '../../logging/logger.js';
import { readRunnerPid } from '../runner/control-dir.js';
import { readExitStatus, readStartedAt, RUNNER_FILES, writeJobRunner, writePerlRunner } from '../runner/job-runner.js';
import { PERL } from '../runner/log-cap-helper.js';
import {
  EngineUnavailableError,
  type EngineAdapter,
  type EngineCapabilities,
  type EngineHealth,
  type JobEvent,
  type JobHandle,
  type JobSpec,
  type JobStatus,
} from '../types.js';
import { linkSignals, sleep, untilSettledOrAborted } from '../../util/abort.js';
import { adoptLocalJob } from './adopt-job.js';
import { createJobSandbox, type JobSandbox, type JobSandboxOptions } from './job-sandbox.js';
import { probeJob, writeStopMarker } from './job-probe.js';
import { checkJobDirs, fromHandle, LOCAL_ENGINE_NAME, toHandle, type LocalJob } from './local-handle.js';
import { createDirectSpawner, createPerlSpawner, perlSpawnerAvailable, SpawnError, type JobSpawner, type SpawnedJob } from './job-spawner.js';
import { createOwnedChildren } from './owned-children.js';
import { isJobRunning, signalJob, waitUntilGone } from './process-group.js';
import { readProcStat } from './process-table.js';

/** The shell that runs the runner (and, inside it, every command), as flowServ's worker does. */
const SHELL = '/bin/sh';

/** How often stop() looks at the process table while it waits for the group to go, in ms. */
const STOP_POLL_MS = 25;

/** How long stop() waits for the group to disappear after SIGKILL before giving up, in ms. */
const KILL_WAIT_MS = 10_000;

/** Options of createLocalEngine; validated once, then frozen. */
export interface LocalEngineOptions {
  /**
   * Directory under which the service places runs' working and control directories. health()
   * reports NOT_SERVING unless a directory can be created in it (and /bin/sh and /proc exist).
   */
  readonly baseDir: string;
  /**
   * Environment of jobs whose step env is empty (FLOWSERV.md §7.4: they inherit it). Default
   * process.env; the composition root should pass a filtered copy so the server's own secrets
   * never reach workflow commands. Steps with a non-empty env get only that env (`env -i`).
   */
  readonly env?: NodeJS.ProcessEnv;
  /** How often observe() polls a job this instance did not spawn (reattached), in ms. Default 500. */
  readonly pollIntervalMs?: number;
  /** Advertised concurrency; the service queues the rest. Default: the number of CPUs. */
  readonly maxConcurrentJobs?: number;
  /** Parent logger; the engine logs under `{component: 'engine.local'}`. */
  readonly logger?: Logger;
  /**
   * How jobs are confined (see job-sandbox.ts): mode (default `auto`: bubblewrap, else unshare,
   * else none, with a loud warning), job user, the data directory and secret files to hide.
   * Confined, processes a job leaves behind (`cmd &`, `setsid cmd &`) end with it; unconfined,
   * only the job's process group is killed when the runner exits.
   */
  readonly sandbox?: Omit<JobSandboxOptions, 'baseDir'>;
  /**
   * Start runners through a small long-lived Perl process (job-spawner.ts) rather than forking
   * the server for each job. Default: when perl is installed.
   */
  readonly spawner?: boolean;
  /**
   * Run jobs with the Perl runner (perl-runner.ts: the runner and its log capture in one
   * process) rather than the POSIX shell runner. Default: when perl is installed.
   */
  readonly perlRunner?: boolean;
}

interface ResolvedOptions {
  readonly baseDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly pollIntervalMs: number;
  readonly maxConcurrentJobs: number;
}

function resolveOptions(options: LocalEngineOptions): ResolvedOptions {
  const problems: string[] = [];
  const pollIntervalMs = options.pollIntervalMs ?? 500;
  const maxConcurrentJobs = options.maxConcurrentJobs ?? availableParallelism();
  if (typeof options.baseDir !== 'string' || options.baseDir === '') problems.push('baseDir is required');
  if (!Number.isFinite(pollIntervalMs) || pollIntervalMs <= 0) problems.push('pollIntervalMs must be > 0');
  if (!Number.isSafeInteger(maxConcurrentJobs) || maxConcurrentJobs < 0) {
    problems.push('maxConcurrentJobs must be an integer >= 0');
  }
  if (problems.length > 0) throw new TypeError(`invalid local engine options: ${problems.join('; ')}`);
  return Object.freeze({
    baseDir: options.baseDir,
    env: Object.freeze({ ...(options.env ?? process.env) }),
    pollIntervalMs,
    maxConcurrentJobs,
  });
}

/** A job's runner: its script and the program that runs it. */
interface Runner {
  readonly script: string;
  readonly interpreter: string;
}

/**
 * Writes the job's runner: the Perl runner where perl is installed (one process per job besides
 * the commands' shells), the POSIX shell runner otherwise.
 */
async function writeRunner(spec: JobSpec, perl: boolean): Promise<Runner> {
  if (perl) return { script: await writePerlRunner(spec), interpreter: PERL };
  return { script: await writeJobRunner(spec), interpreter: SHELL };
}

/**
 * Starts the runner as the sandbox says (program, arguments, user) through `spawner`; resolves
 * once it runs, rejects with EngineUnavailableError otherwise.
 */
async function spawnRunner(spawner: JobSpawner, runner: Runner, job: JobSpec, env: NodeJS.ProcessEnv, sandbox: JobSandbox): Promise<SpawnedJob> {
  const plan = sandbox.command(job, runner.script, join(job.controlDir, RUNNER_FILES.pid), runner.interpreter);
  const ids = plan.uid === undefined ? {} : { uid: plan.uid, gid: plan.gid! };
  const pidFile = plan.pidFile === undefined ? {} : { pidFile: plan.pidFile };
  try {
    return await spawner.spawn({ argv: [plan.file, ...plan.args], cwd: job.workDir, env, ...ids, ...pidFile });
  } catch (err) {
    const why = err instanceof SpawnError ? `cannot start ${runner.interpreter}: ${err.message}` : (err as Error).message;
    throw new EngineUnavailableError(LOCAL_ENGINE_NAME, why);
  }
}

/** The local adapter, with a status snapshot for tests and diagnostics. */
export interface LocalEngine extends EngineAdapter {
  /** The job's status now, from its exit-status file and the process table. */
  status(handle: JobHandle, signal?: AbortSignal): Promise<JobStatus>;
  /** How this engine's jobs are confined (chosen at start). */
  readonly sandbox: JobSandbox;
}

/**
 * Writes, syncs and removes a 64 KiB file in `dir`: a full disk (ENOSPC) or a read-only one
 * (EROFS) fails here, where creating an empty directory may still succeed.
 */
async function probeWrite(dir: string): Promise<void> {
  const probeDir = await mkdtemp(join(dir, '.health-'));
  try {
    const file = await open(join(probeDir, 'probe'), 'w');
    try {
      await file.write(Buffer.alloc(64 * 1024));
      await file.sync();
    } finally {
      await file.close();
    }
  } finally {
    await rm(probeDir, { recursive: true, force: true });
  }
}

/**
 * Creates the local engine adapter. Jobs keep running when the server stops (close() only
 * releases watchers); a new instance observes, stops or finalizes them from their handles.
 * Throws TypeError listing every invalid option.
 */
export function createLocalEngine(options: LocalEngineOptions): LocalEngine {
  const opts = resolveOptions(options);
  const log = options.logger && componentLogger(options.logger, 'engine.local');
  const children = createOwnedChildren();
  const perlInstalled = perlSpawnerAvailable();
  const spawner = (options.spawner ?? perlInstalled) ? createPerlSpawner() : createDirectSpawner();
  const perlRunner = options.perlRunner ?? perlInstalled;
  const sandbox = createJobSandbox({ ...options.sandbox, baseDir: opts.baseDir });
  for (const warning of sandbox.warnings) log?.warn({ jobSandbox: sandbox.kind }, warning);
  log?.info({ jobSandbox: sandbox.kind, jobUser: sandbox.user?.name ?? null }, 'local job sandbox chosen');
  const closing = new AbortController();
  // Every followed job links its observer to this signal (and unlinks when it ends): no cap.
  setMaxListeners(0, closing.signal);

  const capabilities: EngineCapabilities = Object.freeze({
    survivesRestart: true,
    gracefulStop: true,
    resources: false,
    maxConcurrentJobs: opts.maxConcurrentJobs,
    confinement: sandbox.kind === 'off' ? 'none' : sandbox.kind,
    separateJobUser: sandbox.user !== undefined,
  });

  async function submit(spec: JobSpec, signal?: AbortSignal): Promise<JobHandle> {
    signal?.throwIfAborted();
    if (closing.signal.aborted) throw new EngineUnavailableError(LOCAL_ENGINE_NAME, 'local engine is closed');
    checkJobDirs(spec.workDir, spec.controlDir);
    // An earlier attempt whose start could not be confirmed (its spawner died) may have started
    // the runner, which records its pid first: that job is the workflow's, never a second one.
    if ((await readRunnerPid(spec.controlDir)) !== undefined) {
      const earlier = await adoptLocalJob(spec);
      if (earlier) return earlier;
    }
    const [, runner] = await Promise.all([mkdir(spec.workDir, { recursive: true }), writeRunner(spec, perlRunner)]);
    await sandbox.prepare(spec);
    // Last point where giving up leaves nothing running; the spawn itself is not abortable,
    // because an aborted submit must not kill a job that has started.
    signal?.throwIfAborted();
    const submittedAt = new Date();
    const started = await spawnRunner(spawner, runner, spec, opts.env, sandbox);
    const pid = started.pid;
    const job: LocalJob = {
      pid,
      startTicks: started.startTicks,
      submittedAt,
      workDir: spec.workDir,
      controlDir: spec.controlDir,
    };
    children.add(job, started.exited);
    log?.debug({ workflowId: spec.workflowId, pid }, 'job started');
    return toHandle(job);
  }

  async function* observe(handle: JobHandle, signal: AbortSignal): AsyncGenerator<JobEvent, void, undefined> {
    const job = fromHandle(handle);
    const linked = linkSignals(signal, closing.signal);
    try {
      if (linked.signal.aborted) return;
      const at = (await readStartedAt(job.controlDir)) ?? job.submittedAt ?? new Date();
      if (linked.signal.aborted) return;
      yield { type: 'started', at };
      // Set once this instance, which started the runner, was told it exited (or lost sight of it).
      let spawnedHere = false;
      for (;;) {
        const exited = children.exited(job);
        if (exited !== undefined && !(await untilSettledOrAborted(exited, linked.signal))) return;
        spawnedHere ||= exited !== undefined;
        if (linked.signal.aborted) return;
        const status = await probeJob(job);
        if (status.kind === 'ended') {
          await Promise.all([endLeftovers(job, spawnedHere), removeRunner(job)]);
          if (linked.signal.aborted) return;
          yield { type: 'ended', outcome: status.outcome };
          return;
        }
        if (!(await sleep(opts.pollIntervalMs, linked.signal))) return;
      }
    } finally {
      linked.dispose();
    }
  }

  /**
   * Nothing of a job may run once it has ended: kills what is left of its process group (`cmd &`
   * in a step) and waits until it is gone; in a PID namespace that also ends `setsid` escapes.
   */
  async function endLeftovers(job: LocalJob, spawnedHere: boolean): Promise<void> {
    // In the unshare sandbox the job's leader is `unshare --kill-child`, which exits only once the
    // namespace's init (the runner) has ended, and the kernel has then killed every process of
    // the namespace (killing the leader kills the init too): with the leader gone (reaped)
    // nothing is left, and all of /proc need not be scanned. Only for jobs this instance
    // started, so known to be confined. Not under bwrap: its leader can be killed alone while
    // the sandbox lives on (it has no --kill-child that would not also tie the job to the server).
    if (sandbox.kind === 'namespaces' && spawnedHere && (await readProcStat(job.pid)) === undefined) return;
    try {
      if (await signalJob(job, 'SIGKILL')) await waitUntilGone(job, KILL_WAIT_MS, STOP_POLL_MS);
    } catch (err) {
      log?.warn({ err, pid: job.pid }, 'could not kill what the job left running');
    }
  }

  /**
   * The runner script is needed only while the job may run (and to adopt a job never recorded,
   * which an observed job is not): once it ended, it goes, so a finished run keeps only its
   * records. Failing to remove it costs only its disk block.
   */
  async function removeRunner(job: LocalJob): Promise<void> {
    const remove = (name: string) => rm(join(job.controlDir, name), { force: true }).catch((err: unknown) => log?.debug({ err, pid: job.pid }, 'could not remove the runner script'));
    await Promise.all([remove(RUNNER_FILES.script), remove(RUNNER_FILES.perlScript)]);
  }

  async function status(handle: JobHandle, signal?: AbortSignal): Promise<JobStatus> {
    signal?.throwIfAborted();
    return probeJob(fromHandle(handle));
  }

  async function stop(handle: JobHandle, graceMs: number, signal?: AbortSignal): Promise<void> {
    const job = fromHandle(handle);
    signal?.throwIfAborted();
    if ((await readExitStatus(job.controlDir)) !== undefined || !(await isJobRunning(job))) return;
    try {
      await writeStopMarker(job);
    } catch (err) {
      log?.warn({ err, pid: job.pid }, 'cannot record the stop request; stopping anyway');
    }
    if (await signalJob(job, 'SIGTERM')) {
      if (await waitUntilGone(job, Math.max(0, graceMs), STOP_POLL_MS, signal)) return;
      log?.info({ pid: job.pid, graceMs }, 'job outlived its grace period; killing');
      await signalJob(job, 'SIGKILL');
    }
    if (!(await waitUntilGone(job, KILL_WAIT_MS, STOP_POLL_MS, signal))) {
      throw new Error(`processes of local job ${job.pid} survived SIGKILL for ${KILL_WAIT_MS} ms`);
    }
  }

  async function health(signal?: AbortSignal): Promise<EngineHealth> {
    signal?.throwIfAborted();
    if (closing.signal.aborted) return { serving: false, detail: 'local engine is closed' };
    try {
      await access(SHELL, constants.X_OK);
    } catch {
      return { serving: false, detail: `${SHELL} is missing or not executable` };
    }
    try {
      await access('/proc/self/stat', constants.R_OK);
    } catch {
      return { serving: false, detail: '/proc is not mounted: jobs cannot be identified or followed' };
    }
    try {
      await probeWrite(opts.baseDir);
    } catch (err) {
      return { serving: false, detail: `base directory ${opts.baseDir} is not writable: ${(err as Error).message}` };
    }
    return { serving: true };
  }

  async function close(): Promise<void> {
    closing.abort();
    spawner.close();
    children.clear();
  }

  return { name: LOCAL_ENGINE_NAME, capabilities, sandbox, submit, adopt: adoptLocalJob, observe, status, stop, health, close };
}
