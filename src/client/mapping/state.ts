/**
 * Protobuf WorkflowState ↔ the model's state classes (src/model/state.ts), so client code deals
 * in the same StatePending … StateSuccess objects flowServ engines return. The per-workflow
 * `sequence` and the output digests travel beside the state, not inside it.
 */
import type { OutputFile } from '../../gen/flowserv/remote/v1/files.js';
import type { WorkflowStateType, WorkflowState as ProtoState } from '../../gen/flowserv/remote/v1/workflow.js';
import { StateCanceled, StateError, StatePending, StateRunning, StateSuccess, StateType, type WorkflowState } from '../../model/index.js';
import { stateTypeFromProto as knownStateType, stateTypeToProto } from '../../wire/enums.js';
import { ProtocolError } from '../errors.js';

/** A result file as the SUCCESS state lists it: key, size in bytes and sha256 (hex). */
export interface OutputFileInfo {
  readonly key: string;
  readonly sizeBytes: number;
  readonly sha256: string;
}

/** A state with the server's sequence number (grows by one per transition, from 1). */
export interface SequencedState {
  readonly state: WorkflowState;
  readonly sequence: number;
  /** Result files with digests; empty unless SUCCESS. */
  readonly files: readonly OutputFileInfo[];
}

/** The state type id of an enum value; a ProtocolError for UNSPECIFIED or values this client does not know. */
export function stateTypeFromProto(type: WorkflowStateType): StateType {
  const found = knownStateType(type);
  if (found === undefined) throw new ProtocolError(`the server sent a workflow state type this client does not know (${type})`);
  return found;
}

/** A result file in plain terms. */
export function outputFileFromProto(f: OutputFile): OutputFileInfo {
  return { key: f.key, sizeBytes: f.sizeBytes, sha256: f.sha256 };
}

/** The model state of a protobuf state; missing timestamps fall back the way flowServ's constructors do. */
export function stateFromProto(s: ProtoState): WorkflowState {
  const createdAt = s.createdAt ?? new Date();
  switch (stateTypeFromProto(s.type)) {
    case StateType.PENDING:
      return new StatePending(createdAt);
    case StateType.RUNNING:
      return new StateRunning(createdAt, s.startedAt ?? createdAt);
    case StateType.CANCELED:
      return new StateCanceled(createdAt, s.startedAt, s.stoppedAt, s.messages);
    case StateType.ERROR:
      return new StateError(createdAt, s.startedAt, s.stoppedAt, s.messages);
    case StateType.SUCCESS:
      return new StateSuccess(createdAt, s.startedAt ?? createdAt, s.finishedAt, s.files.map((f) => f.key));
  }
}

/** State, sequence and file digests of a protobuf state. */
export function sequencedFromProto(s: ProtoState): SequencedState {
  return { state: stateFromProto(s), sequence: s.sequence, files: s.files.map(outputFileFromProto) };
}

/** The fields GetWorkflowState reads from the caller's current state (its type). */
export function stateToProto(state: WorkflowState): ProtoState {
  return {
    type: stateTypeToProto(state.type),
    sequence: 0,
    createdAt: state.createdAt,
    startedAt: 'startedAt' in state ? state.startedAt : undefined,
    stoppedAt: 'stoppedAt' in state ? state.stoppedAt : undefined,
    finishedAt: 'finishedAt' in state ? state.finishedAt : undefined,
    messages: 'messages' in state ? [...state.messages] : [],
    files: [],
  };
}
