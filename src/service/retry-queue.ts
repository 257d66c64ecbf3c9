/**
 * The dispatcher's one queue for work an engine could not do yet: stopping a job while the
 * scheduler is unreachable, and submitting queued workflows while the engine is unavailable.
 * Each key (one workflow's stop, one engine's submissions) waits a capped exponential backoff
 * that grows with every retry and starts over once the operation succeeds, so an outage costs a
 * few calls a minute, not a tight loop.
 */

/** Backoff settings of the retry queue. */
export interface RetryQueueOptions {
  /** Delay before the first retry of a key, in ms; doubled on each further retry. */
  readonly initialDelayMs: number;
  /** Longest delay between two retries of a key, in ms. */
  readonly maxDelayMs: number;
  /** Runs a due task; the dispatcher passes its background tracker so close() waits for it. */
  readonly run: (task: () => Promise<unknown> | void) => void;
}

/** Keyed retries with capped exponential backoff. */
export interface RetryQueue {
  /** Runs `task` after the key's next backoff delay; a key already waiting is not queued twice. */
  schedule(key: string, task: () => Promise<unknown> | void): void;
  /** The key's operation succeeded: its next retry starts again from the initial delay. */
  reset(key: string): void;
  /** Drops every waiting retry; nothing is scheduled afterwards. */
  close(): void;
}

/** Creates an empty retry queue. */
export function createRetryQueue(options: RetryQueueOptions): RetryQueue {
  const retries = new Map<string, number>();
  const timers = new Map<string, NodeJS.Timeout>();
  let closed = false;
  return {
    schedule(key, task) {
      if (closed || timers.has(key)) return;
      const n = retries.get(key) ?? 0;
      retries.set(key, n + 1);
      const delayMs = Math.min(options.initialDelayMs * 2 ** n, options.maxDelayMs);
      const timer = setTimeout(() => {
        timers.delete(key);
        options.run(task);
      }, delayMs);
      timers.set(key, timer);
    },
    reset(key) {
      retries.delete(key);
    },
    close() {
      closed = true;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    },
  };
}
