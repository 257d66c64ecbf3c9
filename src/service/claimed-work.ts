/**
 * Which workflows this dispatcher follows under a claim (several replicas on one database), with
 * the fence its writes for each carry and a signal that ends the following when the claim is
 * lost: a fenced write was refused (another replica took over), or this replica's lease ended
 * (every claim of that incarnation at once). A single-node dispatcher holds no claims: no fence,
 * and following lasts as long as the dispatcher.
 */
import type { FollowerFence as Fence } from '../store/workflow-store.js';

/** The claims of one dispatcher. */
export interface ClaimedWork {
  /** The fence of the claim on `workflowId`, if this replica holds one (or held it under a lease that ended). */
  fenceOf(workflowId: string): Fence | undefined;
  /** Aborted when following `workflowId` must stop (claim lost, lease ended, dispatcher closed). */
  signalOf(workflowId: string): AbortSignal;
  /**
   * Records a claim; `lease` is the signal of the incarnation that claimed it. When that lease
   * ends the claim's signal aborts, but its fence stays until done() or lost().
   */
  hold(workflowId: string, fence: Fence, lease: AbortSignal): void;
  /** The claim is gone (a refused fenced write): stop following, forget it. */
  lost(workflowId: string, reason: string): void;
  /** Following ended (the job is settled, or handed on): forget the claim and release its listeners. */
  done(workflowId: string): void;
  /** Workflows held now. */
  held(): string[];
  /**
   * Records that this process wrote the terminal state of a held workflow (its follower's own
   * outcome, or a stop received here, which settles the job itself); no-op when not held.
   */
  endedHere(workflowId: string): void;
  /** True when this process wrote the held workflow's terminal state (see endedHere). */
  wasEndedHere(workflowId: string): boolean;
}

/** Creates the bookkeeping; `lifetime` is the dispatcher's signal. */
export function createClaimedWork(lifetime: AbortSignal): ClaimedWork {
  const claims = new Map<string, { readonly fence: Fence; readonly abort: AbortController; endedHere?: boolean }>();
  return {
    fenceOf: (workflowId) => claims.get(workflowId)?.fence,
    signalOf: (workflowId) => {
      const claim = claims.get(workflowId);
      return claim ? claim.abort.signal : lifetime;
    },
    hold(workflowId, fence, lease) {
      claims.get(workflowId)?.abort.abort(new Error('claimed again'));
      const abort = new AbortController();
      // The claim stays recorded after its lease ended, aborted: a write already under way (a
      // submission returning, a transition queued) still carries its fence, so the database
      // refuses it once another replica took the row over; it is never sent unfenced.
      const onEnd = (): void => abort.abort(lease.aborted ? lease.reason : lifetime.reason);
      if (lease.aborted || lifetime.aborted) onEnd();
      else {
        const linked = AbortSignal.any([lease, lifetime]);
        linked.addEventListener('abort', onEnd, { once: true });
        abort.signal.addEventListener('abort', () => linked.removeEventListener('abort', onEnd), { once: true });
      }
      claims.set(workflowId, { fence, abort });
    },
    lost(workflowId, reason) {
      const claim = claims.get(workflowId);
      claims.delete(workflowId);
      claim?.abort.abort(new Error(reason));
    },
    done(workflowId) {
      const claim = claims.get(workflowId);
      claims.delete(workflowId);
      claim?.abort.abort(new Error('following ended'));
    },
    held: () => [...claims.keys()],
    endedHere(workflowId) {
      const claim = claims.get(workflowId);
      if (claim) claim.endedHere = true;
    },
    wasEndedHere: (workflowId) => claims.get(workflowId)?.endedHere === true,
  };
}
