/**
 * With several replicas, a workflow followed here can be ended elsewhere: a StopWorkflow that
 * reached another replica commits CANCELED there (and stops the job there, or retries while the
 * engine is unreachable). The follower learns of it through the hub, into which the replica's
 * state feed brings other replicas' states for every workflow with a subscription (at once when
 * the announcement arrives, else by the feed's periodic check against the log). Without it the
 * follower would keep polling the job until it went by itself, and nobody here would stop a job
 * whose stop failed on the other replica.
 */
import { isActiveType } from '../model/state.js';
import type { ClaimedWork } from './claimed-work.js';
import type { WatchHub } from './watch-hub.js';

/** How long one wait on the subscription lasts before it is renewed, in ms (no meaning beyond that). */
const WAIT_MS = 60_000;

/** A watch for a terminal state written by another process. */
export interface RemoteEnd {
  /** Aborted once a terminal state of the workflow arrives that this process did not write. */
  readonly signal: AbortSignal;
  /** Ends the watch (and its subscription). */
  close(): void;
}

/**
 * Watches `workflowId` on `hub` until `close()` or `until` aborts. A terminal state this process
 * wrote itself (its own outcome, a stop received here: claims.wasEndedHere) is not remote: the
 * path that wrote it settles the job.
 */
export function watchRemoteEnd(hub: WatchHub, claims: ClaimedWork, workflowId: string, until: AbortSignal): RemoteEnd {
  const ended = new AbortController();
  const closed = new AbortController();
  const subscription = hub.subscribe(workflowId);
  const stop = AbortSignal.any([closed.signal, until]);
  void (async () => {
    try {
      while (!stop.aborted) {
        const states = await subscription.next(WAIT_MS, stop);
        if (states.some((s) => !isActiveType(s.type)) && !claims.wasEndedHere(workflowId)) {
          ended.abort(new Error('another replica ended the workflow'));
          return;
        }
      }
    } finally {
      subscription.close();
    }
  })();
  return { signal: ended.signal, close: () => closed.abort() };
}
