/**
 * The workflow store's contract: the workflow table and each workflow's state event log. Every
 * state change goes through `appendState`, which checks the transition and writes the event and
 * the workflow row atomically, so the log and the latest state never disagree and nothing leaves
 * a terminal state. Every operation is asynchronous and atomic; a resolved write is durable.
 * Two implementations: SQLite (sqlite-workflow-store.ts, the single-node default) and
 * PostgreSQL (several replicas on one database).
 */
import type { JobHandle } from '../engines/types.js';
import type { StateType } from '../model/state.js';
import type { NewState, StateRecord, WorkflowRecord } from './records.js';

/**
 * What createWorkflow stores; the first state gets sequence 1. `claimFor` (several replicas on
 * PostgreSQL): the replica that claims the row in the inserting statement itself, when its lease
 * is live, instead of a second commit after it; stores without replicas ignore it.
 */
export type NewWorkflow = Omit<WorkflowRecord, 'state' | 'handle' | 'jobDone'> & { readonly createdAt: Date; readonly claimFor?: string };

/** Result of an insert attempt under idempotency rules. */
export type InsertResult =
  /** `claim`: the fence of the claim the insert took for NewWorkflow.claimFor (absent: none taken). */
  | { readonly kind: 'inserted'; readonly workflow: WorkflowRecord; readonly claim?: FollowerFence }
  /**
   * A workflow with this run id, or with this owner and request id, exists: the caller decides
   * (same owner and payload hash ⇒ replay; another owner's run id or another payload ⇒ conflict).
   */
  | { readonly kind: 'existing'; readonly workflow: WorkflowRecord; readonly samePayload: boolean };

/** Filters and paging for list(). */
export interface ListQuery {
  readonly states?: readonly StateType[];
  readonly labels?: Readonly<Record<string, string>>;
  readonly engine?: string;
  readonly pageSize: number;
  /** Only this owner's workflows; undefined lists every owner's. */
  readonly owner?: string;
  /** Keyset cursor: list workflows strictly after this one (by creation time, then insertion order). */
  readonly after?: { readonly createdAt: string; readonly workflowId: string };
}

/**
 * The fencing token of the replica that follows a workflow's job (PostgreSQL with several
 * replicas): a write carrying it applies only while the workflow's follower and follower epoch
 * are still these, so a replica that lost its claim (paused, partitioned) can never write a
 * stale state. The SQLite store serves one process, which always holds the fence.
 */
export interface FollowerFence {
  readonly follower: string;
  readonly epoch: number;
}

/** Options of appendState. */
export interface AppendOptions {
  /** Marks the job done in the same commit (one commit for the final state). */
  readonly jobDone?: boolean;
  /** Apply only while this fence holds; otherwise FenceLostError. */
  readonly fence?: FollowerFence;
  /**
   * The workflow as the caller read it just before and built `next` from. The stores judge the
   * transition against the row they write and ignore it; a decorator that reports where a
   * transition came from (metrics) takes it from here instead of reading the row once more.
   */
  readonly current?: Pick<WorkflowRecord, 'engine' | 'state'>;
}

/** The store's operations; each atomic. */
export interface WorkflowStore {
  /** Inserts a workflow in PENDING unless its run id, or its owner's request id, is taken. */
  insert(workflow: NewWorkflow): Promise<InsertResult>;
  get(workflowId: string): Promise<WorkflowRecord | undefined>;
  /**
   * Only the latest state (GetWorkflowState's read): no job, labels or outputs to decode. With
   * `owner`, a workflow of another owner reads as absent (one query for the check and the read).
   */
  latestState(workflowId: string, owner?: string): Promise<StateRecord | undefined>;
  /** The workflow holding this run id (any owner's), or this owner's request id, if any. */
  findByRunOrRequest(owner: string, runId: string, requestId?: string): Promise<WorkflowRecord | undefined>;
  /**
   * Appends `next` if the transition from the latest state is allowed. Resolves to the stored
   * state, or undefined when `next` has the latest state's type (flowServ's silent no-op).
   * Rejects with InvalidTransitionError for anything else (e.g. leaving a terminal state), and
   * with an Error for an unknown workflow. With `jobDone`, the job is marked done in the same
   * commit (also when the state itself is a no-op).
   */
  appendState(workflowId: string, next: NewState, options?: AppendOptions): Promise<StateRecord | undefined>;
  /** States with sequence > afterSequence, in order. */
  statesAfter(workflowId: string, afterSequence: number): Promise<StateRecord[]>;
  /** Records the engine's handle; with `fence`, only while it holds (else FenceLostError). */
  setHandle(workflowId: string, handle: JobHandle, options?: { readonly fence?: FollowerFence }): Promise<void>;
  markJobDone(workflowId: string): Promise<void>;
  list(query: ListQuery): Promise<WorkflowRecord[]>;
  /** Workflows whose job may still need attention: active, or terminal with a job not confirmed done. */
  listUnsettled(): Promise<WorkflowRecord[]>;
}

/** A fenced write found another follower or a newer epoch: this replica no longer follows the workflow. */
export class FenceLostError extends Error {
  override readonly name = 'FenceLostError';
  constructor(
    readonly workflowId: string,
    readonly fence: FollowerFence,
  ) {
    super(`workflow '${workflowId}' is no longer followed by '${fence.follower}' at epoch ${fence.epoch}`);
  }
}
