/** Domain records → protobuf WorkflowState / Workflow, and the state type enum both ways. */
import type { OutputFile } from '../../gen/flowserv/remote/v1/files.js';
import { WorkflowStateType, type Workflow, type WorkflowState } from '../../gen/flowserv/remote/v1/workflow.js';
import type { StateType } from '../../model/state.js';
import type { OutputFileRecord, StateRecord, WorkflowRecord } from '../../store/records.js';

const TO_PROTO: Record<StateType, WorkflowStateType> = {
  PENDING: WorkflowStateType.WORKFLOW_STATE_TYPE_PENDING,
  RUNNING: WorkflowStateType.WORKFLOW_STATE_TYPE_RUNNING,
  CANCELED: WorkflowStateType.WORKFLOW_STATE_TYPE_CANCELED,
  ERROR: WorkflowStateType.WORKFLOW_STATE_TYPE_ERROR,
  SUCCESS: WorkflowStateType.WORKFLOW_STATE_TYPE_SUCCESS,
};

/** The protobuf enum value of a state type. */
export function stateTypeToProto(type: StateType): WorkflowStateType {
  return TO_PROTO[type];
}

/** The domain state type of an enum value; undefined for UNSPECIFIED or unknown values. */
export function stateTypeFromProto(type: WorkflowStateType): StateType | undefined {
  const entry = Object.entries(TO_PROTO).find(([, v]) => v === type);
  return entry?.[0] as StateType | undefined;
}

/** A result file. */
export function outputFileToProto(file: OutputFileRecord): OutputFile {
  return { key: file.key, sizeBytes: file.sizeBytes, sha256: file.sha256 };
}

/** A state with exactly the fields its type carries. */
export function stateToProto(state: StateRecord): WorkflowState {
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

/** A workflow with its latest state. */
export function workflowToProto(wf: WorkflowRecord): Workflow {
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
  };
}
