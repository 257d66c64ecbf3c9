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

/**
 * One subscription. Thousands of idle watchers each hold one, so it is a single object whose
 * methods live on the prototype: a wait adds one promise and one timer, and the object itself is
 * the abort listener (`handleEvent`) and the timer's argument, so no closure is made per wait.
 */
class Subscriber implements StateSubscription {
  buffer: StateRecord[] = [];
  private resolve: ((states: StateRecord[]) => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private signal: AbortSignal | undefined;

  constructor(
    private readonly set: Set<Subscriber>,
    private readonly release: (set: Set<Subscriber>) => void,
  ) {}

  next(timeoutMs: number, signal?: AbortSignal): Promise<StateRecord[]> {
    if (this.buffer.length > 0 || signal?.aborted) return Promise.resolve(this.buffer.splice(0));
    return new Promise<StateRecord[]>((resolve) => {
      this.resolve = resolve;
      this.timer = setTimeout(wakeSubscriber, timeoutMs, this);
      if (signal) {
        this.signal = signal;
        // Not `once`: wake() removes it, and a `once` listener costs EventTarget a wrapper closure.
        signal.addEventListener('abort', this);
      }
    });
  }

  /** Ends the pending `next` (publication, close, timeout or abort), if one waits. */
  wake(): void {
    const resolve = this.resolve;
    if (!resolve) return;
    this.resolve = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.signal?.removeEventListener('abort', this);
    this.signal = undefined;
    resolve(this.buffer.length > 0 ? this.buffer.splice(0) : []);
  }

  /** The abort listener of a pending wait (EventTarget calls `handleEvent` on listener objects). */
  handleEvent(): void {
    this.wake();
  }

  close(): void {
    this.wake();
    this.set.delete(this);
    this.release(this.set);
  }
}

function wakeSubscriber(subscriber: Subscriber): void {
  subscriber.wake();
}

/** Creates an empty hub. */
export function createWatchHub(): WatchHub {
  const subscribers = new Map<string, Set<Subscriber>>();
  const ids = new WeakMap<Set<Subscriber>, string>();
  const release = (set: Set<Subscriber>): void => {
    const workflowId = ids.get(set)!;
    if (set.size === 0 && subscribers.get(workflowId) === set) subscribers.delete(workflowId);
  };

  return {
    publish(workflowId, state) {
      for (const sub of subscribers.get(workflowId) ?? []) {
        sub.buffer.push(state);
        sub.wake();
      }
    },
    subscribe(workflowId) {
      let set = subscribers.get(workflowId);
      if (!set) {
        subscribers.set(workflowId, (set = new Set()));
        ids.set(set, workflowId);
      }
      const sub = new Subscriber(set, release);
      set.add(sub);
      return sub;
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
