/**
 * Builds the next state from the current one with flowServ's transition helpers
 * (StatePending/StateRunning .start/.success/.error/.cancel): created_at is kept; started_at is
 * kept once set; a PENDING workflow that ends sets started_at (to created_at on success, to the
 * stop time on error or cancel, as flowServ does).
 */
import type { NewState, OutputFileRecord, StateRecord } from '../store/records.js';

/** flowServ's default message of a cancel without a reason. */
export const DEFAULT_CANCEL_MESSAGE = 'canceled at user request';

/** PENDING → RUNNING. */
export function startState(current: StateRecord, at: Date): NewState {
  return { type: 'RUNNING', createdAt: current.createdAt, startedAt: at, messages: [], files: [] };
}

/** Active → SUCCESS with the result files. */
export function successState(current: StateRecord, at: Date, files: readonly OutputFileRecord[]): NewState {
  return {
    type: 'SUCCESS',
    createdAt: current.createdAt,
    startedAt: current.startedAt ?? current.createdAt,
    finishedAt: at,
    messages: [],
    files,
  };
}

/** Active → ERROR with messages. */
export function errorState(current: StateRecord, at: Date, messages: readonly string[]): NewState {
  return { type: 'ERROR', createdAt: current.createdAt, startedAt: current.startedAt ?? at, stoppedAt: at, messages, files: [] };
}

/** Active → CANCELED; an empty reason gives flowServ's default message. */
export function cancelState(current: StateRecord, at: Date, reason?: string): NewState {
  return {
    type: 'CANCELED',
    createdAt: current.createdAt,
    startedAt: current.startedAt ?? at,
    stoppedAt: at,
    messages: [reason ? reason : DEFAULT_CANCEL_MESSAGE],
    files: [],
  };
}
