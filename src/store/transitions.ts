/**
 * The persisted transition rule (flowServ's RunManager.update_run): RUNNING only from PENDING;
 * CANCELED, ERROR, SUCCESS from PENDING or RUNNING; a state of the same type as the current one
 * is a silent no-op; nothing leaves a terminal state.
 */
import type { StateType } from './records.js';

/** A transition the store refuses. */
export class InvalidTransitionError extends Error {
  override readonly name = 'InvalidTransitionError';
  constructor(
    readonly from: StateType,
    readonly to: StateType,
  ) {
    super(`cannot change run in state ${from} to state ${to}`);
  }
}

const ALLOWED: Readonly<Record<StateType, readonly StateType[]>> = {
  PENDING: ['RUNNING', 'CANCELED', 'ERROR', 'SUCCESS'],
  RUNNING: ['CANCELED', 'ERROR', 'SUCCESS'],
  CANCELED: [],
  ERROR: [],
  SUCCESS: [],
};

/** 'apply' for an allowed change, 'noop' for the same type; throws InvalidTransitionError otherwise. */
export function checkTransition(from: StateType, to: StateType): 'apply' | 'noop' {
  if (from === to) return 'noop';
  if (ALLOWED[from].includes(to)) return 'apply';
  throw new InvalidTransitionError(from, to);
}
