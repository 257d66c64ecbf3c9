/**
 * A scriptable EngineAdapter for service and dispatcher tests: jobs "run" until a test ends them
 * or stops them, and a test can make submissions wait, fail or be refused and stops fail, the
 * way a scheduler outage would. Nothing is spawned, so these tests run anywhere.
 */
import { mkdir } from 'node:fs/promises';
import { EngineRejectedError, EngineUnavailableError } from '../../src/engines/types.js';
import type { EngineAdapter, JobEvent, JobHandle, JobOutcome, JobSpec, ResourceProblem } from '../../src/engines/types.js';

/** A fake engine plus the knobs and counters a test needs. */
export interface FakeEngine extends EngineAdapter {
  /** How often each method was called. */
  readonly calls: { submit: number; stop: number; adopt: number };
  /** The next `n` submissions throw EngineUnavailableError (scheduler down). */
  unavailableSubmits(n: number): void;
  /** The next submission throws EngineRejectedError with this message (scheduler refused it). */
  rejectSubmit(message: string): void;
  /** Submissions wait until the returned function is called (a slow sbatch). */
  holdSubmits(): () => void;
  /** Stops wait until the returned function is called (a slow scancel). */
  holdStops(): () => void;
  /** The next `n` stops throw EngineUnavailableError; the job keeps running. */
  failStops(n: number): void;
  /** Ends the job of a workflow with this outcome (default: succeeded). */
  finish(workflowId: string, outcome?: JobOutcome): void;
  /** Workflow ids whose jobs are running (submitted or adopted, not ended or stopped). */
  running(): string[];
}

/** Options of createFakeEngine. */
export interface FakeEngineOptions {
  readonly name?: string;
  readonly maxConcurrentJobs?: number;
  /** The engine's resource pre-check; none when unset. */
  readonly validate?: (job: JobSpec) => readonly ResourceProblem[];
  /** What adopt() finds for a job; adopt is absent when unset. */
  readonly adopt?: (job: JobSpec) => JobHandle | undefined;
}

/** Creates a fake engine; every job starts at once and runs until finished or stopped. */
export function createFakeEngine(options: FakeEngineOptions = {}): FakeEngine {
  const name = options.name ?? 'fake';
  const calls = { submit: 0, stop: 0, adopt: 0 };
  const jobs = new Map<string, { end: (outcome: JobOutcome) => void; ended?: JobOutcome }>();
  let unavailable = 0;
  let rejection: string | undefined;
  let stopFailures = 0;
  let held: Promise<void> | undefined;
  let heldStops: Promise<void> | undefined;
  const hold = (set: (p: Promise<void> | undefined) => void): (() => void) => {
    let release!: () => void;
    set(new Promise<void>((resolve) => (release = resolve)));
    return () => {
      set(undefined);
      release();
    };
  };

  const jobOf = (workflowId: string) => {
    let entry = jobs.get(workflowId);
    if (!entry) {
      const record: { end: (outcome: JobOutcome) => void; ended?: JobOutcome } = { end: (o) => (record.ended = o) };
      entry = record;
      jobs.set(workflowId, entry);
    }
    return entry;
  };

  const engine: FakeEngine = {
    name,
    capabilities: { survivesRestart: true, gracefulStop: true, resources: true, maxConcurrentJobs: options.maxConcurrentJobs ?? 0 },
    calls,
    async submit(job, signal) {
      calls.submit += 1;
      if (held) await held;
      // Like the real engines: the last point where giving up leaves nothing running.
      signal?.throwIfAborted();
      if (unavailable > 0) {
        unavailable -= 1;
        throw new EngineUnavailableError(name, 'controller unreachable');
      }
      if (rejection !== undefined) {
        const message = rejection;
        rejection = undefined;
        throw new EngineRejectedError(name, message);
      }
      // Like the real engines: the working directory is made at submission (creation stages inputs only).
      await mkdir(job.workDir, { recursive: true });
      jobOf(job.workflowId);
      return { engine: name, externalId: job.workflowId, workDir: job.workDir, controlDir: job.controlDir };
    },
    async *observe(handle: JobHandle, signal: AbortSignal): AsyncGenerator<JobEvent> {
      const job = jobOf(handle.externalId);
      yield { type: 'started', at: new Date() };
      const outcome = await new Promise<JobOutcome | undefined>((resolve) => {
        if (job.ended) return resolve(job.ended);
        // Like the real engines: following that starts after the signal fired ends at once.
        if (signal.aborted) return resolve(undefined);
        const onAbort = () => resolve(undefined);
        signal.addEventListener('abort', onAbort, { once: true });
        job.end = (o) => {
          job.ended = o;
          signal.removeEventListener('abort', onAbort);
          resolve(o);
        };
      });
      if (outcome && !signal.aborted) yield { type: 'ended', outcome };
    },
    async stop(handle) {
      calls.stop += 1;
      if (heldStops) await heldStops;
      if (stopFailures > 0) {
        stopFailures -= 1;
        throw new EngineUnavailableError(name, 'controller unreachable');
      }
      const job = jobs.get(handle.externalId);
      if (job && !job.ended) job.end({ kind: 'canceled', at: new Date(), message: 'stopped' });
    },
    async health() {
      return { serving: true };
    },
    async close() {},
    unavailableSubmits: (n) => void (unavailable = n),
    rejectSubmit: (message) => void (rejection = message),
    holdSubmits: () => hold((p) => (held = p)),
    holdStops: () => hold((p) => (heldStops = p)),
    failStops: (n) => void (stopFailures = n),
    finish: (workflowId, outcome = { kind: 'succeeded', at: new Date() }) => jobOf(workflowId).end(outcome),
    running: () => [...jobs.entries()].filter(([, j]) => !j.ended).map(([id]) => id),
  };
  if (options.validate) engine.validate = options.validate;
  if (options.adopt) {
    const find = options.adopt;
    engine.adopt = async (job) => {
      calls.adopt += 1;
      const handle = find(job);
      if (handle) jobOf(job.workflowId);
      return handle;
    };
  }
  return engine;
}
