/**
 * Following a submitted (or reattached, or adopted) job: every event the engine reports becomes
 * a state through the one writer; the job's outcome becomes the terminal state and the job-done
 * mark in one commit. An engine that loses track of a job ends the workflow in ERROR, never
 * RUNNING forever, and the job is stopped through the settle path.
 */
import type { EngineAdapter, JobHandle, JobOutcome } from '../engines/types.js';
import { errorState, startState } from '../model/state.js';
import type { WorkflowRecord } from '../store/records.js';
import type { DispatchContext } from './dispatch-context.js';
import { finalStateBuilder } from './final-state.js';
import type { SettleJob } from './settle-job.js';

/** What following needs besides the context: the settle path and the capacity bookkeeping. */
export interface FollowerDeps {
  readonly settleJob: SettleJob;
  /** Counts the workflow against its engine's capacity. */
  readonly occupy: (wf: WorkflowRecord) => void;
  /** Frees its slot (and lets a queued workflow start). */
  readonly release: (wf: WorkflowRecord) => void;
}

/** Starts following a job in the background; the workflow holds an engine slot until it ends. */
export type StartFollowing = (wf: WorkflowRecord, handle: JobHandle, adapter: EngineAdapter) => void;

/** Creates the start-following path. */
export function createFollower(ctx: DispatchContext, deps: FollowerDeps): StartFollowing {
  const { transition } = ctx;

  /** Writes the terminal state for the job's outcome and marks the job done, in one commit. */
  async function finalize(wf: WorkflowRecord, outcome: JobOutcome): Promise<void> {
    transition(wf.workflowId, await finalStateBuilder(wf, outcome, ctx.blobs), { jobDone: true });
  }

  async function follow(wf: WorkflowRecord, handle: JobHandle, adapter: EngineAdapter): Promise<void> {
    try {
      for await (const event of adapter.observe(handle, ctx.signal)) {
        if (event.type === 'started') transition(wf.workflowId, (s) => startState(s, event.at));
        else await finalize(wf, event.outcome);
      }
    } catch (err) {
      if (!ctx.signal.aborted) {
        ctx.logger.error({ err, workflowId: wf.workflowId, engine: adapter.name }, 'following the job failed');
        const message = `engine ${adapter.name} lost track of the job: ${(err as Error).message}`;
        transition(wf.workflowId, (s) => errorState(s, ctx.now(), [message]));
        await deps.settleJob(wf.workflowId, handle, adapter, 0);
      }
    } finally {
      // Closing ends observation, not the job: it keeps its slot until the process exits.
      if (!ctx.signal.aborted) deps.release(wf);
    }
  }

  return (wf, handle, adapter) => {
    deps.occupy(wf);
    ctx.inBackground(follow(wf, handle, adapter));
  };
}
