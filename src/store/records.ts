/**
 * Persistence records: the shapes the store reads and writes. They are plain data (no
 * methods) so that they serialize to SQLite and cross layers without conversion.
 */
import type { JobHandle, JobSpec } from '../engines/types.js';
import type { StateData } from '../model/state.js';

/** One result file of a successful workflow, as stored in the content-addressed blob store. */
export interface OutputFileRecord {
  /** Relative, '/'-separated key (flowServ's output file key). */
  readonly key: string;
  readonly sizeBytes: number;
  readonly sha256: string;
}

/**
 * One state of a workflow's event log: the model's state data with stored result files, plus
 * `sequence`, which starts at 1 (the PENDING state) and grows by one per transition.
 */
export interface StateRecord extends StateData<OutputFileRecord> {
  readonly sequence: number;
}

/** A state about to be appended (what the model's builders return); the store assigns the sequence. */
export type NewState = StateData<OutputFileRecord>;

/** A stored workflow with its latest state. */
export interface WorkflowRecord {
  /** The service's id for the workflow (32 hex). */
  readonly workflowId: string;
  /** Who created it (see src/model/owner.ts); the workflow calls answer only this owner and admins. */
  readonly owner: string;
  /** flowServ's run id, unique across the service (not only per owner). */
  readonly runId: string;
  readonly groupId?: string;
  /** flowServ's workflow (benchmark) id, when the caller gave one. */
  readonly flowservWorkflowId?: string;
  readonly engine: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Idempotency key given by the caller; unique per owner. */
  readonly requestId?: string;
  /** sha256 of the canonical request payload, to tell a replay from a conflict. */
  readonly payloadHash: string;
  /** Declared output keys (the handle's output_files). */
  readonly outputFiles: readonly string[];
  readonly job: JobSpec;
  /** Set once the engine accepted the job. */
  readonly handle?: JobHandle;
  /** True once nothing of the job can still be running (ended, or stopped and confirmed). */
  readonly jobDone: boolean;
  readonly state: StateRecord;
}
