/**
 * The one way the dispatcher gets rid of a job it no longer wants (canceled, lost track of,
 * canceled while being submitted, or found canceled after a restart): ask the engine to stop it,
 * and mark the job done only once the engine confirmed. When the engine cannot be reached the
 * stop goes to the retry queue, and jobDone stays false so the next start tries again too: a
 * record never says "done" about a job that may still run.
 */
import type { EngineAdapter, JobHandle } from '../engines/types.js';
import type { DispatchContext } from './dispatch-context.js';

/** Stops a job and records it done; resolves true when the engine confirmed, false when it will be retried. */
export type SettleJob = (workflowId: string, handle: JobHandle, adapter: EngineAdapter, graceMs: number) => Promise<boolean>;

/**
 * Creates the settle path over the dispatcher's context. One settle per workflow at a time: a
 * stop received here and the follower reacting to the same terminal state share the one in
 * flight (the first caller's grace period applies).
 */
export function createSettleJob(ctx: DispatchContext): SettleJob {
  const inFlight = new Map<string, Promise<boolean>>();
  const settleJob: SettleJob = (workflowId, handle, adapter, graceMs) => {
    const running = inFlight.get(workflowId);
    if (running) return running;
    const settling = settleOnce(workflowId, handle, adapter, graceMs).finally(() => inFlight.delete(workflowId));
    inFlight.set(workflowId, settling);
    return settling;
  };
  const settleOnce: SettleJob = async (workflowId, handle, adapter, graceMs) => {
    const key = `stop:${workflowId}`;
    try {
      await adapter.stop(handle, graceMs, ctx.signal);
    } catch (err) {
      // Closing: the job is settled on the next start (jobDone stays false).
      if (ctx.signal.aborted) return false;
      ctx.logger.warn({ err, workflowId, engine: adapter.name }, 'stopping the job failed; retrying in the background');
      ctx.retries.schedule(key, () => settleJob(workflowId, handle, adapter, 0));
      return false;
    }
    await ctx.store.markJobDone(workflowId);
    ctx.retries.reset(key);
    return true;
  };
  return settleJob;
}
