/**
 * What the dispatcher's parts (admission, following, recovery) share: the store and state feed, the
 * one writer of states (`transition`), the retry queue, a lifetime signal that close() aborts and
 * that every engine call receives, and the set of background tasks close() waits for.
 */
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { EngineAdapter } from '../engines/types.js';
import { InvalidRunStateError } from '../model/errors.js';
import { isActiveType } from '../model/state.js';
import type { BlobStore } from '../store/blob-store.js';
import type { NewState, StateRecord } from '../store/records.js';
import { FenceLostError, type WorkflowStore } from '../store/workflow-store.js';
import { createClaimedWork, type ClaimedWork } from './claimed-work.js';
import type { ReplicaCoordination } from './replica-coordination.js';
import { createRetryQueue, type RetryQueue } from './retry-queue.js';
import type { StateFeed } from './state-feed.js';
import type { WatchHub } from './watch-hub.js';

/** What the dispatcher needs. */
export interface DispatcherDeps {
  readonly store: WorkflowStore;
  readonly blobs: BlobStore;
  /** Where committed states go (this process's watchers and, with replicas, the others'). */
  readonly feed: StateFeed;
  readonly engines: ReadonlyMap<string, EngineAdapter>;
  readonly logger: Logger;
  /** First delay of the retry queue (stops, submissions to an unavailable engine), in ms (default 2000). */
  readonly retryDelayMs?: number;
  /** Longest delay of the retry queue, in ms (default 30000). */
  readonly retryMaxDelayMs?: number;
  /** Most bytes of output files one workflow may store (default: no limit). */
  readonly maxOutputBytes?: number;
  /**
   * Several replicas on one database: workflows are followed under claims (default: none, this
   * process follows every workflow of the store).
   */
  readonly replicas?: ReplicaCoordination;
  /** With replicas: engines whose jobs only their creating replica can reach (pinned local jobs). */
  readonly pinnedEngines?: readonly string[];
  /**
   * With replicas: the hub the feed brings the other replicas' states into. A follower watches
   * it for a terminal state written elsewhere (a stop received by another replica) and then
   * stops the job itself and lets the workflow go.
   */
  readonly hub?: WatchHub;
  /**
   * Grace period of the stop a follower sends when another replica ended the workflow, in ms: the
   * longest any caller may ask for (the grace asked there is not stored), so that it never cuts a
   * stop's grace short (default 10000).
   */
  readonly remoteStopGraceMs?: number;
  /**
   * True when the engine's last health probe found it unreachable (default: never): StopWorkflow
   * then answers with CANCELED at once instead of waiting for a stop that can only fail after the
   * engine's own timeouts (Slurm: about 27 s of squeue and scancel with the controller down).
   */
  readonly engineUnreachable?: (engine: string) => boolean;
  readonly now?: () => Date;
}

/** The shared state and helpers of the dispatcher's parts. */
export interface DispatchContext {
  readonly store: WorkflowStore;
  readonly blobs: BlobStore;
  readonly engines: ReadonlyMap<string, EngineAdapter>;
  readonly logger: Logger;
  readonly now: () => Date;
  /** Aborted by close(): observers end, waits give up, engine calls are told to. */
  readonly signal: AbortSignal;
  readonly retries: RetryQueue;
  /** The workflows followed under a claim (several replicas), with their fences. */
  readonly claims: ClaimedWork;
  /** Most bytes of output files one workflow may store. */
  readonly maxOutputBytes: number;
  /** See DispatcherDeps.hub. */
  readonly hub: WatchHub | undefined;
  /** See DispatcherDeps.remoteStopGraceMs. */
  readonly remoteStopGraceMs: number;
  /**
   * A follower write of this replica was refused for a stale fence (another replica took the
   * workflow over): logs it (one warning per refused write; `write` says which) and stops
   * following the workflow here.
   */
  fenceLost(err: FenceLostError, write: string): void;
  /** Runs `task` in the background; close() waits for it. Rejections must be handled by the task. */
  inBackground(task: Promise<unknown>): void;
  /**
   * Appends a state and publishes it; a refused transition (the workflow already ended) is a
   * no-op. With `jobDone`, the job is marked done in the same commit (or alone when refused).
   * Transitions of one workflow run one at a time, in call order, so each builds on the state
   * the one before it left. The write carries the claim's fence when this replica follows the
   * workflow under one (not with `unfenced`: a user's stop); a refused fence ends the following
   * here and resolves undefined.
   */
  transition(
    workflowId: string,
    build: (current: StateRecord) => NewState,
    options?: { readonly jobDone?: boolean; readonly unfenced?: boolean },
  ): Promise<StateRecord | undefined>;
  /** Aborts the lifetime signal, drops waiting retries and waits for the background tasks. */
  close(): Promise<void>;
}

/** Builds the context of one dispatcher. */
export function createDispatchContext(deps: DispatcherDeps): DispatchContext {
  const { store, feed } = deps;
  const lifetime = new AbortController();
  // Every followed job's observer listens to this signal: no listener cap.
  setMaxListeners(0, lifetime.signal);
  const pending = new Set<Promise<unknown>>();
  /** The last transition queued per workflow (see transition). */
  const transitions = new Map<string, Promise<unknown>>();
  const oneAtATime = <T>(workflowId: string, run: () => Promise<T>): Promise<T> => {
    const result = (transitions.get(workflowId) ?? Promise.resolve()).then(run);
    const settled = result.catch(() => undefined);
    transitions.set(workflowId, settled);
    void settled.then(() => {
      if (transitions.get(workflowId) === settled) transitions.delete(workflowId);
    });
    return result;
  };
  const inBackground = (task: Promise<unknown>): void => {
    pending.add(task);
    void task.finally(() => pending.delete(task)).catch(() => undefined);
  };
  const retries = createRetryQueue({
    initialDelayMs: deps.retryDelayMs ?? 2000,
    maxDelayMs: deps.retryMaxDelayMs ?? 30_000,
    run: (task) => inBackground(Promise.resolve().then(task)),
  });
  const claims = createClaimedWork(lifetime.signal);
  const fenceLost = (err: FenceLostError, write: string): void => {
    const { workflowId, fence } = err;
    deps.logger.warn({ workflowId, follower: fence.follower, epoch: fence.epoch, write }, 'stale follower write refused: another replica follows this workflow now');
    claims.lost(workflowId, err.message);
  };
  return {
    store,
    blobs: deps.blobs,
    engines: deps.engines,
    logger: deps.logger,
    now: deps.now ?? (() => new Date()),
    signal: lifetime.signal,
    retries,
    claims,
    maxOutputBytes: deps.maxOutputBytes ?? Number.POSITIVE_INFINITY,
    hub: deps.hub,
    remoteStopGraceMs: deps.remoteStopGraceMs ?? 10_000,
    inBackground,
    fenceLost,
    transition: (workflowId, build, options = {}) =>
      oneAtATime(workflowId, async () => {
        const current = await store.get(workflowId);
        if (!current) return undefined;
        const fence = options.unfenced ? undefined : claims.fenceOf(workflowId);
        const next = build(current.state);
        try {
          const stored = await store.appendState(workflowId, next, { current, ...(options.jobDone && { jobDone: true }), ...(fence && { fence }) });
          if (stored && !isActiveType(stored.type)) claims.endedHere(workflowId);
          if (stored) feed.committed(workflowId, stored);
          return stored;
        } catch (err) {
          if (err instanceof FenceLostError) {
            fenceLost(err, `state ${next.type}`);
            return undefined;
          }
          if (!(err instanceof InvalidRunStateError)) throw err;
          if (options.jobDone) await store.markJobDone(workflowId);
          return undefined;
        }
      }),
    async close() {
      lifetime.abort();
      retries.close();
      await Promise.allSettled([...pending]);
    },
  };
}
