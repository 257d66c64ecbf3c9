/**
 * The SQLite WorkflowStore (the single-node default): better-sqlite3 statements under WAL with
 * a commit made durable by the group commit's own fsync (group-commit.ts): the writes of one
 * event-loop turn share one IMMEDIATE transaction, each atomic on its own, and a write resolves
 * only once that transaction is committed and synced, so a resolved write is durable. Reads run
 * when called and answer once what they read is on disk (a commit of another caller may still be
 * syncing).
 */
import { checkTransition } from '../model/state.js';
import type { SqliteDatabase } from './database.js';
import { writerOf } from './group-commit.js';
import { LatestStateCache } from './latest-state-cache.js';
import { recordFromRow, type WorkflowRow } from './workflow-row.js';
import type { NewState, StateRecord, WorkflowRecord } from './records.js';
import { decodeState, encodeState } from './state-codec.js';
import type { InsertResult, ListQuery, NewWorkflow, WorkflowStore } from './workflow-store.js';

/** A row as better-sqlite3 returns it: labels as JSON text, job_done as 0/1. */
type SqliteWorkflowRow = WorkflowRow<string, number> & { created_at: string };

const SELECT_WORKFLOW = `
  SELECT w.*, s.state AS state FROM workflows w
  JOIN workflow_states s ON s.workflow_id = w.workflow_id AND s.sequence = w.sequence`;

function toRecord(row: SqliteWorkflowRow): WorkflowRecord {
  return recordFromRow(row, JSON.parse(row.labels) as Record<string, string>, row.job_done === 1);
}

/** The list() query for `query` (keyset paging on created_at, then rowid). */
function listStatement(query: ListQuery): { sql: string; params: unknown[] } {
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
  return { sql, params };
}

/** Creates the store over an open database (see openDatabase). */
export function createSqliteWorkflowStore(db: SqliteDatabase): WorkflowStore {
  const byId = db.prepare<[string], SqliteWorkflowRow>(`${SELECT_WORKFLOW} WHERE w.workflow_id = ?`);
  const latestById = db.prepare<[string], { state: string; owner: string }>(
    `SELECT s.state, w.owner FROM workflows w JOIN workflow_states s ON s.workflow_id = w.workflow_id AND s.sequence = w.sequence
     WHERE w.workflow_id = ?`,
  );
  // This process owns the database and makes every transition: recent latest states are kept decoded.
  const latest = new LatestStateCache();
  // The run id matches any owner's (run ids are unique across the service); the request id only the owner's.
  const byRunOrRequest = db.prepare<[string, string, string | null, string], SqliteWorkflowRow>(
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
  const selectUnsettled = db.prepare<[], SqliteWorkflowRow>(
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

  const { write, durable } = writerOf(db);
  /** `value`, once every commit it may reflect is on disk. */
  const read = async <T>(value: T): Promise<T> => {
    await durable();
    return value;
  };

  return {
    insert: (wf) => write(() => insert(wf)),
    get(workflowId) {
      const row = byId.get(workflowId);
      return read(row && toRecord(row));
    },
    latestState(workflowId, owner) {
      let entry = latest.get(workflowId);
      if (!entry) {
        const row = latestById.get(workflowId);
        if (row) {
          entry = { owner: row.owner, state: decodeState(row.state) };
          latest.set(workflowId, entry.owner, entry.state);
        }
      }
      // Through read() like every answer: a cached state may come from a commit still syncing.
      return read(entry && (owner === undefined || entry.owner === owner) ? entry.state : undefined);
    },
    findByRunOrRequest(owner, runId, requestId) {
      const row = findExisting(owner, runId, requestId ?? null);
      return read(row && toRecord(row));
    },
    // A fence guards against another replica following the job; SQLite serves one process, which always holds it.
    appendState(workflowId, next, options) {
      // Forgotten when queued and again once durable (or failed): meanwhile readers get the
      // database's state, and nobody learns of the new one before the second forget has run.
      latest.forget(workflowId);
      const written = write(() => appendState(workflowId, next, options?.jobDone ?? false));
      const settled = () => latest.forget(workflowId);
      written.then(settled, settled);
      return written;
    },
    statesAfter(workflowId, afterSequence) {
      return read(selectStates.all(workflowId, afterSequence).map((r) => decodeState(r.state)));
    },
    async setHandle(workflowId, handle) {
      await write(() => updateHandle.run(JSON.stringify(handle), workflowId));
    },
    async markJobDone(workflowId) {
      await write(() => updateJobDone.run(workflowId));
    },
    list(query) {
      const { sql, params } = listStatement(query);
      return read(
        db
          .prepare<unknown[], SqliteWorkflowRow>(sql)
          .all(...params, query.pageSize)
          .map(toRecord),
      );
    },
    listUnsettled() {
      return read(selectUnsettled.all().map(toRecord));
    },
  };
}
