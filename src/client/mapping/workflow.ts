/** Protobuf Workflow / GetServiceInfoResponse → plain client records with model states. */
import type { GetServiceInfoResponse } from '../../gen/flowserv/remote/v1/service.js';
import type { Workflow } from '../../gen/flowserv/remote/v1/workflow.js';
import type { WorkflowState } from '../../model/index.js';
import { durationMs } from '../../wire/duration.js';
import { confinementFromProto, type JobConfinementName } from '../../wire/enums.js';
import type { JobConfinement as ProtoJobConfinement } from '../../gen/flowserv/remote/v1/service_info.js';
import { required } from '../errors.js';
import { progressFromProto, type WorkflowProgress } from './logs.js';
import { sequencedFromProto, type OutputFileInfo } from './state.js';

/** One workflow as the server knows it. */
export interface WorkflowInfo {
  /** The server's id (what every other call takes). */
  readonly workflowId: string;
  readonly runId: string;
  readonly groupId?: string;
  /** flowServ's workflow id from the RunObject, when the caller gave one. */
  readonly flowservWorkflowId?: string;
  readonly engine: string;
  readonly state: WorkflowState;
  /** Sequence of `state` (1 for the first PENDING). */
  readonly sequence: number;
  /** Result files with digests (SUCCESS only). */
  readonly files: readonly OutputFileInfo[];
  /** Declared output keys. */
  readonly outputFiles: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly createTime?: Date;
  /** Who created it (`token:<name>`, `jwt:<sub>`, `anonymous`); empty from a server without owners. */
  readonly owner: string;
  /** Step progress; set by getWorkflow (not by list). */
  readonly progress?: WorkflowProgress;
}

function optionalConfinement(value: ProtoJobConfinement | undefined): { confinement?: JobConfinementName } {
  const confinement = value === undefined ? undefined : confinementFromProto(value);
  return confinement === undefined ? {} : { confinement };
}

/** What GetServiceInfo reports; durations in milliseconds. */
export interface ServiceInfo {
  readonly version: string;
  readonly defaultEngine: string;
  readonly engines: readonly {
    readonly name: string;
    readonly serving: boolean;
    readonly capabilities: {
      readonly survivesRestart: boolean;
      readonly gracefulStop: boolean;
      readonly resources: boolean;
      readonly maxConcurrentJobs: number;
      /** How the engine confines jobs: bwrap, namespaces, none, cluster; undefined when the server does not say. */
      readonly confinement?: JobConfinementName;
      /** Jobs run as an account other than the server's. */
      readonly separateJobUser: boolean;
    };
  }[];
  readonly limits: {
    readonly maxMessageBytes: number;
    readonly maxUploadBytes: number;
    readonly uploadChunkBytes: number;
    readonly downloadChunkBytes: number;
    readonly heartbeatIntervalMs: number;
    /** Bytes kept per output stream of a workflow; 0 = no cap. */
    readonly logCapBytes: number;
  };
}

/** A workflow record; a missing state is a ProtocolError. */
export function workflowFromProto(w: Workflow): WorkflowInfo {
  const s = sequencedFromProto(required(w.state, `state of workflow '${w.workflowId}'`));
  return {
    workflowId: w.workflowId,
    runId: w.runId,
    ...(w.groupId !== undefined && { groupId: w.groupId }),
    ...(w.flowservWorkflowId !== undefined && { flowservWorkflowId: w.flowservWorkflowId }),
    engine: w.engine,
    state: s.state,
    sequence: s.sequence,
    files: s.files,
    outputFiles: [...w.outputFiles],
    labels: { ...w.labels },
    ...(w.createTime !== undefined && { createTime: w.createTime }),
    owner: w.owner,
    ...(w.progress !== undefined && { progress: progressFromProto(w.progress) }),
  };
}

/** Service info in plain terms. */
export function serviceInfoFromProto(r: GetServiceInfoResponse): ServiceInfo {
  const l = r.limits;
  const hb = l?.heartbeatInterval;
  return {
    version: r.version,
    defaultEngine: r.defaultEngine,
    engines: r.engines.map((e) => ({
      name: e.name,
      serving: e.serving,
      capabilities: {
        survivesRestart: e.capabilities?.survivesRestart ?? false,
        gracefulStop: e.capabilities?.gracefulStop ?? false,
        resources: e.capabilities?.resources ?? false,
        maxConcurrentJobs: e.capabilities?.maxConcurrentJobs ?? 0,
        ...optionalConfinement(e.capabilities?.jobConfinement),
        separateJobUser: e.capabilities?.separateJobUser ?? false,
      },
    })),
    limits: {
      maxMessageBytes: l?.maxMessageBytes ?? 0,
      maxUploadBytes: l?.maxUploadBytes ?? 0,
      uploadChunkBytes: l?.uploadChunkBytes ?? 0,
      downloadChunkBytes: l?.downloadChunkBytes ?? 0,
      heartbeatIntervalMs: hb ? durationMs(hb) : 0,
      logCapBytes: l?.logCapBytes ?? 0,
    },
  };
}
