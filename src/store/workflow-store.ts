/**
 * The workflow table and each workflow's state event log. Every state change goes through
 * `appendState`, which checks the transition and writes the event and the workflow row in one
 * transaction, so the log and the latest state never disagree and nothing leaves a terminal state.
 */
import type { JobHandle, JobSpec } from '../engines/types.js';
import type { SqliteDatabase } from './database.js';
import type { NewState, StateRecord, WorkflowRecord } from './records.js';
import { checkTransition, type StateType } from '../model/state.js';
import { decodeState, encodeState } from './state-codec.js';

/** What createWorkflow stores; the first state gets sequence 1. */
export type NewWorkflow = Omit<WorkflowRecord, 'state' | 'handle' | 'jobDone'> & { readonly createdAt: Date };

/** Result of an insert attempt under idempotency rules. */
export type InsertResult =
  | { readonly kind: 'inserted'; readonly workflow: WorkflowRecord }
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
  /** Only this owner's workflows; undefined lists every owner's. */
  readonly owner?: string;
  readonly pageSize: number;
  /** Keyset cursor: list workflows strictly after this one (by creation time, then insertion order). */
  readonly after?: { readonly createdAt: string; readonly workflowId: string };
}

interface WorkflowRow {
  workflow_id: string;
  owner: string;
  run_id: string;
  group_id: string | null;
  flowserv_workflow_id: string | null;
  engine: string;
  labels: string;
  request_id: string | null;
  payload_hash: string;
  output_files: string;
  job: string;
  handle: string | null;
  job_done: number;
  created_at: string;
  state: string;
}

const SELECT_WORKFLOW = `
  SELECT w.*, s.state AS state FROM workflows w
  JOIN workflow_states s ON s.workflow_id = w.workflow_id AND s.sequence = w.sequence`;

function toRecord(row: WorkflowRow): WorkflowRecord {
  return {
    workflowId: row.workflow_id,
    owner: row.owner,
    runId: row.run_id,
    ...(row.group_id !== null && { groupId: row.group_id }),
    ...(row.flowserv_workflow_id !== null && { flowservWorkflowId: row.flowserv_workflow_id }),
    engine: row.engine,
    labels: JSON.parse(row.labels) as Record<string, string>,
    ...(row.request_id !== null && { requestId: row.request_id }),
    payloadHash: row.payload_hash,
    outputFiles: JSON.parse(row.output_files) as string[],
    job: JSON.parse(row.job) as JobSpec,
    ...(row.handle !== null && { handle: JSON.parse(row.handle) as JobHandle }),
    jobDone: row.job_done === 1,
    state: decodeState(row.state),
  };
}

/** The store's operations; all synchronous (better-sqlite3) and each atomic. */
export interface WorkflowStore {
  /** Inserts a workflow in PENDING unless its run id or request id is taken. */
  insert(workflow: NewWorkflow): InsertResult;
  get(workflowId: string): WorkflowRecord | undefined;
  /**
   * Only the latest state (GetWorkflowState's read): no job, labels or outputs to decode. With
   * `owner`, a workflow of another owner reads as absent (one query for the check and the read).
   */
  latestState(workflowId: string, owner?: string): StateRecord | undefined;
  /** The workflow holding this run id (any owner's), or this owner's request id, if any. */
  findByRunOrRequest(owner: string, runId: string, requestId?: string): WorkflowRecord | undefined;
  /**
   * Appends `next` if the transition from the latest state is allowed. Returns the stored
   * state, or undefined when `next` has the latest state's type (flowServ's silent no-op).
   * Throws InvalidTransitionError for anything else (e.g. leaving a terminal state). With
   * `jobDone`, the job is marked done in the same transaction (one commit for the final state).
   */
  appendState(workflowId: string, next: NewState, options?: { readonly jobDone?: boolean }): StateRecord | undefined;
  /** States with sequence > afterSequence, in order. */
  statesAfter(workflowId: string, afterSequence: number): StateRecord[];
  setHandle(workflowId: string, handle: JobHandle): void;
  markJobDone(workflowId: string): void;
  list(query: ListQuery): WorkflowRecord[];
  /** Workflows whose job may still need attention: active, or terminal with a job not confirmed done. */
  listUnsettled(): WorkflowRecord[];
}

/** Creates the store over an open database. */
export function createWorkflowStore(db: SqliteDatabase): WorkflowStore {
  const byId = db.prepare<[string], WorkflowRow>(`${SELECT_WORKFLOW} WHERE w.workflow_id = ?`);
  const LATEST = `SELECT s.state FROM workflows w JOIN workflow_states s ON s.workflow_id = w.workflow_id AND s.sequence = w.sequence
     WHERE w.workflow_id = ?`;
  const latestById = db.prepare<[string], { state: string }>(LATEST);
  const latestOfOwner = db.prepare<[string, string], { state: string }>(`${LATEST} AND w.owner = ?`);
  // The run id matches any owner's (run ids are unique across the service); the request id only the owner's.
  const byRunOrRequest = db.prepare<[string, string, string | null, string], WorkflowRow>(
    `${SELECT_WORKFLOW} WHERE w.run_id = ? OR (w.owner = ? AND w.request_id IS NOT NULL AND w.request_id = ?)
     ORDER BY w.owner = ? DESC LIMIT 1`,
  );
  const findExisting = (owner: string, runId: string, requestId: string | null) => byRunOrRequest.get(runId, owner, requestId, owner);
  const insertWorkflow = db.prepare(`
    INSERT INTO workflows (workflow_id, owner, run_id, group_id, flowserv_workflow_id, engine, labels, request_id,
      payload_hash, output_files, job, state_type, sequence, created_at)
    VALUES (@workflow_id, @owner, @run_id, @group_id, @flowserv_workflow_id, @engine, @labels, @request_id,
      @payload_hash, @output_files, @job, @state_type, @sequence, @created_at)`);
  const insertState = db.prepare('INSERT INTO workflow_states (workflow_id, sequence, state) VALUES (?, ?, ?)');
  const updateLatest = db.prepare('UPDATE workflows SET state_type = ?, sequence = ? WHERE workflow_id = ?');
  const selectStates = db.prepare<[string, number], { state: string }>(
    'SELECT state FROM workflow_states WHERE workflow_id = ? AND sequence > ? ORDER BY sequence',
  );
  const updateHandle = db.prepare('UPDATE workflows SET handle = ? WHERE workflow_id = ?');
  const updateJobDone = db.prepare('UPDATE workflows SET job_done = 1 WHERE workflow_id = ?');
  const selectUnsettled = db.prepare<[], WorkflowRow>(
    `${SELECT_WORKFLOW} WHERE w.state_type IN ('PENDING', 'RUNNING') OR (w.handle IS NOT NULL AND w.job_done = 0)
     ORDER BY w.created_at, w.workflow_id`,
  );

  const insert = db.transaction((wf: NewWorkflow): InsertResult => {
    const existing = findExisting(wf.owner, wf.runId, wf.requestId ?? null);
    if (existing) {
      const workflow = toRecord(existing);
      return { kind: 'existing', workflow, samePayload: workflow.payloadHash === wf.payloadHash };
    }
    const first: StateRecord = { type: 'PENDING', sequence: 1, createdAt: wf.createdAt, messages: [], files: [] };
    insertWorkflow.run({
      workflow_id: wf.workflowId,
      owner: wf.owner,
      run_id: wf.runId,
      group_id: wf.groupId ?? null,
      flowserv_workflow_id: wf.flowservWorkflowId ?? null,
      engine: wf.engine,
      labels: JSON.stringify(wf.labels),
      request_id: wf.requestId ?? null,
      payload_hash: wf.payloadHash,
      output_files: JSON.stringify(wf.outputFiles),
      job: JSON.stringify(wf.job),
      state_type: 'PENDING',
      sequence: 1,
      created_at: wf.createdAt.toISOString(),
    });
    insertState.run(wf.workflowId, 1, encodeState(first));
    return { kind: 'inserted', workflow: toRecord(byId.get(wf.workflowId)!) };
  });

  const appendState = db.transaction((workflowId: string, next: NewState, jobDone: boolean): StateRecord | undefined => {
    const row = byId.get(workflowId);
    if (!row) throw new Error(`appendState: unknown workflow '${workflowId}'`);
    const current = decodeState(row.state);
    const change = checkTransition(current.type, next.type);
    if (jobDone) updateJobDone.run(workflowId);
    if (change === 'noop') return undefined;
    const stored: StateRecord = { ...next, sequence: current.sequence + 1 };
    insertState.run(workflowId, stored.sequence, encodeState(stored));
    updateLatest.run(stored.type, stored.sequence, workflowId);
    return stored;
  });

  return {
    insert: (wf) => insert.immediate(wf),
    get(workflowId) {
      const row = byId.get(workflowId);
      return row && toRecord(row);
    },
    latestState(workflowId, owner) {
      const row = owner === undefined ? latestById.get(workflowId) : latestOfOwner.get(workflowId, owner);
      return row && decodeState(row.state);
    },
    findByRunOrRequest(owner, runId, requestId) {
      const row = findExisting(owner, runId, requestId ?? null);
      return row && toRecord(row);
    },
    appendState: (workflowId, next, options) => appendState.immediate(workflowId, next, options?.jobDone ?? false),
    statesAfter(workflowId, afterSequence) {
      return selectStates.all(workflowId, afterSequence).map((r) => decodeState(r.state));
    },
    setHandle(workflowId, handle) {
      updateHandle.run(JSON.stringify(handle), workflowId);
    },
    markJobDone(workflowId) {
      updateJobDone.run(workflowId);
    },
    list(query) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (query.states && query.states.length > 0) {
        where.push(`w.state_type IN (${query.states.map(() => '?').join(', ')})`);
        params.push(...query.states);
      }
      if (query.owner !== undefined) {
        where.push('w.owner = ?');
        params.push(query.owner);
      }
      if (query.engine) {
        where.push('w.engine = ?');
        params.push(query.engine);
      }
      for (const [key, value] of Object.entries(query.labels ?? {})) {
        where.push(`json_extract(w.labels, ?) = ?`);
        params.push(`$."${key}"`, value);
      }
      if (query.after) {
        where.push('(w.created_at < ? OR (w.created_at = ? AND w.rowid < (SELECT rowid FROM workflows WHERE workflow_id = ?)))');
        params.push(query.after.createdAt, query.after.createdAt, query.after.workflowId);
      }
      const sql = `${SELECT_WORKFLOW} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY w.created_at DESC, w.rowid DESC LIMIT ?`;
      return db
        .prepare<unknown[], WorkflowRow>(sql)
        .all(...params, query.pageSize)
        .map(toRecord);
    },
    listUnsettled() {
      return selectUnsettled.all().map(toRecord);
    },
  };
}
