/**
 * Following a submitted (or reattached, or adopted) job: every event the engine reports becomes
 * a state through the one writer; the job's outcome becomes the terminal state and the job-done
 * mark in one commit. An engine that loses track of a job ends the workflow in ERROR, never
 * RUNNING forever, and the job is stopped through the settle path. With replicas, a pinned
 * (local) job whose claim ends is stopped: no other replica could ever reach it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { EngineAdapter, JobHandle, JobOutcome } from '../engines/types.js';
import { storageFault } from '../storage-faults.js';
import { errorState, startState } from '../model/state.js';
import type { WorkflowRecord } from '../store/records.js';
import type { DispatchContext } from './dispatch-context.js';
import { finalStateBuilder } from './final-state.js';
import { watchRemoteEnd } from './remote-end.js';
import type { SettleJob } from './settle-job.js';
import { retryWhileStoreUnavailable } from './store-retry.js';

/** First delay before retrying a finalization that failed on a full or read-only disk, in ms. */
const FINALIZE_RETRY_MS = 250;

/** What following needs besides the context: the settle path and the capacity bookkeeping. */
export interface FollowerDeps {
  readonly settleJob: SettleJob;
  /** Counts the workflow against its engine's capacity. */
  readonly occupy: (wf: WorkflowRecord) => void;
  /** Frees its slot (and lets a queued workflow start); calling it again for the same workflow does nothing more. */
  readonly release: (wf: WorkflowRecord) => void;
  /** With replicas: engines whose jobs only this replica can reach (pinned local jobs). */
  readonly pinnedEngines: ReadonlySet<string>;
}

/** Starts following a job in the background; the workflow holds an engine slot until its job has ended. */
export type StartFollowing = (wf: WorkflowRecord, handle: JobHandle, adapter: EngineAdapter) => void;

/** Creates the start-following path. */
export function createFollower(ctx: DispatchContext, deps: FollowerDeps): StartFollowing {
  const { transition } = ctx;
  const retrying = (what: string, wf: WorkflowRecord) => ({ signal: ctx.signal, logger: ctx.logger, what, fields: { workflowId: wf.workflowId } });

  /**
   * Writes the terminal state for the job's outcome and marks the job done, in one commit. On a
   * full or read-only disk or an unreachable database (storing outputs or the commit failed) it
   * keeps trying, with a doubling delay up to 30 s (5 s for the database), while the workflow
   * stays RUNNING: the outcome is known and must not be lost or reported as anything else.
   * Closing stops the retries; the next start reattaches the job and finalizes it then.
   */
  async function finalize(wf: WorkflowRecord, outcome: JobOutcome): Promise<void> {
    for (let delayMs = FINALIZE_RETRY_MS; ; delayMs = Math.min(delayMs * 2, 30_000)) {
      try {
        const build = await finalStateBuilder(wf, outcome, ctx.blobs, ctx.maxOutputBytes);
        await retryWhileStoreUnavailable(() => transition(wf.workflowId, build, { jobDone: true }), retrying('recording the outcome', wf));
        return;
      } catch (err) {
        const fault = storageFault(err);
        if (fault === undefined) throw err;
        const why = fault === 'unavailable' ? ': the database cannot be reached' : ' on a full or read-only disk';
        ctx.logger.warn({ err, workflowId: wf.workflowId, retryInMs: delayMs }, `recording the outcome failed${why}; retrying`);
        try {
          await sleep(delayMs, undefined, { signal: ctx.signal });
        } catch {
          return;
        }
      }
    }
  }

  /**
   * RUNNING is informative: on a full or read-only disk it is skipped, the outcome is not. While
   * the database is away it is retried (the outcome, if it comes meanwhile, waits behind it).
   */
  async function markStarted(wf: WorkflowRecord, at: Date): Promise<void> {
    try {
      await retryWhileStoreUnavailable(() => transition(wf.workflowId, (s) => startState(s, at)), retrying('recording RUNNING', wf));
    } catch (err) {
      if (storageFault(err) === undefined) throw err;
      ctx.logger.warn({ err, workflowId: wf.workflowId }, 'could not record RUNNING on a full or read-only disk');
    }
  }

  /**
   * Another replica ended the workflow (a stop it received): stop the job unless it is already
   * confirmed gone. When the engine cannot be reached, the settle path keeps retrying here, and
   * the row stays unsettled under this replica's claim, so a survivor takes the duty over if
   * this replica dies.
   */
  async function settleRemoteEnd(wf: WorkflowRecord, handle: JobHandle, adapter: EngineAdapter): Promise<void> {
    const latest = await ctx.store.get(wf.workflowId);
    ctx.logger.info({ workflowId: wf.workflowId, state: latest?.state.type, jobDone: latest?.jobDone }, 'another replica ended the workflow; following ended');
    if (!latest || latest.jobDone) return;
    await deps.settleJob(wf.workflowId, handle, adapter, ctx.remoteStopGraceMs);
  }

  /**
   * A pinned job whose claim ended while it ran (this replica's lease was lost, or a survivor
   * took the row over): no replica can follow it any more and a survivor ends the workflow in
   * ERROR, so it must not keep running here. It is stopped without a write: the state is the
   * survivor's to record.
   */
  async function stopUnreachable(wf: WorkflowRecord, handle: JobHandle, adapter: EngineAdapter, reason: unknown): Promise<void> {
    const why = reason instanceof Error ? reason.message : String(reason);
    try {
      await adapter.stop(handle, 0, ctx.signal);
      ctx.logger.warn({ workflowId: wf.workflowId, engine: adapter.name, reason: why }, 'stopped a pinned local job this replica can no longer follow');
    } catch (err) {
      ctx.logger.error({ err, workflowId: wf.workflowId, engine: adapter.name, reason: why }, 'could not stop a pinned local job this replica can no longer follow');
    }
  }

  async function follow(wf: WorkflowRecord, handle: JobHandle, adapter: EngineAdapter): Promise<void> {
    // Ends with the dispatcher, or, with replicas, when this replica loses its claim or lease.
    const claimSignal = ctx.claims.signalOf(wf.workflowId);
    // Under a claim, another replica may end the workflow (a stop it received).
    const remoteEnd = ctx.hub && ctx.claims.fenceOf(wf.workflowId) ? watchRemoteEnd(ctx.hub, ctx.claims, wf.workflowId, claimSignal) : undefined;
    const signal = remoteEnd ? AbortSignal.any([claimSignal, remoteEnd.signal]) : claimSignal;
    try {
      for await (const event of adapter.observe(handle, signal)) {
        if (event.type === 'started') {
          await markStarted(wf, event.at);
          continue;
        }
        // Nothing of the job runs any more: its slot goes to the next queued workflow now, while
        // the outcome is committed (the workflow stays RUNNING until that commit).
        if (!ctx.signal.aborted) deps.release(wf);
        await finalize(wf, event.outcome);
      }
    } catch (err) {
      if (!signal.aborted) {
        ctx.logger.error({ err, workflowId: wf.workflowId, engine: adapter.name }, 'following the job failed');
        const message = `engine ${adapter.name} lost track of the job: ${(err as Error).message}`;
        await transition(wf.workflowId, (s) => errorState(s, ctx.now(), [message]));
        await deps.settleJob(wf.workflowId, handle, adapter, 0);
      }
    } finally {
      remoteEnd?.close();
      if (remoteEnd?.signal.aborted && !claimSignal.aborted) {
        await settleRemoteEnd(wf, handle, adapter).catch((err: unknown) =>
          ctx.logger.error({ err, workflowId: wf.workflowId }, 'stopping the job of a workflow another replica ended failed'),
        );
      } else if (claimSignal.aborted && !ctx.signal.aborted && deps.pinnedEngines.has(adapter.name)) {
        // Closing ends observation only (a restart finds the job again); a lost claim on a pinned job ends the job.
        await stopUnreachable(wf, handle, adapter, claimSignal.reason);
      }
      // Closing ends observation, not the job: it keeps its slot until the process exits.
      if (!ctx.signal.aborted) deps.release(wf);
      ctx.claims.done(wf.workflowId);
    }
  }

  return (wf, handle, adapter) => {
    deps.occupy(wf);
    ctx.inBackground(follow(wf, handle, adapter));
  };
}
