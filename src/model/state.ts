/**
 * flowServ's workflow state model (FLOWSERV.md §3), the one home of it for client and server:
 * the state types, the active set, the transition builders (pure functions over plain state
 * data, which the store persists as is and the five immutable state classes wrap), and the rule
 * the store applies when persisting a new state. Equality is by type only, as in flowServ (a
 * RUNNING state with new timestamps is "no change").
 */
import { InvalidRunStateError } from './errors.js';

/** The five state type ids, as flowServ spells them. */
export const StateType = {
  PENDING: 'PENDING',
  RUNNING: 'RUNNING',
  CANCELED: 'CANCELED',
  ERROR: 'ERROR',
  SUCCESS: 'SUCCESS',
} as const;
/** One of the state type ids. */
export type StateType = (typeof StateType)[keyof typeof StateType];

/** flowServ's ACTIVE_STATES: a run in these may still change. */
export const ACTIVE_STATES: readonly StateType[] = [StateType.PENDING, StateType.RUNNING];

/** True when a state of type `type` may still change (flowServ's `is_active`). */
export function isActiveType(type: StateType): boolean {
  return ACTIVE_STATES.includes(type);
}

/** Default message of a canceled state without messages (flowServ's text). */
export const DEFAULT_CANCEL_MESSAGE = 'canceled at user request';

/**
 * A state as plain data: what the store persists (with a sequence) and the builders below
 * return. Which timestamps are set follows flowServ: started for RUNNING and later, stopped for
 * CANCELED/ERROR, finished for SUCCESS. `F` is what a result file is: its key for the model
 * classes, a key with size and digest for the store.
 */
export interface StateData<F = string> {
  readonly type: StateType;
  readonly createdAt: Date;
  readonly startedAt?: Date;
  readonly stoppedAt?: Date;
  readonly finishedAt?: Date;
  readonly messages: readonly string[];
  readonly files: readonly F[];
}

/** What a builder reads of the current state: the times it keeps. */
export interface StateTimes {
  readonly createdAt: Date;
  readonly startedAt?: Date;
}

/** What every builder returns: state data with started_at set (all states after PENDING have it). */
export type NextState<F = never> = StateData<F> & { readonly startedAt: Date };

/** PENDING → RUNNING at `at`; created_at is kept. */
export function startState(current: StateTimes, at: Date): NextState {
  return { type: StateType.RUNNING, createdAt: current.createdAt, startedAt: at, messages: [], files: [] };
}

/**
 * Active → SUCCESS at `at` with the result files. A workflow that ends without a reported start
 * gets started_at = created_at, as in flowServ.
 */
export function successState<F>(current: StateTimes, at: Date, files: readonly F[] = []): NextState<F> {
  return {
    type: StateType.SUCCESS,
    createdAt: current.createdAt,
    startedAt: current.startedAt ?? current.createdAt,
    finishedAt: at,
    messages: [],
    files: [...files],
  };
}

/** Active → ERROR at `at`; a PENDING workflow is started and stopped at `at`; messages default to []. */
export function errorState(current: StateTimes, at: Date, messages?: readonly string[] | null): NextState {
  return {
    type: StateType.ERROR,
    createdAt: current.createdAt,
    startedAt: current.startedAt ?? at,
    stoppedAt: at,
    messages: messages ? [...messages] : [],
    files: [],
  };
}

/**
 * Active → CANCELED at `at`; a PENDING workflow is started and stopped at `at`; no messages give
 * flowServ's default message.
 */
export function cancelState(current: StateTimes, at: Date, messages?: readonly string[] | null): NextState {
  return {
    type: StateType.CANCELED,
    createdAt: current.createdAt,
    startedAt: current.startedAt ?? at,
    stoppedAt: at,
    messages: messages ? [...messages] : [DEFAULT_CANCEL_MESSAGE],
    files: [],
  };
}

abstract class BaseState {
  abstract readonly type: StateType;
  constructor(readonly createdAt: Date) {}
  /** PENDING or RUNNING. */
  isActive(): boolean {
    return isActiveType(this.type);
  }
  isPending(): boolean {
    return this.type === StateType.PENDING;
  }
  isRunning(): boolean {
    return this.type === StateType.RUNNING;
  }
  isCanceled(): boolean {
    return this.type === StateType.CANCELED;
  }
  isError(): boolean {
    return this.type === StateType.ERROR;
  }
  isSuccess(): boolean {
    return this.type === StateType.SUCCESS;
  }
  /** flowServ `__eq__`: only the type is compared, never timestamps, messages or files. */
  sameType(other: { readonly type: StateType }): boolean {
    return this.type === other.type;
  }
  /** flowServ `str(state)`: the type id. */
  toString(): string {
    return this.type;
  }
}

/**
 * PENDING or RUNNING: the states a workflow can leave, with flowServ's transition helpers. They
 * apply the builders above, so a PENDING state that ends is started at `at` (created_at on
 * success) and a RUNNING one keeps its started_at.
 */
abstract class ActiveState extends BaseState {
  /** Canceled at `at`; no messages give flowServ's default message. */
  cancel(messages?: readonly string[] | null, at: Date = new Date()): StateCanceled {
    const d = cancelState(this, at, messages);
    return new StateCanceled(d.createdAt, d.startedAt, d.stoppedAt, d.messages);
  }
  /** Failed at `at`. */
  error(messages?: readonly string[] | null, at: Date = new Date()): StateError {
    const d = errorState(this, at, messages);
    return new StateError(d.createdAt, d.startedAt, d.stoppedAt, d.messages);
  }
  /** Finished at `at` with the result file keys. */
  success(files?: readonly string[] | null, at: Date = new Date()): StateSuccess {
    const d = successState(this, at, files ?? []);
    return new StateSuccess(d.createdAt, d.startedAt, d.finishedAt, d.files);
  }
}

/** Created, not started. */
export class StatePending extends ActiveState {
  readonly type = StateType.PENDING;
  constructor(createdAt: Date = new Date()) {
    super(createdAt);
  }
  /** Running since `at` (default now). */
  start(at: Date = new Date()): StateRunning {
    return new StateRunning(this.createdAt, startState(this, at).startedAt);
  }
}

/** Started, not finished. */
export class StateRunning extends ActiveState {
  readonly type = StateType.RUNNING;
  readonly startedAt: Date;
  constructor(createdAt: Date, startedAt: Date = new Date()) {
    super(createdAt);
    this.startedAt = startedAt;
  }
}

/** CANCELED or ERROR: terminal, with the time the workflow stopped and messages. */
abstract class StoppedState extends BaseState {
  readonly startedAt: Date;
  readonly stoppedAt: Date;
  readonly messages: readonly string[];
  constructor(createdAt: Date, startedAt: Date | null | undefined, stoppedAt: Date | null | undefined, messages: readonly string[]) {
    super(createdAt);
    this.startedAt = startedAt ?? createdAt;
    this.stoppedAt = stoppedAt ?? new Date();
    this.messages = [...messages];
  }
}

/** Terminal: stopped at user request; messages default to ['canceled at user request']. */
export class StateCanceled extends StoppedState {
  readonly type = StateType.CANCELED;
  constructor(createdAt: Date, startedAt?: Date | null, stoppedAt?: Date | null, messages?: readonly string[] | null) {
    super(createdAt, startedAt, stoppedAt, messages ?? [DEFAULT_CANCEL_MESSAGE]);
  }
}

/** Terminal: failed; messages default to []. */
export class StateError extends StoppedState {
  readonly type = StateType.ERROR;
  constructor(createdAt: Date, startedAt?: Date | null, stoppedAt?: Date | null, messages?: readonly string[] | null) {
    super(createdAt, startedAt, stoppedAt, messages ?? []);
  }
}

/** Terminal: finished; files are the relative keys of the result files. */
export class StateSuccess extends BaseState {
  readonly type = StateType.SUCCESS;
  readonly finishedAt: Date;
  readonly files: readonly string[];
  constructor(
    createdAt: Date,
    readonly startedAt: Date,
    finishedAt?: Date | null,
    files?: readonly string[] | null,
  ) {
    super(createdAt);
    this.finishedAt = finishedAt ?? new Date();
    this.files = files ? [...files] : [];
  }
}

/** Any workflow state; discriminated by `type`. */
export type WorkflowState = StatePending | StateRunning | StateCanceled | StateError | StateSuccess;

/** What the store must do with a new state: write it, or ignore it (same type as stored). */
export type TransitionDecision = 'apply' | 'noop';

/**
 * flowServ's persisting rule (`RunManager.update_run`, FLOWSERV.md §5.2): a state of the same
 * type as the stored one is a silent no-op (so cancelling twice is fine); RUNNING only from
 * PENDING; CANCELED, ERROR, SUCCESS only from an active state. Anything else throws
 * InvalidRunStateError("cannot change run in state X to state Y").
 */
export function checkTransition(
  from: StateType | { readonly type: StateType },
  to: StateType | { readonly type: StateType },
): TransitionDecision {
  const a = typeof from === 'string' ? from : from.type;
  const b = typeof to === 'string' ? to : to.type;
  if (a === b) return 'noop';
  const allowed =
    b === StateType.RUNNING
      ? a === StateType.PENDING
      : b !== StateType.PENDING && isActiveType(a);
  if (!allowed) throw new InvalidRunStateError(`cannot change run in state ${a} to state ${b}`);
  return 'apply';
}
