/**
 * flowServ's workflow state model (FLOWSERV.md §3): five immutable state classes with the
 * transition helpers engines use to derive the next state, and the rule the store applies when
 * persisting a new state. Equality is by type only, as in flowServ (a RUNNING state with new
 * timestamps is "no change").
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

/** Default message of a canceled state without messages (flowServ's text). */
export const DEFAULT_CANCEL_MESSAGE = 'canceled at user request';

abstract class BaseState {
  abstract readonly type: StateType;
  constructor(readonly createdAt: Date) {}
  /** PENDING or RUNNING. */
  isActive(): boolean {
    return ACTIVE_STATES.includes(this.type);
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

/** Created, not started. */
export class StatePending extends BaseState {
  readonly type = StateType.PENDING;
  constructor(createdAt: Date = new Date()) {
    super(createdAt);
  }
  /** Running since `at` (default now). */
  start(at: Date = new Date()): StateRunning {
    return new StateRunning(this.createdAt, at);
  }
  /** Canceled before starting: started and stopped at `at`. */
  cancel(messages?: readonly string[] | null, at: Date = new Date()): StateCanceled {
    return new StateCanceled(this.createdAt, at, at, messages);
  }
  /** Failed before starting: started and stopped at `at`. */
  error(messages?: readonly string[] | null, at: Date = new Date()): StateError {
    return new StateError(this.createdAt, at, at, messages);
  }
  /** Finished without a reported start: started_at is created_at, as in flowServ. */
  success(files?: readonly string[] | null, at: Date = new Date()): StateSuccess {
    return new StateSuccess(this.createdAt, this.createdAt, at, files);
  }
}

/** Started, not finished. */
export class StateRunning extends BaseState {
  readonly type = StateType.RUNNING;
  readonly startedAt: Date;
  constructor(createdAt: Date, startedAt: Date = new Date()) {
    super(createdAt);
    this.startedAt = startedAt;
  }
  cancel(messages?: readonly string[] | null, at: Date = new Date()): StateCanceled {
    return new StateCanceled(this.createdAt, this.startedAt, at, messages);
  }
  error(messages?: readonly string[] | null, at: Date = new Date()): StateError {
    return new StateError(this.createdAt, this.startedAt, at, messages);
  }
  success(files?: readonly string[] | null, at: Date = new Date()): StateSuccess {
    return new StateSuccess(this.createdAt, this.startedAt, at, files);
  }
}

/** Terminal: stopped at user request; messages default to ['canceled at user request']. */
export class StateCanceled extends BaseState {
  readonly type = StateType.CANCELED;
  readonly startedAt: Date;
  readonly stoppedAt: Date;
  readonly messages: readonly string[];
  constructor(createdAt: Date, startedAt?: Date | null, stoppedAt?: Date | null, messages?: readonly string[] | null) {
    super(createdAt);
    this.startedAt = startedAt ?? createdAt;
    this.stoppedAt = stoppedAt ?? new Date();
    this.messages = messages ? [...messages] : [DEFAULT_CANCEL_MESSAGE];
  }
}

/** Terminal: failed; messages default to []. */
export class StateError extends BaseState {
  readonly type = StateType.ERROR;
  readonly startedAt: Date;
  readonly stoppedAt: Date;
  readonly messages: readonly string[];
  constructor(createdAt: Date, startedAt?: Date | null, stoppedAt?: Date | null, messages?: readonly string[] | null) {
    super(createdAt);
    this.startedAt = startedAt ?? createdAt;
    this.stoppedAt = stoppedAt ?? new Date();
    this.messages = messages ? [...messages] : [];
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
      : b !== StateType.PENDING && ACTIVE_STATES.includes(a);
  if (!allowed) throw new InvalidRunStateError(`cannot change run in state ${a} to state ${b}`);
  return 'apply';
}
