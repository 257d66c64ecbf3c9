/**
 * Admission: each engine's capacity (workflows holding a slot) and its queue of accepted
 * workflows waiting for one. Queued workflows are submitted in order as slots free up; a
 * submission the engine refuses ends the workflow in ERROR with the engine's message, one the
 * engine cannot take now (unavailable) goes back to the head of the queue and the queue is
 * drained again from the retry queue.
 */
import { EngineRejectedError, EngineUnavailableError, type EngineAdapter } from '../engines/types.js';
import { errorState, isActiveType } from '../model/state.js';
import type { WorkflowRecord } from '../store/records.js';
import { FenceLostError } from '../store/workflow-store.js';
import type { DispatchContext } from './dispatch-context.js';
import type { StartFollowing } from './follower.js';
import type { SettleJob } from './settle-job.js';
import { retryWhileStoreUnavailable } from './store-retry.js';

/** The admission operations the dispatcher and its other parts use. */
export interface Admission {
  /** Appends a workflow to its engine's queue (it must be stored, PENDING, without a handle). */
  enqueue(wf: WorkflowRecord): void;
  /** Drops a canceled workflow from its engine's queue. */
  dequeue(wf: WorkflowRecord): void;
  /** Submits queued workflows of `engine` while it has free slots. */
  drainQueue(engine: string): void;
  occupy(wf: WorkflowRecord): void;
  release(wf: WorkflowRecord): void;
  /** Workflows holding a slot of `engine`. */
  activeCount(engine: string): number;
  /**
   * Aborts the submission of a (canceled) workflow, if one is in flight, and resolves once it
   * has finished: the engine started nothing, or what it started has been stopped.
   */
  abortLaunch(workflowId: string): Promise<void>;
}

/** What admission needs besides the context (bound late: following and admission call each other). */
export interface AdmissionDeps {
  readonly startFollowing: StartFollowing;
  readonly settleJob: SettleJob;
}

/** Creates empty queues and slots for the context's engines. */
export function createAdmission(ctx: DispatchContext, deps: AdmissionDeps): Admission {
  const { store, engines } = ctx;
  const active = new Map<string, Set<string>>();
  const queues = new Map<string, string[]>();
  const activeSet = (engine: string) => active.get(engine) ?? active.set(engine, new Set()).get(engine)!;
  const queueOf = (engine: string) => queues.get(engine) ?? queues.set(engine, []).get(engine)!;
  /** Submissions in flight, so that a stop can abort one and wait for it. */
  const launches = new Map<string, { readonly abort: AbortController; readonly done: Promise<void> }>();

  const hasCapacity = (adapter: EngineAdapter): boolean => {
    const max = adapter.capabilities.maxConcurrentJobs;
    return max === 0 || activeSet(adapter.name).size < max;
  };

  function release(wf: WorkflowRecord): void {
    activeSet(wf.engine).delete(wf.workflowId);
    drainQueue(wf.engine);
  }

  /**
   * Submits a workflow's job and starts following it. A stop during the submission aborts it
   * (the engine gives up if it has started nothing yet); see {@link Admission.abortLaunch}.
   */
  function launch(wf: WorkflowRecord, adapter: EngineAdapter): Promise<void> {
    const abort = new AbortController();
    const done = submit(wf, adapter, abort.signal).finally(() => launches.delete(wf.workflowId));
    launches.set(wf.workflowId, { abort, done });
    return done;
  }

  async function submit(wf: WorkflowRecord, adapter: EngineAdapter, stopped: AbortSignal): Promise<void> {
    activeSet(adapter.name).add(wf.workflowId);
    let handle;
    try {
      handle = await adapter.submit(wf.job, AbortSignal.any([ctx.signal, stopped]));
    } catch (err) {
      if (stopped.aborted && !ctx.signal.aborted) {
        // Stopped before the engine started anything: the cancel is the whole outcome.
        await store.markJobDone(wf.workflowId);
        ctx.claims.done(wf.workflowId);
        release(wf);
        return;
      }
      activeSet(adapter.name).delete(wf.workflowId);
      throw err;
    }
    const fence = ctx.claims.fenceOf(wf.workflowId);
    // The handle is the only way back to a running job: a database away for a moment must not lose it.
    const retrying = (what: string) => ({ signal: ctx.signal, logger: ctx.logger, what, fields: { workflowId: wf.workflowId } });
    try {
      await retryWhileStoreUnavailable(() => store.setHandle(wf.workflowId, handle, fence && { fence }), retrying('recording the job handle'));
    } catch (err) {
      if (!(err instanceof FenceLostError)) throw err;
      // Another replica claimed the workflow meanwhile: it finds this job by name and follows it.
      ctx.fenceLost(err, 'handle of the job just submitted');
      release(wf);
      return;
    }
    const latest = await retryWhileStoreUnavailable(() => store.get(wf.workflowId), retrying('reading the submitted workflow'));
    if (stopped.aborted || !latest || !isActiveType(latest.state.type)) {
      // Canceled while the engine was accepting it: make sure nothing keeps running.
      await deps.settleJob(wf.workflowId, handle, adapter, 0);
      release(wf);
      return;
    }
    deps.startFollowing(wf, handle, adapter);
  }

  async function submitFailed(wf: WorkflowRecord, err: unknown): Promise<void> {
    const retryKey = `submit:${wf.engine}`;
    // Closing: the workflow stays PENDING and is submitted (or adopted) on the next start.
    if (ctx.signal.aborted) return;
    if (err instanceof EngineUnavailableError) {
      queueOf(wf.engine).unshift(wf.workflowId);
      ctx.retries.schedule(retryKey, () => drainQueue(wf.engine));
      ctx.logger.warn({ err, workflowId: wf.workflowId }, 'engine unavailable; submission will be retried');
      return;
    }
    ctx.logger.error({ err, workflowId: wf.workflowId }, 'submission failed');
    const message = err instanceof EngineRejectedError ? err.message : 'the engine could not start the workflow';
    await ctx.transition(wf.workflowId, (s) => errorState(s, ctx.now(), [message]));
    // Nothing was started: there is nothing to follow under the claim.
    ctx.claims.done(wf.workflowId);
  }

  /**
   * Takes queued workflows while `engine` has capacity. Each holds its slot from the moment it
   * leaves the queue, also while its record is read, so concurrent drains never overfill.
   */
  async function drain(engine: string): Promise<void> {
    const adapter = engines.get(engine);
    const queue = queueOf(engine);
    while (adapter && !ctx.signal.aborted && queue.length > 0 && hasCapacity(adapter)) {
      const workflowId = queue.shift()!;
      activeSet(engine).add(workflowId);
      let wf: WorkflowRecord | undefined;
      try {
        wf = await store.get(workflowId);
      } catch (err) {
        activeSet(engine).delete(workflowId);
        queue.unshift(workflowId);
        throw err;
      }
      if (!wf || !isActiveType(wf.state.type) || wf.handle) {
        activeSet(engine).delete(workflowId);
        continue;
      }
      const taken = wf;
      ctx.inBackground(
        launch(taken, adapter).then(
          () => ctx.retries.reset(`submit:${engine}`),
          (err: unknown) => submitFailed(taken, err),
        ),
      );
    }
  }

  function drainQueue(engine: string): void {
    ctx.inBackground(
      drain(engine).catch((err: unknown) => {
        ctx.logger.error({ err, engine }, 'reading queued workflows failed; retrying');
        ctx.retries.schedule(`submit:${engine}`, () => drainQueue(engine));
      }),
    );
  }

  return {
    enqueue: (wf) => void queueOf(wf.engine).push(wf.workflowId),
    dequeue(wf) {
      const queue = queueOf(wf.engine);
      const at = queue.indexOf(wf.workflowId);
      if (at >= 0) queue.splice(at, 1);
    },
    drainQueue,
    occupy: (wf) => void activeSet(wf.engine).add(wf.workflowId),
    release,
    activeCount: (engine) => activeSet(engine).size,
    async abortLaunch(workflowId) {
      const launching = launches.get(workflowId);
      if (!launching) return;
      launching.abort.abort();
      await launching.done.catch(() => undefined);
    },
  };
}
