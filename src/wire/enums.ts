/**
 * The enum tables of the protocol, each defined once and read in both directions: the workflow
 * state type (the model's type ids ↔ `WorkflowStateType`), the parameter dtype (flowServ's
 * dtype names ↔ `ParameterType`) and an engine's job confinement (↔ `JobConfinement`).
 */
import type { JobConfinement as JobConfinementName } from '../engines/types.js';
import { JobConfinement } from '../gen/flowserv/remote/v1/service_info.js';
import { ParameterType } from '../gen/flowserv/remote/v1/template.js';
import { WorkflowStateType } from '../gen/flowserv/remote/v1/workflow.js';
import type { StateType } from '../model/state.js';

const STATE_TYPES: Readonly<Record<StateType, WorkflowStateType>> = {
  PENDING: WorkflowStateType.WORKFLOW_STATE_TYPE_PENDING,
  RUNNING: WorkflowStateType.WORKFLOW_STATE_TYPE_RUNNING,
  CANCELED: WorkflowStateType.WORKFLOW_STATE_TYPE_CANCELED,
  ERROR: WorkflowStateType.WORKFLOW_STATE_TYPE_ERROR,
  SUCCESS: WorkflowStateType.WORKFLOW_STATE_TYPE_SUCCESS,
};

const DTYPES: Readonly<Record<string, ParameterType>> = {
  bool: ParameterType.PARAMETER_TYPE_BOOL,
  int: ParameterType.PARAMETER_TYPE_INT,
  float: ParameterType.PARAMETER_TYPE_FLOAT,
  string: ParameterType.PARAMETER_TYPE_STRING,
  select: ParameterType.PARAMETER_TYPE_SELECT,
  file: ParameterType.PARAMETER_TYPE_FILE,
  list: ParameterType.PARAMETER_TYPE_LIST,
  record: ParameterType.PARAMETER_TYPE_RECORD,
  actor: ParameterType.PARAMETER_TYPE_ACTOR,
};

/** An engine's job confinement by name, as the engines and the client speak of it. */
export type { JobConfinementName };

const CONFINEMENTS: Readonly<Record<JobConfinementName, JobConfinement>> = {
  none: JobConfinement.JOB_CONFINEMENT_NONE,
  namespaces: JobConfinement.JOB_CONFINEMENT_NAMESPACES,
  bwrap: JobConfinement.JOB_CONFINEMENT_BUBBLEWRAP,
  cluster: JobConfinement.JOB_CONFINEMENT_CLUSTER,
};

function inverse<K extends string, V>(table: Readonly<Record<K, V>>): ReadonlyMap<V, K> {
  return new Map((Object.entries(table) as [K, V][]).map(([k, v]) => [v, k]));
}

const STATE_TYPE_OF = inverse(STATE_TYPES);
const DTYPE_OF = inverse(DTYPES);
const CONFINEMENT_OF = inverse(CONFINEMENTS);

/** The protobuf enum value of a state type. */
export function stateTypeToProto(type: StateType): WorkflowStateType {
  return STATE_TYPES[type];
}

/** The state type of an enum value; undefined for UNSPECIFIED and values this build does not know. */
export function stateTypeFromProto(type: WorkflowStateType): StateType | undefined {
  return STATE_TYPE_OF.get(type);
}

/** The enum value of a flowServ dtype name; UNSPECIFIED for a name flowServ does not have (the server then reports it). */
export function dtypeToProto(name: string): ParameterType {
  return Object.hasOwn(DTYPES, name) ? DTYPES[name]! : ParameterType.PARAMETER_TYPE_UNSPECIFIED;
}

/** The flowServ dtype name of an enum value; undefined for UNSPECIFIED (the model then reports it missing). */
export function dtypeFromProto(dtype: ParameterType): string | undefined {
  return DTYPE_OF.get(dtype);
}

/** The enum value of an engine's job confinement; UNSPECIFIED when the engine does not say. */
export function confinementToProto(confinement: JobConfinementName | undefined): JobConfinement {
  return confinement === undefined ? JobConfinement.JOB_CONFINEMENT_UNSPECIFIED : CONFINEMENTS[confinement];
}

/** The job confinement of an enum value; undefined for UNSPECIFIED and values this build does not know. */
export function confinementFromProto(confinement: JobConfinement): JobConfinementName | undefined {
  return CONFINEMENT_OF.get(confinement);
}
