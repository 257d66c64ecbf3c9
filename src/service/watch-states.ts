/**
 * WatchState as an async generator: replays the persisted states after the caller's cursor,
 * then streams live ones as the hub publishes them, with a heartbeat whenever nothing happened
 * for `heartbeatIntervalMs`, and returns right after the terminal state. The subscription is taken
 * before the log is read, so no state can fall between the replay and the live part; sequences
 * already sent are skipped, so none is sent twice. The `finally` releases the subscription
 * whether the stream ends, fails or is cancelled.
 *
 * With progress, the stream also sends the workflow's step progress after the replay and
 * whenever it changes (the runner's step files are watched), and once more before the
 * terminal state if the last step's end was not sent yet.
 */
import { join } from 'node:path';
import { RUNNER_FILES } from '../engines/runner/job-runner.js';
import { InvalidArgumentError, OutOfRangeError, ViolationReason, WorkflowNotFoundError } from '../errors.js';
import { mayAccess, type Caller } from '../model/owner.js';
import { isActiveType } from '../model/state.js';
import type { StateRecord } from '../store/records.js';
import type { WorkflowStore } from '../store/workflow-store.js';
import { createDirWatchers, type DirChanges, type DirWatchers } from './dir-changes.js';
import { readProgress, sameProgress, type WorkflowProgressRecord } from './progress.js';
import type { WatchEvent } from './types.js';
import type { WatchHub } from './watch-hub.js';

/** Dependencies of watchStates. */
export interface WatchDeps {
  readonly store: WorkflowStore;
  readonly hub: WatchHub;
  readonly heartbeatIntervalMs: number;
  /** Shared change notifiers for progress (default: a registry of this watch's own). */
  readonly dirs?: DirWatchers;
  /** How often progress is re-read when no change event arrives, in ms (default 250). */
  readonly pollIntervalMs?: number;
  readonly now?: () => Date;
}

/**
 * Validates the request eagerly (INVALID_ARGUMENT for a negative cursor, NOT_FOUND (also for a
 * workflow of another owner than `options.caller`'s), OUT_OF_RANGE
 * for a cursor ahead of the log: all rejected before the stream exists)
 * and resolves to the event stream. Aborting `signal` ends the stream without error.
 */
export async function watchStates(
  deps: WatchDeps,
  workflowId: string,
  afterSequence: number,
  signal: AbortSignal,
  options: { readonly includeProgress?: boolean; readonly caller?: Caller | undefined } = {},
): Promise<AsyncGenerator<WatchEvent>> {
  if (!Number.isSafeInteger(afterSequence) || afterSequence < 0) {
    throw new InvalidArgumentError('invalid after_sequence', [
      { field: 'after_sequence', description: `after_sequence must be 0 or a sequence the caller has seen, got ${afterSequence}`, reason: ViolationReason.OUT_OF_BOUNDS },
    ]);
  }
  const workflow = await deps.store.get(workflowId);
  // Another owner's workflow answers exactly like an unknown one (no OUT_OF_RANGE revealing its log).
  if (!workflow || !mayAccess(options.caller, workflow.owner)) throw new WorkflowNotFoundError(workflowId);
  if (afterSequence > workflow.state.sequence) {
    throw new OutOfRangeError(
      `after_sequence ${afterSequence} is outside the workflow's log (0..${workflow.state.sequence})`,
      { workflow_id: workflowId, last_sequence: String(workflow.state.sequence) },
    );
  }
  // The stream keeps the workflow id, not the record (job, labels): thousands of idle watchers hold no copies.
  const progressOf: ProgressSource | undefined =
    options.includeProgress === true
      ? { controlDir: workflow.job.controlDir, read: async () => readProgress((await deps.store.get(workflowId)) ?? workflow) }
      : undefined;
  return stream(deps, workflowId, afterSequence, signal, progressOf);
}

/** Where a progress-following stream reads the runner's step files. */
interface ProgressSource {
  readonly controlDir: string;
  read(): Promise<WorkflowProgressRecord>;
}

/** Waits for a published state or (with `changes`) a file change, whichever is first. */
async function nextBatch(
  subscription: ReturnType<WatchHub['subscribe']>,
  changes: DirChanges | undefined,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<StateRecord[]> {
  if (!changes) return subscription.next(timeoutMs, signal);
  const race = new AbortController();
  const both = AbortSignal.any([signal, race.signal]);
  const states = subscription.next(timeoutMs, both);
  await Promise.race([states, changes.wait(timeoutMs, both)]);
  race.abort();
  return states;
}

async function* stream(
  deps: WatchDeps,
  workflowId: string,
  afterSequence: number,
  signal: AbortSignal,
  progressOf: ProgressSource | undefined,
): AsyncGenerator<WatchEvent> {
  const now = deps.now ?? (() => new Date());
  const subscription = deps.hub.subscribe(workflowId);
  const ctl = progressOf?.controlDir;
  const changes = ctl !== undefined ? (deps.dirs ?? createDirWatchers()).watch([ctl, join(ctl, RUNNER_FILES.steps)], deps.pollIntervalMs ?? 250) : undefined;
  let last = afterSequence;
  let progress: WorkflowProgressRecord | undefined;
  let lastEventAt = Date.now();
  const progressChanged = async (): Promise<WorkflowProgressRecord | undefined> => {
    if (!progressOf) return undefined;
    const current = await progressOf.read();
    if (sameProgress(progress, current)) return undefined;
    progress = current;
    return current;
  };
  const send = async function* (states: readonly StateRecord[]): AsyncGenerator<WatchEvent, boolean> {
    for (const state of states) {
      if (state.sequence <= last) continue;
      if (!isActiveType(state.type)) {
        const final = await progressChanged();
        if (final) yield { kind: 'progress', progress: final };
      }
      last = state.sequence;
      lastEventAt = Date.now();
      yield { kind: 'state', state };
      if (!isActiveType(state.type)) return true;
    }
    return false;
  };
  try {
    if (yield* send(await deps.store.statesAfter(workflowId, last))) return;
    // Already terminal and the caller has seen its last state: nothing more will come.
    const current = await deps.store.latestState(workflowId);
    if (current && !isActiveType(current.type) && current.sequence <= last) return;
    // A resumed watch with nothing new answers at once: the caller knows the stream is live (its
    // silence watchdog would otherwise wait a whole interval for the first heartbeat).
    if (last === afterSequence) {
      lastEventAt = Date.now();
      yield { kind: 'heartbeat', at: now(), lastSequence: last };
    }
    while (!signal.aborted) {
      const update = await progressChanged();
      if (update) {
        lastEventAt = Date.now();
        yield { kind: 'progress', progress: update };
      }
      const idleMs = Date.now() - lastEventAt;
      if (idleMs >= deps.heartbeatIntervalMs) {
        lastEventAt = Date.now();
        yield { kind: 'heartbeat', at: now(), lastSequence: last };
        continue;
      }
      const batch = await nextBatch(subscription, changes, deps.heartbeatIntervalMs - idleMs, signal);
      if (signal.aborted) return;
      if (batch.length === 0) continue;
      // A gap means a publication was missed; the log is the truth.
      const states = batch[0]!.sequence > last + 1 ? await deps.store.statesAfter(workflowId, last) : batch;
      if (yield* send(states)) return;
    }
  } finally {
    changes?.close();
    subscription.close();
  }
}

