/**
 * WatchState as an async generator: replays the persisted states after the caller's cursor,
 * then streams live ones as the hub publishes them, with a heartbeat whenever nothing happened
 * for `heartbeatIntervalMs`, and returns right after the terminal state. The subscription is taken
 * before the log is read, so no state can fall between the replay and the live part; sequences
 * already sent are skipped, so none is sent twice. The `finally` releases the subscription
 * whether the stream ends, fails or is cancelled.
 */
import { InvalidArgumentError, OutOfRangeError, ViolationReason, WorkflowNotFoundError } from '../errors.js';
import { isActiveType } from '../model/state.js';
import type { StateRecord } from '../store/records.js';
import type { WorkflowStore } from '../store/workflow-store.js';
import type { WatchEvent } from './types.js';
import type { WatchHub } from './watch-hub.js';

/** Dependencies of watchStates. */
export interface WatchDeps {
  readonly store: WorkflowStore;
  readonly hub: WatchHub;
  readonly heartbeatIntervalMs: number;
  readonly now?: () => Date;
}

/**
 * Validates the request eagerly (INVALID_ARGUMENT for a negative cursor, NOT_FOUND, OUT_OF_RANGE
 * for a cursor ahead of the log: all thrown before the first event)
 * and returns the event stream. Aborting `signal` ends the stream without error.
 */
export function watchStates(
  deps: WatchDeps,
  workflowId: string,
  afterSequence: number,
  signal: AbortSignal,
): AsyncGenerator<WatchEvent> {
  if (!Number.isSafeInteger(afterSequence) || afterSequence < 0) {
    throw new InvalidArgumentError('invalid after_sequence', [
      { field: 'after_sequence', description: `after_sequence must be 0 or a sequence the caller has seen, got ${afterSequence}`, reason: ViolationReason.OUT_OF_BOUNDS },
    ]);
  }
  const workflow = deps.store.get(workflowId);
  if (!workflow) throw new WorkflowNotFoundError(workflowId);
  if (afterSequence > workflow.state.sequence) {
    throw new OutOfRangeError(
      `after_sequence ${afterSequence} is outside the workflow's log (0..${workflow.state.sequence})`,
      { workflow_id: workflowId, last_sequence: String(workflow.state.sequence) },
    );
  }
  return stream(deps, workflowId, afterSequence, signal);
}

async function* stream(
  deps: WatchDeps,
  workflowId: string,
  afterSequence: number,
  signal: AbortSignal,
): AsyncGenerator<WatchEvent> {
  const now = deps.now ?? (() => new Date());
  const subscription = deps.hub.subscribe(workflowId);
  let last = afterSequence;
  const send = function* (states: readonly StateRecord[]): Generator<WatchEvent, boolean> {
    for (const state of states) {
      if (state.sequence <= last) continue;
      last = state.sequence;
      yield { kind: 'state', state };
      if (!isActiveType(state.type)) return true;
    }
    return false;
  };
  try {
    if (yield* send(deps.store.statesAfter(workflowId, last))) return;
    // Already terminal and the caller has seen its last state: nothing more will come.
    const current = deps.store.get(workflowId);
    if (current && !isActiveType(current.state.type) && current.state.sequence <= last) return;
    while (!signal.aborted) {
      const batch = await subscription.next(deps.heartbeatIntervalMs, signal);
      if (signal.aborted) return;
      if (batch.length === 0) {
        yield { kind: 'heartbeat', at: now(), lastSequence: last };
        continue;
      }
      // A gap means a publication was missed; the log is the truth.
      const states = batch[0]!.sequence > last + 1 ? deps.store.statesAfter(workflowId, last) : batch;
      if (yield* send(states)) return;
    }
  } finally {
    subscription.close();
  }
}
