/**
 * flowServ's state documents (`serialize_state` / `deserialize_state`, FLOWSERV.md §3): keys
 * `type`, `createdAt`, `startedAt`, `finishedAt` (which carries stopped_at for CANCELED and
 * ERROR), `messages`, `files`; timestamps as Python isoformat strings.
 */
import { InvalidStateDocumentError, StateKeyError } from './errors.js';
import {
  StateCanceled,
  StateError,
  StatePending,
  StateRunning,
  StateSuccess,
  StateType,
  type WorkflowState,
} from './state.js';
import { formatTimestamp, parseTimestamp } from './timestamp.js';

/** The serialized form of a state; which optional keys are present depends on `type`. */
export interface StateDocument {
  type: string;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  messages?: string[];
  files?: string[];
}

/** Serializes a state with flowServ's keys. */
export function serializeState(state: WorkflowState): StateDocument {
  const doc: StateDocument = { type: state.type, createdAt: formatTimestamp(state.createdAt) };
  switch (state.type) {
    case StateType.PENDING:
      return doc;
    case StateType.RUNNING:
      return { ...doc, startedAt: formatTimestamp(state.startedAt) };
    case StateType.CANCELED:
    case StateType.ERROR:
      return {
        ...doc,
        startedAt: formatTimestamp(state.startedAt),
        finishedAt: formatTimestamp(state.stoppedAt),
        messages: [...state.messages],
      };
    case StateType.SUCCESS:
      return {
        ...doc,
        startedAt: formatTimestamp(state.startedAt),
        finishedAt: formatTimestamp(state.finishedAt),
        files: [...state.files],
      };
  }
}

function required(doc: Record<string, unknown>, key: string): unknown {
  if (!(key in doc) || doc[key] === undefined) throw new StateKeyError(key);
  return doc[key];
}

function time(doc: Record<string, unknown>, key: string): Date {
  const value = required(doc, key);
  if (typeof value !== 'string') throw new InvalidStateDocumentError(`invalid timestamp for '${key}'`, key);
  return parseTimestamp(value, key);
}

function strings(doc: Record<string, unknown>, key: string): string[] {
  const value = required(doc, key);
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new InvalidStateDocumentError(`'${key}' must be a list of strings`, key);
  }
  return [...value] as string[];
}

/**
 * Rebuilds a state from its document. A missing key (checked in flowServ's order: type,
 * createdAt, then the type's keys) throws StateKeyError (named KeyError); an unknown type
 * throws InvalidStateDocumentError("invalid state type '<t>'").
 */
export function deserializeState(doc: unknown): WorkflowState {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new InvalidStateDocumentError('state document must be an object');
  }
  const d = doc as Record<string, unknown>;
  const type = required(d, 'type');
  const createdAt = time(d, 'createdAt');
  switch (type) {
    case StateType.PENDING:
      return new StatePending(createdAt);
    case StateType.RUNNING:
      return new StateRunning(createdAt, time(d, 'startedAt'));
    case StateType.CANCELED:
      return new StateCanceled(createdAt, time(d, 'startedAt'), time(d, 'finishedAt'), strings(d, 'messages'));
    case StateType.ERROR:
      return new StateError(createdAt, time(d, 'startedAt'), time(d, 'finishedAt'), strings(d, 'messages'));
    case StateType.SUCCESS:
      return new StateSuccess(createdAt, time(d, 'startedAt'), time(d, 'finishedAt'), strings(d, 'files'));
    default:
      throw new InvalidStateDocumentError(`invalid state type '${String(type)}'`, 'type');
  }
}
