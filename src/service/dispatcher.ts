/**
 * Runs accepted workflows on their engines. Its parts: admission (capacity and queues:
 * admission.ts), following a job's events into states (follower.ts), recovery after a restart
 * (recovery.ts), one stop-and-settle path (settle-job.ts) and one backoff queue for everything
 * an engine could not do yet (retry-queue.ts). Every state goes through one writer
 * (dispatch-context.ts `transition`). Every workflow ends in a terminal state: a job that
 * vanishes becomes ERROR, never RUNNING forever.
 */
import { cancelState, errorState, isActiveType } from '../model/state.js';
import { waitUntil } from '../util/abort.js';
import type { StateRecord, WorkflowRecord } from '../store/records.js';
import type { FollowerFence } from '../store/workflow-store.js';
import { createAdmission } from './admission.js';
import { createDispatchContext, type DispatcherDeps } from './dispatch-context.js';
import { createFollower } from './follower.js';
import { createRecovery } from './recovery.js';
import type { ClaimedWorkflow } from './replica-coordination.js';
import { createSettleJob } from './settle-job.js';
import { retryWhileStoreUnavailable } from './store-retry.js';

export type { DispatcherDeps } from './dispatch-context.js';

/** The dispatcher's operations. */
export interface Dispatcher {
  /**
   * Queues a newly accepted (stored, PENDING) workflow for submission and starts submitting
   * queued workflows while its engine has capacity; returns without waiting for the engine. A
   * refusal becomes ERROR with the engine's message; an unreachable engine is retried. With
   * replicas, the creating replica claims the row: `claim` is the one its insert took (see
   * {@link Dispatcher.claimant}); without it, admit claims the row itself. If another replica's
   * scan was faster, that one submits and follows it instead.
   */
  admit(workflow: WorkflowRecord, claim?: FollowerFence): Promise<void>;
  /**
   * With replicas, the replica id a new workflow's insert should claim the row for (one commit
   * fewer than claiming after it); undefined on a single node.
   */
  claimant(): string | undefined;
  /**
   * Cancels a workflow and stops its job. Resolves once the engine confirmed the stop, or, when
   * the engine cannot be reached (at once when its last health probe said so), with the
   * CANCELED state while the stop is retried. `signal`
   * bounds only the waiting: the stop goes on in the background when the caller leaves.
   */
  stop(workflowId: string, reason: string, graceMs: number, signal?: AbortSignal): Promise<StateRecord>;
  /**
   * Reattaches, finalizes or requeues every unsettled workflow after a restart; with replicas,
   * starts the claim scan instead, which does the same for each workflow nobody live follows.
   */
  recover(): Promise<void>;
  /** Stops following jobs (they keep running) and pending retries; with replicas, releases the claims. */
  close(): Promise<void>;
}

/** Accessors for tests of the service; nothing in src uses them. */
export interface DispatcherTesting {
  /** Workflows holding a slot of `engine` (submitted or being submitted, not yet ended). */
  activeCount(engine: string): number;
}

/** Creates a dispatcher over the given engines, with its test accessors. */
export function createDispatcher(deps: DispatcherDeps): { readonly dispatcher: Dispatcher; readonly testing: DispatcherTesting } {
  const ctx = createDispatchContext(deps);
  const { store, engines } = ctx;
  const settleJob = createSettleJob(ctx);
  // Admission starts following what it submitted; following frees admission's slots.
  const admission = createAdmission(ctx, { startFollowing: (...args) => startFollowing(...args), settleJob });
  const { replicas } = deps;
  const pinned: ReadonlySet<string> = new Set(deps.pinnedEngines ?? []);
  const startFollowing = createFollower(ctx, { settleJob, occupy: admission.occupy, release: admission.release, pinnedEngines: pinned });
  const recovery = createRecovery(ctx, { admission, startFollowing, settleJob });

  /** A workflow the claim scan handed over: resume it as a restart would, under the claim. */
  async function takeOver(claimed: ClaimedWorkflow): Promise<void> {
    const wf = await store.get(claimed.workflowId);
    if (!wf) return;
    ctx.claims.hold(wf.workflowId, claimed.fence, claimed.lease);
    if (pinned.has(wf.engine)) {
      // Its job ran on a replica that is gone: nothing can reattach to it.
      await ctx.transition(wf.workflowId, (s) => errorState(s, ctx.now(), ['the replica running this workflow was lost']), { jobDone: true });
      ctx.claims.done(wf.workflowId);
      return;
    }
    await recovery.recoverOne(wf);
    const after = await store.get(wf.workflowId);
    if (after && !isActiveType(after.state.type) && after.jobDone) ctx.claims.done(wf.workflowId);
  }

  const dispatcher: Dispatcher = {
    async admit(wf, claim) {
      if (!engines.has(wf.engine)) throw new Error(`engine '${wf.engine}' is not configured`);
      if (replicas) {
        // The workflow is stored (accepted): only this replica will ever claim it when it is
        // pinned here, so a database away for a moment delays the claim, it does not skip it.
        const fence =
          claim ??
          (await retryWhileStoreUnavailable(() => replicas.claimNew(wf.workflowId), {
            signal: ctx.signal,
            logger: ctx.logger,
            what: 'claiming a new workflow',
            fields: { workflowId: wf.workflowId },
          }));
        if (!fence) return;
        ctx.claims.hold(wf.workflowId, fence, replicas.current().lease);
      }
      admission.enqueue(wf);
      admission.drainQueue(wf.engine);
    },

    claimant: () => replicas?.current().replicaId,

    async stop(workflowId, reason, graceMs, signal) {
      // The user's intent, not a follower's observation: never fenced, so it works on any replica.
      const canceled = await ctx.transition(workflowId, (s) => cancelState(s, ctx.now(), reason ? [reason] : null), { unfenced: true });
      const wf = (await store.get(workflowId))!;
      if (canceled) admission.dequeue(wf);
      // A submission in flight is aborted and awaited: once this answers, nothing of the job runs.
      await admission.abortLaunch(workflowId);
      const latest = (await store.get(workflowId))!;
      const adapter = engines.get(wf.engine);
      if (latest.handle && !latest.jobDone && adapter) {
        const settling = settleJob(workflowId, latest.handle, adapter, graceMs);
        ctx.inBackground(settling);
        // An engine known to be unreachable cannot confirm soon: answer CANCELED now, the stop is retried.
        if (!deps.engineUnreachable?.(wf.engine)) await waitUntil(settling, signal ? { signal } : {});
      }
      return (await store.get(workflowId))!.state;
    },

    async recover() {
      if (replicas) replicas.startScan(takeOver);
      else await recovery.recoverAll();
    },
    async close() {
      await ctx.close();
      await replicas?.close();
    },
  };
  return { dispatcher, testing: { activeCount: admission.activeCount } };
}
