/**
 * Child spans of an RPC's span for the steps that take time, from decorators applied by the
 * composition root only when tracing is on: `store.commit` around each store write
 * (with its operation) and `engine.submit` around each job submission (with the engine name).
 * Staging has its span in the service (WorkflowServiceOptions.span), as it is no interface.
 */
import type { EngineAdapter } from '../engines/types.js';
import type { WorkflowStore } from '../store/workflow-store.js';
import type { Tracing } from './tracing-state.js';

/** A store whose write transactions are `store.commit` spans. */
export function traceStore(inner: WorkflowStore, tracing: Tracing, system: 'sqlite' | 'postgresql' = 'sqlite'): WorkflowStore {
  const commit = <T>(operation: string, fn: () => Promise<T>): Promise<T> => tracing.span('store.commit', { 'db.system': system, 'db.operation': operation }, fn);
  return {
    ...inner,
    insert: (workflow) => commit('insert', () => inner.insert(workflow)),
    appendState: (workflowId, next, options) => commit('append_state', () => inner.appendState(workflowId, next, options)),
    setHandle: (workflowId, handle, options) => commit('set_handle', () => inner.setHandle(workflowId, handle, options)),
    markJobDone: (workflowId) => commit('mark_job_done', () => inner.markJobDone(workflowId)),
  };
}

/** An engine whose submissions are `engine.submit` spans. */
export function traceEngine(inner: EngineAdapter, tracing: Tracing): EngineAdapter {
  return {
    ...inner,
    name: inner.name,
    capabilities: inner.capabilities,
    submit: (job, signal) => tracing.span('engine.submit', { 'flowserv.engine': inner.name }, () => inner.submit(job, signal)),
  };
}
