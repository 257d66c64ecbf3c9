/**
 * Runs accepted workflows on their engines: admits them (at once, or queued as PENDING when
 * the engine's concurrency limit is reached), follows each job through the adapter, writes every
 * state change through the store, stops jobs, and after a restart reattaches to jobs that kept
 * running, finalizes those that ended, and finishes stopping those that were being canceled.
 * Every workflow ends in a terminal state: a job that vanishes becomes ERROR, never RUNNING forever.
 */
import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import type { EngineAdapter, JobHandle, JobOutcome } from '../engines/types.js';
import { EngineRejectedError, EngineUnavailableError } from '../engines/types.js';
import type { BlobStore } from '../store/blob-store.js';
import { InvalidRunStateError } from '../model/errors.js';
import { cancelState, errorState, isActiveType, startState } from '../model/state.js';
import type { NewState, StateRecord, WorkflowRecord } from '../store/records.js';
import type { WorkflowStore } from '../store/workflow-store.js';
import { finalStateBuilder } from './final-state.js';
import type { WatchHub } from './watch-hub.js';

/** What the dispatcher needs. */
export interface DispatcherDeps {
  readonly store: WorkflowStore;
  readonly blobs: BlobStore;
  readonly hub: WatchHub;
  readonly engines: ReadonlyMap<string, EngineAdapter>;
  readonly logger: Logger;
  /** Delay before retrying a queued submission the engine could not take, in ms (default 2000). */
  readonly retryDelayMs?: number;
  readonly now?: () => Date;
}

/** The dispatcher's operations. */
export interface Dispatcher {
  /**
   * Queues a newly accepted (stored, PENDING) workflow for submission and starts submitting
   * queued workflows while its engine has capacity; returns without waiting for the engine. A
   * refusal becomes ERROR with the engine's message; an unreachable engine is retried.
   */
  admit(workflow: WorkflowRecord): void;
  /** Cancels a workflow and stops its job; resolves when nothing of the job runs any more. */
  stop(workflowId: string, reason: string, graceMs: number): Promise<StateRecord>;
  /** Reattaches, finalizes or requeues every unsettled workflow after a restart. */
  recover(): Promise<void>;
  /** Workflows admitted and not yet ended, per engine (for tests and service info). */
  activeCount(engine: string): number;
  /** Stops following jobs (they keep running) and pending retries. */
  close(): Promise<void>;
}

/** Creates a dispatcher over the given engines. */
export function createDispatcher(deps: DispatcherDeps): Dispatcher {
  const { store, blobs, hub, engines, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const retryDelayMs = deps.retryDelayMs ?? 2000;
  const active = new Map<string, Set<string>>();
  const queues = new Map<string, string[]>();
  const observers = new Map<string, AbortController>();
  const pending = new Set<Promise<unknown>>();
  const retryTimers = new Set<NodeJS.Timeout>();
  let closed = false;

  const activeSet = (engine: string) => active.get(engine) ?? active.set(engine, new Set()).get(engine)!;
  const queueOf = (engine: string) => queues.get(engine) ?? queues.set(engine, []).get(engine)!;
  const track = <T>(p: Promise<T>): Promise<T> => {
    pending.add(p);
    void p.finally(() => pending.delete(p)).catch(() => undefined);
    return p;
  };

  /**
   * Appends a state; publishes it; a refused transition (workflow already ended) is a no-op.
   * With `jobDone`, the job is marked done in the same commit (or alone when refused).
   */
  function transition(
    workflowId: string,
    build: (current: StateRecord) => NewState,
    options: { readonly jobDone?: boolean } = {},
  ): StateRecord | undefined {
    const current = store.get(workflowId);
    if (!current) return undefined;
    try {
      const stored = store.appendState(workflowId, build(current.state), options);
      if (stored) hub.publish(workflowId, stored);
      return stored;
    } catch (err) {
      if (!(err instanceof InvalidRunStateError)) throw err;
      if (options.jobDone) store.markJobDone(workflowId);
      return undefined;
    }
  }

  function hasCapacity(adapter: EngineAdapter): boolean {
    const max = adapter.capabilities.maxConcurrentJobs;
    return max === 0 || activeSet(adapter.name).size < max;
  }

  /** Writes the terminal state for the job's outcome and marks the job done, in one commit. */
  async function finalize(wf: WorkflowRecord, outcome: JobOutcome): Promise<void> {
    transition(wf.workflowId, await finalStateBuilder(wf, outcome, blobs), { jobDone: true });
  }

  function release(wf: WorkflowRecord): void {
    activeSet(wf.engine).delete(wf.workflowId);
    observers.delete(wf.workflowId);
    if (!closed) kick(wf.engine);
  }

  async function follow(wf: WorkflowRecord, handle: JobHandle, adapter: EngineAdapter): Promise<void> {
    const ac = new AbortController();
    observers.set(wf.workflowId, ac);
    const log = logger.child({ workflowId: wf.workflowId, engine: adapter.name });
    try {
      for await (const event of adapter.observe(handle, ac.signal)) {
        if (event.type === 'started') transition(wf.workflowId, (s) => startState(s, event.at));
        else {
          await finalize(wf, event.outcome);
        }
      }
    } catch (err) {
      if (!ac.signal.aborted) {
        log.error({ err }, 'following the job failed');
        transition(wf.workflowId, (s) => errorState(s, now(), [`engine ${adapter.name} lost track of the job: ${(err as Error).message}`]));
        await adapter.stop(handle, 0).catch((e: unknown) => log.warn({ err: e }, 'stopping an untracked job failed'));
        store.markJobDone(wf.workflowId);
      }
    } finally {
      if (!ac.signal.aborted) release(wf);
    }
  }

  async function launch(wf: WorkflowRecord, adapter: EngineAdapter): Promise<void> {
    activeSet(adapter.name).add(wf.workflowId);
    let handle: JobHandle;
    try {
      handle = await adapter.submit(wf.job);
    } catch (err) {
      activeSet(adapter.name).delete(wf.workflowId);
      throw err;
    }
    store.setHandle(wf.workflowId, handle);
    const latest = store.get(wf.workflowId);
    if (!latest || !isActiveType(latest.state.type)) {
      // Canceled while the engine was accepting it: make sure nothing keeps running.
      await adapter.stop(handle, 0).catch((err: unknown) => logger.warn({ err }, 'stopping a canceled job failed'));
      store.markJobDone(wf.workflowId);
      activeSet(adapter.name).delete(wf.workflowId);
      return;
    }
    void track(follow(wf, handle, adapter));
  }

  /** Retries stopping a canceled workflow's job with doubling delays (at most a minute apart) until it succeeds. */
  function retryStop(workflowId: string, handle: JobHandle, adapter: EngineAdapter, delayMs: number): void {
    if (closed) return;
    const timer = setTimeout(() => {
      retryTimers.delete(timer);
      void track(
        adapter.stop(handle, 0).then(
          () => store.markJobDone(workflowId),
          (err: unknown) => {
            logger.warn({ err, workflowId }, 'stopping the job failed again');
            retryStop(workflowId, handle, adapter, Math.min(delayMs * 2, 60_000));
          },
        ),
      );
    }, delayMs);
    retryTimers.add(timer);
  }

  /**
   * A PENDING workflow without a handle whose control directory exists was being submitted when
   * the previous process died: the job may be running. Ask the engine before submitting again,
   * so it never runs twice. An engine that cannot answer now gets the workflow resubmitted.
   */
  async function adoptUnrecorded(wf: WorkflowRecord, adapter: EngineAdapter): Promise<JobHandle | undefined> {
    if (!adapter.adopt || !existsSync(wf.job.controlDir)) return undefined;
    try {
      return await adapter.adopt(wf.job);
    } catch (err) {
      logger.warn({ err, workflowId: wf.workflowId }, 'could not check for a job started before the restart');
      return undefined;
    }
  }

  function kick(engine: string): void {
    const adapter = engines.get(engine);
    const queue = queueOf(engine);
    while (adapter && queue.length > 0 && hasCapacity(adapter)) {
      const id = queue.shift()!;
      const wf = store.get(id);
      if (!wf || !isActiveType(wf.state.type) || wf.handle) continue;
      void track(
        launch(wf, adapter).catch((err: unknown) => {
          if (err instanceof EngineUnavailableError && !closed) {
            queue.unshift(id);
            const timer = setTimeout(() => {
              retryTimers.delete(timer);
              kick(engine);
            }, retryDelayMs);
            retryTimers.add(timer);
            logger.warn({ err, workflowId: id }, 'engine unavailable; submission will be retried');
            return;
          }
          logger.error({ err, workflowId: id }, 'submission failed');
          const message = err instanceof EngineRejectedError ? err.message : 'the engine could not start the workflow';
          transition(id, (s) => errorState(s, now(), [message]));
        }),
      );
    }
  }

  return {
    admit(wf) {
      if (!engines.has(wf.engine)) throw new Error(`engine '${wf.engine}' is not configured`);
      queueOf(wf.engine).push(wf.workflowId);
      kick(wf.engine);
    },

    async stop(workflowId, reason, graceMs) {
      const canceled = transition(workflowId, (s) => cancelState(s, now(), reason ? [reason] : null));
      const wf = store.get(workflowId)!;
      if (canceled) {
        const queue = queueOf(wf.engine);
        const at = queue.indexOf(workflowId);
        if (at >= 0) queue.splice(at, 1);
      }
      const adapter = engines.get(wf.engine);
      if (wf.handle && !wf.jobDone && adapter) {
        try {
          await adapter.stop(wf.handle, graceMs);
          store.markJobDone(workflowId);
        } catch (err) {
          // The cancel is recorded; the engine could not be reached (e.g. Slurm controller down).
          // Keep trying in the background, and again on the next start (jobDone stays false).
          logger.warn({ err, workflowId }, 'stopping the job failed; retrying in the background');
          retryStop(workflowId, wf.handle, adapter, retryDelayMs);
        }
      }
      return store.get(workflowId)!.state;
    },

    async recover() {
      for (const wf of store.listUnsettled()) {
        const adapter = engines.get(wf.engine);
        if (!adapter) {
          transition(wf.workflowId, (s) => errorState(s, now(), [`engine '${wf.engine}' is not configured on this server`]));
          continue;
        }
        if (!wf.handle) {
          const adopted = wf.state.type === 'PENDING' ? await adoptUnrecorded(wf, adapter) : undefined;
          if (adopted) {
            store.setHandle(wf.workflowId, adopted);
            activeSet(wf.engine).add(wf.workflowId);
            void track(follow(wf, adopted, adapter));
          } else if (wf.state.type === 'PENDING') queueOf(wf.engine).push(wf.workflowId);
          else transition(wf.workflowId, (s) => errorState(s, now(), ['the job was never started']));
          continue;
        }
        if (!isActiveType(wf.state.type)) {
          await adapter.stop(wf.handle, 0).catch((err: unknown) => logger.warn({ err }, 'stopping a canceled job failed'));
          store.markJobDone(wf.workflowId);
          continue;
        }
        activeSet(wf.engine).add(wf.workflowId);
        void track(follow(wf, wf.handle, adapter));
      }
      for (const engine of engines.keys()) kick(engine);
    },

    activeCount: (engine) => activeSet(engine).size,

    async close() {
      closed = true;
      for (const timer of retryTimers) clearTimeout(timer);
      for (const ac of observers.values()) ac.abort();
      await Promise.allSettled([...pending]);
    },
  };
}
