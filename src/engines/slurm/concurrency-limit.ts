/**
 * A counting semaphore for Slurm client commands. Many sbatch processes at once are slower than
 * a few (measured on the single-node cluster: 100 at once 15 s, 2–4 at a time 8 s), because
 * slurmctld serializes submissions and each extra process only adds contention.
 */

/** Runs tasks with at most `limit` of them in flight. */
export interface ConcurrencyLimit {
  /** Runs `task` when a slot is free; rejects with the signal's reason if it aborts while waiting. */
  run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T>;
}

/** Creates a limit of `limit` (at least 1) concurrent tasks, served first come, first served. */
export function createConcurrencyLimit(limit: number): ConcurrencyLimit {
  const max = Math.max(1, Math.floor(limit));
  let active = 0;
  const queue: Array<() => void> = [];

  async function acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (active < max) {
      active += 1;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        const i = queue.indexOf(grant);
        if (i >= 0) queue.splice(i, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      queue.push(grant);
    });
  }

  function release(): void {
    const next = queue.shift();
    if (next) next();
    else active -= 1;
  }

  return {
    async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
      await acquire(signal);
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}
