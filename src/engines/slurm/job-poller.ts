/**
 * One squeue call per poll interval for every job anyone is waiting on. Observers, status()
 * and stop() ask for "the next state of job N"; the poller collects the ids asked for, runs a
 * single `squeue -h -t all -j id1,id2,… -o '%i|%T|%r'` (in chunks for very many ids) and
 * answers everyone from it, so the load on slurmctld does not grow with the number of watchers.
 */
import { SlurmCommandError, type SlurmCli } from './slurm-cli.js';

/** What one poll says about one job. */
export type JobPollResult =
  /** Slurm knows the job; `state` as squeue's `%T` prints it, `reason` as `%r`. */
  | { readonly kind: 'found'; readonly state: string; readonly reason: string }
  /** Slurm has no record of the job (never existed, or purged after MinJobAge). */
  | { readonly kind: 'unknown' }
  /** squeue failed (controller unreachable, timeout): nothing is known about the job. */
  | { readonly kind: 'error'; readonly message: string };

/** Options of createJobPoller. */
export interface JobPollerOptions {
  readonly cli: SlurmCli;
  /** Least time between the starts of two regular polls, in ms. */
  readonly pollIntervalMs: number;
  /** Most job ids in one squeue call; more ids make several calls in one poll. Default 500. */
  readonly maxIdsPerCall?: number;
}

/** Counters for tests and metrics. */
export interface JobPollerStats {
  /** Polls run (each is one squeue call per chunk of ids). */
  readonly polls: number;
  /** squeue calls made. */
  readonly squeueCalls: number;
  /** Job lookups answered (sum over polls of the ids in them). */
  readonly lookups: number;
}

/** The shared poller of one adapter. */
export interface JobPoller {
  /**
   * Resolves with the job's state from the next poll. Regular requests wait for the next
   * interval; `immediate` ones trigger a poll now (requests in the same tick share it).
   * Rejects with the signal's reason when `signal` aborts, or when the poller is closed.
   */
  next(jobId: string, options?: { readonly immediate?: boolean; readonly signal?: AbortSignal }): Promise<JobPollResult>;
  stats(): JobPollerStats;
  /** Stops polling; pending requests reject. */
  close(): void;
}

interface Waiter {
  resolve(result: JobPollResult): void;
  reject(err: unknown): void;
}

const SQUEUE_FORMAT = '%i|%T|%r';

/** Creates the poller. */
export function createJobPoller(options: JobPollerOptions): JobPoller {
  const { cli, pollIntervalMs } = options;
  const chunkSize = options.maxIdsPerCall ?? 500;
  const waiters = new Map<string, Set<Waiter>>();
  const counters = { polls: 0, squeueCalls: 0, lookups: 0 };
  let timer: NodeJS.Timeout | undefined;
  let timerDue = Number.POSITIVE_INFINITY;
  let inFlight = false;
  let immediateWanted = false;
  let lastPollAt = Number.NEGATIVE_INFINITY;
  let closed = false;

  function schedule(): void {
    if (closed || inFlight || waiters.size === 0) return;
    const now = Date.now();
    const due = immediateWanted ? now : Math.max(now, lastPollAt + pollIntervalMs);
    if (timer !== undefined && timerDue <= due) return;
    clearTimeout(timer);
    timerDue = due;
    timer = setTimeout(() => void poll(), due - now);
  }

  async function poll(): Promise<void> {
    timer = undefined;
    timerDue = Number.POSITIVE_INFINITY;
    if (closed || waiters.size === 0) return;
    inFlight = true;
    immediateWanted = false;
    lastPollAt = Date.now();
    const batch = new Map(waiters);
    waiters.clear();
    counters.polls += 1;
    counters.lookups += batch.size;
    const ids = [...batch.keys()];
    try {
      for (let i = 0; i < ids.length; i += chunkSize) {
        const chunk = ids.slice(i, i + chunkSize);
        const results = await query(chunk);
        for (const id of chunk) {
          const result = results.get(id) ?? { kind: 'unknown' };
          for (const w of batch.get(id) ?? []) w.resolve(result);
        }
      }
    } finally {
      inFlight = false;
      schedule();
    }
  }

  async function query(ids: readonly string[]): Promise<Map<string, JobPollResult>> {
    const results = new Map<string, JobPollResult>();
    counters.squeueCalls += 1;
    try {
      const { stdout } = await cli.run('squeue', ['-h', '-t', 'all', '-j', ids.join(','), '-o', SQUEUE_FORMAT]);
      for (const line of stdout.split('\n')) {
        const [id, state, reason] = line.trim().split('|');
        if (id && state) results.set(id, { kind: 'found', state, reason: reason ?? '' });
      }
    } catch (err) {
      // With a single id, squeue reports a job it does not know as an error (rc 1).
      if (err instanceof SlurmCommandError && /Invalid job id specified/i.test(err.message)) return results;
      const message = err instanceof Error ? err.message : String(err);
      for (const id of ids) results.set(id, { kind: 'error', message });
    }
    return results;
  }

  function next(
    jobId: string,
    opts: { readonly immediate?: boolean; readonly signal?: AbortSignal } = {},
  ): Promise<JobPollResult> {
    const { signal } = opts;
    if (closed) return Promise.reject(new Error('job poller is closed'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<JobPollResult>((resolve, reject) => {
      const onAbort = (): void => {
        const set = waiters.get(jobId);
        set?.delete(waiter);
        if (set?.size === 0) waiters.delete(jobId);
        reject(signal!.reason);
      };
      const waiter: Waiter = {
        resolve: (r) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(r);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      let set = waiters.get(jobId);
      if (set === undefined) waiters.set(jobId, (set = new Set()));
      set.add(waiter);
      if (opts.immediate) immediateWanted = true;
      schedule();
    });
  }

  function close(): void {
    closed = true;
    clearTimeout(timer);
    timer = undefined;
    const pending = [...waiters.values()].flatMap((s) => [...s]);
    waiters.clear();
    for (const w of pending) w.reject(new Error('job poller is closed'));
  }

  return { next, stats: () => ({ ...counters }), close };
}
