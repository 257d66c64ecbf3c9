/**
 * Store metrics and workflow state metrics from one decorator around the WorkflowStore: every
 * state change goes through `appendState`, so wrapping it counts each transition once (with the
 * state it left: the record the caller read just before, given as `current`, so that metrics
 * cost no extra read; the dispatcher runs one transition per workflow at a time), observes the
 * queue wait on PENDING→RUNNING and the run duration on reaching a final state, times the
 * write transactions and counts the follower writes refused for a stale fence (several
 * replicas). The store stays unaware of metrics.
 */
import type { StateType } from '../model/state.js';
import type { NewState, StateRecord } from '../store/records.js';
import { FenceLostError, type WorkflowStore } from '../store/workflow-store.js';
import type { Metrics } from './metrics.js';

const FINAL: ReadonlySet<StateType> = new Set(['SUCCESS', 'ERROR', 'CANCELED']);

/** When the state reached its type: the time the next transition measures from. */
function endOf(state: NewState): Date | undefined {
  return state.finishedAt ?? state.stoppedAt;
}

function observeTransition(metrics: Metrics, engine: string, from: StateRecord, to: StateRecord): void {
  metrics.workflowTransitions.inc({ from: from.type, to: to.type, engine });
  if (from.type === 'PENDING' && to.type === 'RUNNING' && to.startedAt) {
    metrics.workflowQueueWaitSeconds.observe({ engine }, Math.max(0, (to.startedAt.getTime() - to.createdAt.getTime()) / 1000));
  }
  const end = endOf(to);
  if (FINAL.has(to.type) && end) {
    const begin = from.type === 'RUNNING' && from.startedAt ? from.startedAt : to.createdAt;
    metrics.workflowRunSeconds.observe({ engine, state: to.type }, Math.max(0, (end.getTime() - begin.getTime()) / 1000));
  }
}

/**
 * Times `run` as a store transaction labelled `operation`; a write refused for a stale fence
 * (another replica took the workflow over) is also counted as such.
 */
async function transaction<T>(metrics: Metrics, operation: string, run: () => Promise<T>): Promise<T> {
  const end = metrics.storeTransactionSeconds.startTimer({ operation });
  try {
    const value = await run();
    end({ result: 'ok' });
    return value;
  } catch (err) {
    end({ result: 'error' });
    if (err instanceof FenceLostError) metrics.fencedWritesRejected.inc({ operation });
    throw err;
  }
}

/** Returns a store that behaves exactly like `inner` and records metrics on every write. */
export function instrumentStore(inner: WorkflowStore, metrics: Metrics): WorkflowStore {
  return {
    ...inner,
    insert: (workflow) => transaction(metrics, 'insert', () => inner.insert(workflow)),
    async appendState(workflowId, next, options) {
      // A caller that does not say what it read (none in the service) costs one read here.
      const before = options?.current ?? (await inner.get(workflowId));
      const stored = await transaction(metrics, 'append_state', () => inner.appendState(workflowId, next, options));
      if (stored && before) observeTransition(metrics, before.engine, before.state, stored);
      return stored;
    },
    setHandle: (workflowId, handle, options) => transaction(metrics, 'set_handle', () => inner.setHandle(workflowId, handle, options)),
    markJobDone: (workflowId) => transaction(metrics, 'mark_job_done', () => inner.markJobDone(workflowId)),
  };
}
