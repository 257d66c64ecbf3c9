/**
 * The narrow contract between the transport-free WorkflowService and the engines that run
 * jobs (local subprocesses, Slurm). The service expands templates into a concrete JobSpec
 * before an adapter sees it: adapters never parse templates, and they never touch the store.
 */

/** One step of a serial workflow, already expanded: commands are final shell command lines. */
export interface JobStep {
  /** Step name from the template (`steps[].name`); used for log file names and messages. */
  readonly name: string;
  /** Container image or label the template named; recorded, not used by host engines. */
  readonly environment?: string;
  /** Command lines run one at a time with `/bin/sh -c`, stopping at the first non-zero exit. */
  readonly commands: readonly string[];
  /**
   * Step environment (flowServ: worker env merged with step env). When non-empty the commands
   * get only these variables; when empty they inherit the engine's environment (FLOWSERV.md §7.4).
   */
  readonly env?: Readonly<Record<string, string>>;
}

/** Optional scheduler resources; engines that have no scheduler ignore them. */
export interface JobResources {
  readonly partition?: string;
  readonly timeLimitMinutes?: number;
  readonly cpus?: number;
  readonly memoryMb?: number;
  /** Extra scheduler arguments; the Slurm adapter accepts only those on its allow-list. */
  readonly extraArgs?: readonly string[];
}

/** Everything an engine needs to run one workflow. */
export interface JobSpec {
  /** The service's workflow id; engines use it for job names and logging. */
  readonly workflowId: string;
  /** Absolute path of the run's working directory (static files and inputs already staged). */
  readonly workDir: string;
  /**
   * Absolute path of a directory private to the engine for this job: runner script, per-command
   * logs, exit-status file. Created by the engine; never inside workDir.
   */
  readonly controlDir: string;
  readonly steps: readonly JobStep[];
  readonly resources?: JobResources;
  /**
   * W3C traceparent of the call that created the workflow; every command sees it as the
   * TRACEPARENT environment variable (also under `env -i`), so tools that trace can join the trace.
   */
  readonly traceparent?: string;
  /**
   * Bytes of each output stream (stdout, stderr) kept over all the job's commands; the rest is
   * discarded without disturbing the command, and the discarded count recorded. 0 or absent
   * means no cap. Fixed when the workflow is created (the spec is persisted).
   */
  readonly logCapBytes?: number;
}

/**
 * A persisted reference to a submitted job. It must carry everything an adapter needs to
 * observe or stop the job after a server restart (it is stored as JSON).
 */
export interface JobHandle {
  /** Name of the engine that owns the job. */
  readonly engine: string;
  /** The engine's own id: a process-group id for local, a job id for Slurm. */
  readonly externalId: string;
  readonly workDir: string;
  readonly controlDir: string;
  /** Engine-specific data (for example the process start time that guards against pid reuse). */
  readonly data?: Readonly<Record<string, string | number | boolean>>;
}

/** How a job ended, as the engine saw it. */
export type JobOutcome =
  | { readonly kind: 'succeeded'; readonly at: Date }
  | {
      readonly kind: 'failed';
      readonly at: Date;
      /** Exit code of the first failing command (or the scheduler's code). */
      readonly exitCode: number;
      /** flowServ messages: every command's stdout (non-empty), then every stderr (non-empty). */
      readonly messages: readonly string[];
    }
  | { readonly kind: 'canceled'; readonly at: Date; readonly message: string }
  /** The job vanished without an exit status (killed, node lost, purged by the scheduler). */
  | { readonly kind: 'lost'; readonly at: Date; readonly message: string };

/** What observe() reports: the job started, or it ended. */
export type JobEvent =
  | { readonly type: 'started'; readonly at: Date }
  | { readonly type: 'ended'; readonly outcome: JobOutcome };

/**
 * A snapshot of a job's status. Not part of EngineAdapter (the service follows jobs with
 * observe(), after a restart too); the engines offer it for their own stop() and for tests.
 */
export type JobStatus =
  | { readonly kind: 'queued' }
  | { readonly kind: 'running'; readonly startedAt?: Date }
  | { readonly kind: 'ended'; readonly outcome: JobOutcome };

/** What the service and GetServiceInfo may rely on. */
export interface EngineCapabilities {
  /** Jobs keep running while the server is down and can be reattached. */
  readonly survivesRestart: boolean;
  /** stop() honours a grace period before killing. */
  readonly gracefulStop: boolean;
  /** Resources (partition, time limit, …) are honoured. */
  readonly resources: boolean;
  /** How many jobs may run at once; the service queues the rest as PENDING. 0 = unlimited. */
  readonly maxConcurrentJobs: number;
  /**
   * How jobs are kept from the server and each other: `bwrap` (bubblewrap: a root of their own),
   * `namespaces` (unshare: private /proc, data directory hidden), `none`, or `cluster` (the
   * cluster's own policy, Slurm). Undefined: the engine does not say.
   */
  readonly confinement?: JobConfinement;
  /** Jobs run as an account other than the server's. */
  readonly separateJobUser?: boolean;
}

/** See EngineCapabilities.confinement. */
export type JobConfinement = 'bwrap' | 'namespaces' | 'none' | 'cluster';

/** One resource of a JobSpec the engine would refuse, found before anything is stored or run. */
export interface ResourceProblem {
  /** The JobResources field at fault. */
  readonly resource: keyof JobResources;
  /** Why the engine refuses it, in the words submit would use. */
  readonly message: string;
}

/** Result of a health probe; `detail` explains NOT_SERVING. */
export interface EngineHealth {
  readonly serving: boolean;
  readonly detail?: string;
}

/** An engine adapter. All methods must be safe to call concurrently for different jobs. */
export interface EngineAdapter {
  /** Engine name as clients select it (`local`, `slurm`). */
  readonly name: string;
  readonly capabilities: EngineCapabilities;
  /**
   * Starts (or enqueues with the scheduler) the job and returns its handle. Throws
   * EngineUnavailableError when the engine cannot be reached and EngineRejectedError when the
   * engine refuses the job (bad resources); nothing is left running in either case.
   */
  submit(job: JobSpec, signal?: AbortSignal): Promise<JobHandle>;
  /**
   * What submit would refuse for certain, checked synchronously and without I/O, so that a bad
   * request is answered INVALID_ARGUMENT before the workflow is stored. Submission happens later,
   * in the background: a refusal only the scheduler can find ends the workflow in ERROR instead.
   * Optional: engines without resources to check omit it.
   */
  validate?(job: JobSpec): readonly ResourceProblem[];
  /**
   * Follows a job until it ends: yields `started` (at most once, possibly never if the job
   * fails before starting) and then exactly one `ended`, and returns. Works on handles from
   * before a restart. Aborting the signal ends the iteration, never the job.
   */
  observe(handle: JobHandle, signal: AbortSignal): AsyncIterable<JobEvent>;
  /**
   * Finds the job an earlier server process submitted for `job` but died before recording (the
   * handle never reached the store). Returns its handle, or undefined when no such job was
   * started, so that the service can submit it without running it twice. Optional: engines
   * without it get such workflows submitted again.
   */
  adopt?(job: JobSpec, signal?: AbortSignal): Promise<JobHandle | undefined>;
  /**
   * Stops the job: polite signal first, forced kill after `graceMs`. Resolves once nothing of
   * the job is left running. Stopping an ended job is a no-op.
   */
  stop(handle: JobHandle, graceMs: number, signal?: AbortSignal): Promise<void>;
  /** Whether the engine can take jobs now. */
  health(signal?: AbortSignal): Promise<EngineHealth>;
  /** Releases timers and child watchers; running jobs keep running. */
  close(): Promise<void>;
}

/** The engine cannot be reached (scheduler down); maps to UNAVAILABLE. */
export class EngineUnavailableError extends Error {
  override readonly name = 'EngineUnavailableError';
  constructor(
    readonly engine: string,
    message: string,
  ) {
    super(message);
  }
}

/** The engine refused the job as specified (bad partition, resources); maps to INVALID_ARGUMENT. */
export class EngineRejectedError extends Error {
  override readonly name = 'EngineRejectedError';
  constructor(
    readonly engine: string,
    message: string,
  ) {
    super(message);
  }
}
