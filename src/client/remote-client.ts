/**
 * flowServ's RemoteClient contract (FLOWSERV.md §2.2) in TypeScript: create a workflow from a
 * run, template, cast arguments and static files; ask for its next state; stop it. Every method
 * also takes `{signal, timeoutMs}`; aborting a call never stops the workflow.
 */
import type { WorkflowState } from '../model/index.js';
import type { CallOptions } from './call.js';
import type { ArgumentValues } from './mapping/arguments.js';
import type { TemplateInput } from './mapping/template.js';
import type { StorageVolume } from './volume/storage-volume.js';
import type { RemoteWorkflowHandle } from './workflow-handle.js';

/** flowServ's RunObject, as far as an engine sees it. */
export interface RunObject {
  /** flowServ's run id; the server's idempotency key for the run (1-64 of `[A-Za-z0-9_.-]`). */
  readonly runId: string;
  /**
   * flowServ's workflow (benchmark) id, recorded, not interpreted (on the wire `Run.workflow_id`).
   * Not the server's id of the submitted workflow: that one is `RemoteWorkflowHandle.workflowId`
   * and `WorkflowInfo.workflowId` (`Workflow.workflow_id`), which every other call takes.
   */
  readonly workflowId?: string;
  readonly groupId?: string;
}

/** Options of createWorkflow beyond flowServ's arguments. */
export interface CreateWorkflowOptions extends CallOptions {
  /** Engine name (default: the server's default engine). */
  readonly engine?: string;
  /** Labels for ListWorkflows filters. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Where result files are downloaded (default: a new folder under the OS temp dir). */
  readonly runstore?: StorageVolume;
  /** Idempotency key (default: a random uuid per call, reused by its retries). */
  readonly requestId?: string;
}

/** Options of stopWorkflow. */
export interface StopWorkflowOptions extends CallOptions {
  /** Recorded as the CANCELED state's message. */
  readonly reason?: string;
  /** SIGTERM→SIGKILL grace period in milliseconds (default: the server's, 10 s). */
  readonly graceMs?: number;
}

/** The engine-side half of flowServ's remote controller. */
export interface RemoteClient {
  /**
   * Uploads what the workflow needs (static files of `staticfs`, file arguments) and submits
   * it; the returned handle is at least PENDING.
   */
  createWorkflow(
    run: RunObject,
    template: TemplateInput,
    args: ArgumentValues,
    staticfs: StorageVolume | null,
    options?: CreateWorkflowOptions,
  ): Promise<RemoteWorkflowHandle>;
  /** The next state: `currentState` itself when the type did not change, a new state object otherwise. */
  getWorkflowState(workflowId: string, currentState: WorkflowState, options?: CallOptions): Promise<WorkflowState>;
  /** Stops the workflow (idempotent); resolves with its state afterwards. */
  stopWorkflow(workflowId: string, options?: StopWorkflowOptions): Promise<WorkflowState>;
}
