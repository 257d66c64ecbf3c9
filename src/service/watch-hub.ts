/**
 * Fan-out of committed state changes to live watchers. The service publishes each state once,
 * after the store committed it; every watcher of that workflow shares that one publication (no
 * per-watcher polling of the database). A subscription buffers what arrives while its reader is
 * busy and is released by `close()`, which every watcher calls in a `finally`.
 */
import type { StateRecord } from '../store/records.js';

/** A live subscription to one workflow's states. */
export interface StateSubscription {
  /**
   * Resolves with the next states published after the subscription began (at least one), or
   * with [] when `timeoutMs` passes first or the signal aborts.
   */
  next(timeoutMs: number, signal?: AbortSignal): Promise<StateRecord[]>;
  close(): void;
}

/** The hub: publish on commit, subscribe per watcher. */
export interface WatchHub {
  publish(workflowId: string, state: StateRecord): void;
  subscribe(workflowId: string): StateSubscription;
  /** Number of open subscriptions (for tests and metrics). */
  subscriberCount(workflowId?: string): number;
  /** Workflows with at least one open subscription (what a replica's state feed must bring in). */
  watchedIds(): string[];
}

interface Subscriber {
  buffer: StateRecord[];
  /** Ends the pending `next` (publication, close, timeout or abort), if one waits. */
  wake?: (() => void) | undefined;
}

/** Creates an empty hub. */
export function createWatchHub(): WatchHub {
  const subscribers = new Map<string, Set<Subscriber>>();

  return {
    publish(workflowId, state) {
      for (const sub of subscribers.get(workflowId) ?? []) {
        sub.buffer.push(state);
        sub.wake?.();
      }
    },
    subscribe(workflowId) {
      const sub: Subscriber = { buffer: [] };
      let set = subscribers.get(workflowId);
      if (!set) subscribers.set(workflowId, (set = new Set()));
      set.add(sub);
      return {
        next(timeoutMs, signal) {
          if (sub.buffer.length > 0 || signal?.aborted) return Promise.resolve(sub.buffer.splice(0));
          // One promise, one timer and one listener per wait: with thousands of idle watchers,
          // what each wait holds is most of what a watcher costs.
          return new Promise<StateRecord[]>((resolve) => {
            const done = () => {
              clearTimeout(timer);
              signal?.removeEventListener('abort', done);
              sub.wake = undefined;
              resolve(sub.buffer.splice(0));
            };
            const timer = setTimeout(done, timeoutMs);
            signal?.addEventListener('abort', done, { once: true });
            sub.wake = done;
          });
        },
        close() {
          sub.wake?.();
          set.delete(sub);
          if (set.size === 0 && subscribers.get(workflowId) === set) subscribers.delete(workflowId);
        },
      };
    },
    subscriberCount(workflowId) {
      if (workflowId !== undefined) return subscribers.get(workflowId)?.size ?? 0;
      let n = 0;
      for (const set of subscribers.values()) n += set.size;
      return n;
    },
    watchedIds: () => [...subscribers.keys()],
  };
}
