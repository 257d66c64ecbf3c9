/**
 * The seam through which committed states reach watchers. The one writer of states
 * (dispatch-context.ts `transition`) hands every committed state to the feed; the feed delivers
 * it to this process's watchers (the hub) and, with several replicas on one database, announces
 * it to the other replicas, whose feeds read it from the log and deliver it to theirs.
 */
import type { StateRecord } from '../store/records.js';
import type { WatchHub } from './watch-hub.js';

/** Where committed states go. */
export interface StateFeed {
  /** Opens what the feed needs (the service's start() calls it before recovery). */
  start(): Promise<void>;
  /** Called once per state, after its commit: delivers it to local watchers and announces it. */
  committed(workflowId: string, state: StateRecord): void;
  /** Ends background work (connections, timers); committed() after close() only publishes locally. */
  close(): Promise<void>;
}

/** Builds a feed for a given hub (the service owns the hub and creates the feed over it). */
export type StateFeedFactory = (hub: WatchHub) => StateFeed;

/** The single-process feed: every watcher is in this process, so a commit goes straight to the hub. */
export function createLocalStateFeed(hub: WatchHub): StateFeed {
  return {
    start: async () => undefined,
    committed: (workflowId, state) => hub.publish(workflowId, state),
    close: async () => undefined,
  };
}
