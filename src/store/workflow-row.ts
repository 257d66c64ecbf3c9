/**
 * The columns of a workflow row joined with its latest state, as both stores read them, and the
 * one mapping to a WorkflowRecord. The stores differ only in how their driver hands over the
 * labels (SQLite: JSON text; PostgreSQL: parsed jsonb) and job_done (integer; boolean).
 */
import type { JobHandle, JobSpec } from '../engines/types.js';
import type { WorkflowRecord } from './records.js';
import { decodeState } from './state-codec.js';

/** The columns with the same form in both stores; `Labels` and `JobDone` are each driver's. */
export interface WorkflowRow<Labels, JobDone> {
  workflow_id: string;
  owner: string;
  run_id: string;
  group_id: string | null;
  flowserv_workflow_id: string | null;
  engine: string;
  labels: Labels;
  request_id: string | null;
  payload_hash: string;
  output_files: string;
  job: string;
  handle: string | null;
  job_done: JobDone;
  state: string;
}

/** The record of a row whose labels and job_done the caller has already decoded. */
export function recordFromRow(row: WorkflowRow<unknown, unknown>, labels: Record<string, string>, jobDone: boolean): WorkflowRecord {
  return {
    workflowId: row.workflow_id,
    owner: row.owner,
    runId: row.run_id,
    ...(row.group_id !== null && { groupId: row.group_id }),
    ...(row.flowserv_workflow_id !== null && { flowservWorkflowId: row.flowserv_workflow_id }),
    engine: row.engine,
    labels,
    ...(row.request_id !== null && { requestId: row.request_id }),
    payloadHash: row.payload_hash,
    outputFiles: JSON.parse(row.output_files) as string[],
    job: JSON.parse(row.job) as JobSpec,
    ...(row.handle !== null && { handle: JSON.parse(row.handle) as JobHandle }),
    jobDone,
    state: decodeState(row.state),
  };
}
