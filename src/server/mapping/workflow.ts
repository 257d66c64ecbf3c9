/** Domain records → protobuf WorkflowState / Workflow (the state type table is src/wire/enums.ts). */
import type { OutputFile } from '../../gen/flowserv/remote/v1/files.js';
import { GetWorkflowStateResponse, WatchStateResponse } from '../../gen/flowserv/remote/v1/service.js';
import type { Workflow, WorkflowState } from '../../gen/flowserv/remote/v1/workflow.js';
import type { ResultFile, Workflow as WorkflowView, WorkflowState as StateView } from '../../service/types.js';
import { stateTypeToProto } from '../../wire/enums.js';

/** A result file. */
export function outputFileToProto(file: ResultFile): OutputFile {
  return { key: file.key, sizeBytes: file.sizeBytes, sha256: file.sha256 };
}

/** A state with exactly the fields its type carries. */
export function stateToProto(state: StateView): WorkflowState {
  return {
    type: stateTypeToProto(state.type),
    sequence: state.sequence,
    createdAt: state.createdAt,
    startedAt: state.startedAt,
    stoppedAt: state.stoppedAt,
    finishedAt: state.finishedAt,
    messages: [...state.messages],
    files: state.files.map(outputFileToProto),
  };
}

/** Encoded WatchState messages, per state object: a state published to many watchers is encoded once. */
const encodedStateEvents = new WeakMap<StateView, Buffer>();

/** The WatchStateResponse carrying `state`, encoded once per state object (see PreEncoded). */
export function encodedStateEvent(state: StateView): Buffer {
  let bytes = encodedStateEvents.get(state);
  if (!bytes) {
    bytes = Buffer.from(WatchStateResponse.encode({ event: { $case: 'state', value: stateToProto(state) } }).finish());
    encodedStateEvents.set(state, bytes);
  }
  return bytes;
}

/** Encoded GetWorkflowState answers per state object, `changed` false and true. */
const encodedStateAnswers = new WeakMap<StateView, [Buffer | undefined, Buffer | undefined]>();

/**
 * The GetWorkflowState answer for `state`, encoded once per state object and `changed`: the
 * store hands out the same object for a workflow's latest state until it changes (SQLite's
 * latest-state cache), so pollers of a workflow share one encoding.
 */
export function encodedStateAnswer(state: StateView, changed: boolean): Buffer {
  let pair = encodedStateAnswers.get(state);
  if (!pair) encodedStateAnswers.set(state, (pair = [undefined, undefined]));
  const slot = changed ? 1 : 0;
  return (pair[slot] ??= Buffer.from(GetWorkflowStateResponse.encode({ state: stateToProto(state), changed }).finish()));
}

/** A workflow with its latest state. */
export function workflowToProto(wf: WorkflowView): Workflow {
  return {
    workflowId: wf.workflowId,
    runId: wf.runId,
    groupId: wf.groupId,
    flowservWorkflowId: wf.flowservWorkflowId,
    engine: wf.engine,
    state: stateToProto(wf.state),
    outputFiles: [...wf.outputFiles],
    labels: { ...wf.labels },
    createTime: wf.state.createdAt,
    owner: wf.owner,
  };
}
