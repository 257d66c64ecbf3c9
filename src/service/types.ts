/**
 * The transport-free service's vocabulary: what a caller asks for, in flowServ's own terms.
 * The server's mapper turns protobuf messages into these and back.
 */
import type { JobConfinement, JobResources, JobStep } from '../engines/types.js';
import type { StateType } from '../model/state.js';
import type { OutputFileRecord, StateRecord, WorkflowRecord } from '../store/records.js';
import type { FieldViolation } from '../errors.js';
import type { WorkflowProgressRecord } from './progress.js';
import type { StagedFile } from './staging.js';

/** flowServ's RunObject as far as a remote engine sees it. */
export interface RunRef {
  /** flowServ's run id; unique across the service. */
  readonly runId: string;
  /** flowServ's workflow (benchmark) id, informational. */
  readonly flowservWorkflowId?: string;
  readonly groupId?: string;
}

/**
 * A run argument in flowServ's submitted form: a JSON value, or a file handle
 * `{ type: '$file', value: { fileId: <sha256 of an upload>, targetPath? } }`, or an actor value
 * `{ spec, files? }` for actor parameters.
 */
export interface RunArgument {
  readonly name: string;
  readonly value: unknown;
}

/** A static template file: where it goes in the run directory, and the uploaded blob. */
export interface StaticFileRef {
  readonly path: string;
  readonly sha256: string;
}

/**
 * One state of a workflow's log as callers see it: flowServ's state (type, times, messages),
 * its sequence number and, for SUCCESS, the result files. Today the stored state has exactly
 * these fields; the alias is where the two would part.
 */
export type WorkflowState = StateRecord;

/** A result file of a successful workflow: its key, size and sha256. */
export type ResultFile = OutputFileRecord;

/**
 * A workflow as the service's callers see it: the stored record without what stays inside the
 * service (the payload hash, the job spec with its directories, the engine's handle, the
 * job-done mark).
 */
export type Workflow = Omit<WorkflowRecord, 'payloadHash' | 'job' | 'handle' | 'jobDone'>;

/** Everything CreateWorkflow carries. */
export interface CreateWorkflowInput {
  readonly run: RunRef;
  /** The flowServ template document: { workflow, parameters, parameterGroups, outputs, … }. */
  readonly template: Readonly<Record<string, unknown>>;
  readonly arguments: readonly RunArgument[];
  readonly staticFiles: readonly StaticFileRef[];
  /** Engine name; empty or undefined means the server default. */
  readonly engine?: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** Idempotency key. */
  readonly requestId?: string;
  readonly resources?: JobResources;
  /**
   * Problems the transport mapping already found (no run, an argument without a value); the
   * service reports them together with every other problem of the request.
   */
  readonly violations?: readonly FieldViolation[];
  /**
   * W3C traceparent of the call that creates the workflow; the job gets it as TRACEPARENT.
   * Not part of the request's identity: a replay with another trace is still a replay.
   */
  readonly traceparent?: string;
}

/** What a template and its arguments expand to before anything runs. */
export interface WorkflowPlan {
  readonly steps: readonly JobStep[];
  /** Declared output keys that must exist when the job succeeds. */
  readonly outputFiles: readonly string[];
  /** Every file to place in the working directory (static files, then file arguments). */
  readonly files: readonly StagedFile[];
  /** Folders to create before the job starts (parents of step outputs, as flowServ's volume manager does). */
  readonly directories: readonly string[];
}

/** Validates and expands a request; throws InvalidArgumentError listing every problem. */
export type PlanWorkflow = (input: CreateWorkflowInput) => WorkflowPlan;

/** An event of a WatchState stream. */
export type WatchEvent =
  | { readonly kind: 'state'; readonly state: WorkflowState }
  | { readonly kind: 'heartbeat'; readonly at: Date; readonly lastSequence: number }
  /** Step progress; only when the caller asked for it. */
  | { readonly kind: 'progress'; readonly progress: WorkflowProgressRecord };

/** ListWorkflows parameters; the page token is opaque to callers. */
export interface ListWorkflowsInput {
  readonly pageSize?: number;
  readonly pageToken?: string;
  readonly states?: readonly StateType[];
  readonly labels?: Readonly<Record<string, string>>;
  readonly engine?: string;
}

/** One page of workflows. */
export interface WorkflowPage {
  readonly workflows: readonly Workflow[];
  /** Empty when this is the last page. */
  readonly nextPageToken: string;
}

/** A readable result file. */
export interface DownloadSource {
  readonly file: ResultFile;
  readonly offset: number;
  readonly chunks: AsyncIterable<Uint8Array>;
}

/** What GetServiceInfo reports about an engine. */
export interface EngineInfo {
  readonly name: string;
  readonly serving: boolean;
  readonly detail?: string;
  readonly capabilities: {
    readonly survivesRestart: boolean;
    readonly gracefulStop: boolean;
    readonly resources: boolean;
    readonly maxConcurrentJobs: number;
    readonly confinement?: JobConfinement;
    readonly separateJobUser?: boolean;
  };
}

/** Limits the service enforces, as GetServiceInfo reports them. */
export interface ServiceLimits {
  readonly maxUploadBytes: number;
  readonly uploadChunkBytes: number;
  readonly downloadChunkBytes: number;
  /**
   * Largest chunk of a followed log, in bytes (default: downloadChunkBytes). Larger than a
   * download chunk, since every message costs each follower per-message work.
   */
  readonly logChunkBytes?: number;
  readonly heartbeatIntervalMs: number;
  readonly maxPageSize: number;
  /** Most entries one folder argument may carry (the planner enforces it). */
  readonly maxDirectoryEntries: number;
  /** Largest total size in bytes of the blobs one folder argument places. */
  readonly maxDirectoryBytes: number;
  /**
   * Bytes of each output stream (stdout, stderr) kept per workflow, over all its commands; the
   * rest is discarded and marked. 0 or absent = no cap. Applies to workflows created from now on.
   */
  readonly logCapBytes?: number;
  /** Most bytes of output files one workflow may store (default: no limit). */
  readonly maxOutputBytes?: number;
}
