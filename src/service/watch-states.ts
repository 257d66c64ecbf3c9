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

/**
 * Waits for a published state or (with `changes`) a file change, whichever is first. Without
 * changes it hands back the subscription's own promise: no async frame per waiting watcher.
 */
function nextBatch(
  subscription: ReturnType<WatchHub['subscribe']>,
  changes: DirChanges | undefined,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<StateRecord[]> {
  return changes ? nextBatchOrChange(subscription, changes, timeoutMs, signal) : subscription.next(timeoutMs, signal);
}

async function nextBatchOrChange(
  subscription: ReturnType<WatchHub['subscribe']>,
  changes: DirChanges,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<StateRecord[]> {
  const race = new AbortController();
  const both = AbortSignal.any([signal, race.signal]);
  const states = subscription.next(timeoutMs, both);
  await Promise.race([states, changes.wait(timeoutMs, both)]);
  race.abort();
  return states;
}

const systemNow = (): Date => new Date();

/** Where one watcher stands; one small object, mutated by deliver(). */
interface Cursor {
  /** Sequence of the last state sent (or the caller's after_sequence). */
  last: number;
  /** When the stream last sent anything (Date.now()), for heartbeats. */
  lastEventAt: number;
  /** The last progress sent. */
  progress: WorkflowProgressRecord | undefined;
}

/** Sends the progress when it changed since the last one sent. */
async function* progressUpdate(cursor: Cursor, progressOf: ProgressSource): AsyncGenerator<WatchEvent> {
  const current = await progressOf.read();
  if (sameProgress(cursor.progress, current)) return;
  cursor.progress = current;
  cursor.lastEventAt = Date.now();
  yield { kind: 'progress', progress: current };
}

/**
 * Sends the states after the cursor, the progress once more before a terminal state; returns
 * true after a terminal state. A generator of its own (not a loop in stream()) so that the states
 * and their records are let go once sent: an idle watcher's frame holds none of them.
 */
async function* deliver(states: readonly StateRecord[], cursor: Cursor, progressOf: ProgressSource | undefined): AsyncGenerator<WatchEvent, boolean> {
  for (const state of states) {
    if (state.sequence <= cursor.last) continue;
    const terminal = !isActiveType(state.type);
    if (terminal && progressOf) yield* progressUpdate(cursor, progressOf);
    cursor.last = state.sequence;
    cursor.lastEventAt = Date.now();
    yield { kind: 'state', state };
    if (terminal) return true;
  }
  return false;
}

/** The workflow is terminal and the caller has seen its last state: nothing more will come. */
async function nothingMore(store: WorkflowStore, workflowId: string, last: number): Promise<boolean> {
  const current = await store.latestState(workflowId);
  return current !== undefined && !isActiveType(current.type) && current.sequence <= last;
}

/**
 * The stream of one watcher. An idle watcher holds this frame, its cursor, its subscription and
 * one pending wait; the helpers above are module functions, so no closure is made per watcher.
 */
async function* stream(
  deps: WatchDeps,
  workflowId: string,
  afterSequence: number,
  signal: AbortSignal,
  progressOf: ProgressSource | undefined,
): AsyncGenerator<WatchEvent> {
  const subscription = deps.hub.subscribe(workflowId);
  const ctl = progressOf?.controlDir;
  const changes = ctl !== undefined ? (deps.dirs ?? createDirWatchers()).watch([ctl, join(ctl, RUNNER_FILES.steps)], deps.pollIntervalMs ?? 250) : undefined;
  const cursor: Cursor = { last: afterSequence, lastEventAt: Date.now(), progress: undefined };
  try {
    if (yield* deliver(await deps.store.statesAfter(workflowId, cursor.last), cursor, progressOf)) return;
    if (await nothingMore(deps.store, workflowId, cursor.last)) return;
    // A resumed watch with nothing new answers at once: the caller knows the stream is live (its
    // silence watchdog would otherwise wait a whole interval for the first heartbeat).
    if (cursor.last === afterSequence) {
      cursor.lastEventAt = Date.now();
      yield { kind: 'heartbeat', at: (deps.now ?? systemNow)(), lastSequence: cursor.last };
    }
    while (!signal.aborted) {
      if (progressOf) yield* progressUpdate(cursor, progressOf);
      const idleMs = Date.now() - cursor.lastEventAt;
      if (idleMs >= deps.heartbeatIntervalMs) {
        cursor.lastEventAt = Date.now();
        yield { kind: 'heartbeat', at: (deps.now ?? systemNow)(), lastSequence: cursor.last };
        continue;
      }
      const batch = await nextBatch(subscription, changes, deps.heartbeatIntervalMs - idleMs, signal);
      if (signal.aborted) return;
      if (batch.length === 0) continue;
      // A gap means a publication was missed; the log is the truth.
      const states = batch[0]!.sequence > cursor.last + 1 ? await deps.store.statesAfter(workflowId, cursor.last) : batch;
      if (yield* deliver(states, cursor, progressOf)) return;
    }
  } finally {
    changes?.close();
    subscription.close();
  }
}
