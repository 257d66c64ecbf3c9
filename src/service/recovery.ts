/**
 * Recovery after a restart: every unsettled workflow is reattached (its job kept running),
 * adopted (its job was started but the handle never recorded), queued again (it was never
 * submitted), ended in ERROR (its engine is gone, or it never started), or, when it was canceled
 * but its job not yet confirmed stopped, settled through the one stop path.
 */
import { existsSync } from 'node:fs';
import type { EngineAdapter, JobHandle } from '../engines/types.js';
import { errorState, isActiveType } from '../model/state.js';
import type { WorkflowRecord } from '../store/records.js';
import { FenceLostError } from '../store/workflow-store.js';
import type { Admission } from './admission.js';
import type { DispatchContext } from './dispatch-context.js';
import type { StartFollowing } from './follower.js';
import type { SettleJob } from './settle-job.js';

/** The paths recovery hands workflows to. */
export interface RecoveryDeps {
  readonly admission: Admission;
  readonly startFollowing: StartFollowing;
  readonly settleJob: SettleJob;
}

/** Recovery of every unsettled workflow (single node) or of one claimed workflow (replicas). */
export interface Recovery {
  /** Resolves once every unsettled workflow of the store is on its way. */
  recoverAll(): Promise<void>;
  /** Reattaches, adopts, queues, ends or settles one workflow. */
  recoverOne(wf: WorkflowRecord): Promise<void>;
}

/** Creates the recovery paths. */
export function createRecovery(ctx: DispatchContext, deps: RecoveryDeps): Recovery {
  const { store, engines, transition } = ctx;

  /**
   * A PENDING workflow without a handle whose control directory exists was being submitted when
   * the previous process died: the job may be running. Ask the engine before submitting again,
   * so it never runs twice. An engine that cannot answer now gets the workflow resubmitted.
   */
  async function adoptUnrecorded(wf: WorkflowRecord, adapter: EngineAdapter): Promise<JobHandle | undefined> {
    if (!adapter.adopt || !existsSync(wf.job.controlDir)) return undefined;
    try {
      return await adapter.adopt(wf.job, ctx.signal);
    } catch (err) {
      ctx.logger.warn({ err, workflowId: wf.workflowId }, 'could not check for a job started before the restart');
      return undefined;
    }
  }

  async function recoverOne(wf: WorkflowRecord): Promise<void> {
    const adapter = engines.get(wf.engine);
    if (!adapter) {
      await transition(wf.workflowId, (s) => errorState(s, ctx.now(), [`engine '${wf.engine}' is not configured on this server`]));
      return;
    }
    if (!wf.handle) {
      const adopted = wf.state.type === 'PENDING' ? await adoptUnrecorded(wf, adapter) : undefined;
      if (adopted) {
        const fence = ctx.claims.fenceOf(wf.workflowId);
        try {
          await store.setHandle(wf.workflowId, adopted, fence && { fence });
        } catch (err) {
          if (!(err instanceof FenceLostError)) throw err;
          ctx.fenceLost(err, 'handle of the adopted job');
          return;
        }
        deps.startFollowing(wf, adopted, adapter);
      } else if (wf.state.type === 'PENDING') deps.admission.enqueue(wf);
      else await transition(wf.workflowId, (s) => errorState(s, ctx.now(), ['the job was never started']));
      return;
    }
    if (!isActiveType(wf.state.type)) await deps.settleJob(wf.workflowId, wf.handle, adapter, 0);
    else deps.startFollowing(wf, wf.handle, adapter);
  }

  return {
    async recoverAll() {
      for (const wf of await store.listUnsettled()) await recoverOne(wf);
      for (const engine of engines.keys()) deps.admission.drainQueue(engine);
    },
    async recoverOne(wf) {
      await recoverOne(wf);
      deps.admission.drainQueue(wf.engine);
    },
  };
}
