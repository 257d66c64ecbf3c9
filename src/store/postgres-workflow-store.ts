/**
 * The PostgreSQL WorkflowStore (several replicas on one database), through `pg`. Each write is
 * one autocommitted statement: a state transition is a compare-and-set UPDATE of the workflow
 * row (only from the state types the transition rules allow, only while the caller's fence
 * holds) that appends the log row in the same statement. Under READ COMMITTED a concurrent
 * transition of the same workflow waits for the row lock and re-checks the condition against
 * the committed row, so the per-workflow sequence stays gapless without a global lock. The rare
 * refused write takes one more query to tell a no-op, an invalid transition, a lost fence and an
 * unknown workflow apart. Creation is an INSERT … ON CONFLICT DO NOTHING with the first state;
 * when a run id or request id is taken, the holder is read to tell a replay from a conflict.
 */
import type { Pool } from 'pg';
import { checkTransition, StateType } from '../model/state.js';
import type { StateRecord, WorkflowRecord } from './records.js';
import { decodeState, encodeState } from './state-codec.js';
import { POSTGRES_SQL, type PostgresWorkflowRow } from './postgres-statements.js';
import { recordFromRow } from './workflow-row.js';
import { FenceLostError, type FollowerFence, type NewWorkflow, type WorkflowStore } from './workflow-store.js';

/** For each target type, the state types a transition to it may leave (the model's rules, inverted). */
const ALLOWED_FROM: ReadonlyMap<StateType, readonly StateType[]> = new Map(
  Object.values(StateType).map((to) => [
    to,
    Object.values(StateType).filter((from) => {
      try {
        return checkTransition(from, to) === 'apply';
      } catch {
        return false;
      }
    }),
  ]),
);

/**
 * The encoded state split around its sequence, which only the database knows when it commits:
 * the SQL concatenates prefix, sequence and suffix, giving exactly encodeState's bytes.
 */
function encodeAroundSequence(next: Omit<StateRecord, 'sequence'>): { readonly prefix: string; readonly suffix: string } {
  const marker = '"sequence":-1,';
  const text = encodeState({ ...next, sequence: -1 });
  const at = text.indexOf(marker);
  return { prefix: text.slice(0, at + marker.length - 3), suffix: text.slice(at + marker.length - 1) };
}

function toRecord(row: PostgresWorkflowRow): WorkflowRecord {
  return recordFromRow(row, row.labels, row.job_done);
}

/** PostgreSQL text cannot hold NUL, so no stored value contains one: a lookup by such a value finds nothing. */
const unstorable = (...values: readonly (string | undefined)[]): boolean => values.some((v) => v?.includes('\0'));

const fenceParams = (fence: FollowerFence | undefined): [string | null, number | null] => (fence ? [fence.follower, fence.epoch] : [null, null]);

/** Creates the store over a pool on a database that migratePostgres has brought up to date. */
export function createPostgresWorkflowStore(pool: Pool): WorkflowStore {
  const one = async (name: keyof typeof POSTGRES_SQL, values: unknown[]): Promise<PostgresWorkflowRow | undefined> =>
    (await pool.query<PostgresWorkflowRow>({ name, text: POSTGRES_SQL[name], values })).rows[0];

  const get = async (workflowId: string): Promise<WorkflowRecord | undefined> => {
    if (unstorable(workflowId)) return undefined;
    const row = await one('byId', [workflowId]);
    return row && toRecord(row);
  };

  const markJobDone = async (workflowId: string): Promise<void> => {
    await pool.query({ name: 'markJobDone', text: POSTGRES_SQL.markJobDone, values: [workflowId] });
  };

  const findByRunOrRequest = async (owner: string, runId: string, requestId?: string): Promise<WorkflowRecord | undefined> => {
    if (unstorable(owner, runId)) return undefined;
    if (unstorable(requestId)) return findByRunOrRequest(owner, runId);
    const row = await one('byRunOrRequest', [owner, runId, requestId ?? null]);
    return row && toRecord(row);
  };

  /** Why a fenced or compare-and-set write changed nothing (the rare path). */
  async function refusal(workflowId: string, fence: FollowerFence | undefined): Promise<{ type: StateType }> {
    const { rows } = await pool.query<{ state_type: StateType; follower: string | null; follower_epoch: string }>({
      name: 'refusal',
      text: POSTGRES_SQL.refusal,
      values: [workflowId],
    });
    const row = rows[0];
    if (!row) throw new Error(`appendState: unknown workflow '${workflowId}'`);
    if (fence && (row.follower !== fence.follower || Number(row.follower_epoch) !== fence.epoch)) throw new FenceLostError(workflowId, fence);
    return { type: row.state_type };
  }

  return {
    async insert(wf: NewWorkflow) {
      const first: StateRecord = { type: 'PENDING', sequence: 1, createdAt: wf.createdAt, messages: [], files: [] };
      const { rows } = await pool.query<{ follower: string | null; follower_epoch: string }>({
        name: 'insert',
        text: POSTGRES_SQL.insert,
        values: [
          wf.workflowId,
          wf.owner,
          wf.runId,
          wf.groupId ?? null,
          wf.flowservWorkflowId ?? null,
          wf.engine,
          JSON.stringify(wf.labels),
          wf.requestId ?? null,
          wf.payloadHash,
          JSON.stringify(wf.outputFiles),
          JSON.stringify(wf.job),
          wf.createdAt.toISOString(),
          encodeState(first),
          wf.claimFor ?? null,
        ],
      });
      const created = rows[0];
      if (created) {
        const { createdAt: _createdAt, claimFor: _claimFor, ...fields } = wf;
        const workflow: WorkflowRecord = { ...fields, jobDone: false, state: first };
        return created.follower === null
          ? { kind: 'inserted', workflow }
          : { kind: 'inserted', workflow, claim: { follower: created.follower, epoch: Number(created.follower_epoch) } };
      }
      const existing = await findByRunOrRequest(wf.owner, wf.runId, wf.requestId);
      if (!existing) throw new Error(`insert: workflow '${wf.workflowId}' conflicts with a row that is gone (its id is taken)`);
      return { kind: 'existing', workflow: existing, samePayload: existing.payloadHash === wf.payloadHash };
    },

    get,

    async latestState(workflowId, owner) {
      if (unstorable(workflowId, owner)) return undefined;
      const { rows } = await pool.query<{ state: string }>(
        owner === undefined
          ? { name: 'latest', text: POSTGRES_SQL.latest, values: [workflowId] }
          : { name: 'latestOfOwner', text: POSTGRES_SQL.latestOfOwner, values: [workflowId, owner] },
      );
      return rows[0] && decodeState(rows[0].state);
    },

    findByRunOrRequest,

    async appendState(workflowId, next, options = {}) {
      const { prefix, suffix } = encodeAroundSequence(next);
      const allowed = ALLOWED_FROM.get(next.type) ?? [];
      const jobDone = options.jobDone ?? false;
      // A refusal read while another writer moved the row on is re-judged: states only move forward, so this ends.
      for (;;) {
        const { rows } = await pool.query<{ sequence: number }>({
          name: 'append',
          text: POSTGRES_SQL.append,
          values: [workflowId, next.type, allowed, jobDone, ...fenceParams(options.fence), prefix, suffix],
        });
        if (rows[0]) return { ...next, sequence: rows[0].sequence };
        const current = await refusal(workflowId, options.fence);
        if (checkTransition(current.type, next.type) === 'noop') {
          if (jobDone) await markJobDone(workflowId);
          return undefined;
        }
      }
    },

    async statesAfter(workflowId, afterSequence) {
      if (unstorable(workflowId)) return [];
      const { rows } = await pool.query<{ state: string }>({ name: 'statesAfter', text: POSTGRES_SQL.statesAfter, values: [workflowId, afterSequence] });
      return rows.map((r) => decodeState(r.state));
    },

    async setHandle(workflowId, handle, options = {}) {
      const { rowCount } = await pool.query({
        name: 'setHandle',
        text: POSTGRES_SQL.setHandle,
        values: [workflowId, JSON.stringify(handle), ...fenceParams(options.fence)],
      });
      if (rowCount === 0 && options.fence) await refusal(workflowId, options.fence);
    },

    markJobDone,

    async list(query) {
      if (unstorable(query.owner, query.engine, query.after?.workflowId, ...Object.entries(query.labels ?? {}).flat())) return [];
      const where: string[] = [];
      const values: unknown[] = [];
      const param = (value: unknown): string => `$${values.push(value)}`;
      if (query.states && query.states.length > 0) where.push(`w.state_type = ANY(${param([...query.states])}::text[])`);
      if (query.owner !== undefined) where.push(`w.owner = ${param(query.owner)}`);
      if (query.engine) where.push(`w.engine = ${param(query.engine)}`);
      for (const [key, value] of Object.entries(query.labels ?? {})) where.push(`w.labels ->> ${param(key)} = ${param(value)}`);
      if (query.after) {
        const at = param(query.after.createdAt);
        where.push(
          `(w.created_at < ${at}::timestamptz OR (w.created_at = ${at}::timestamptz AND w.created_order < ` +
            `(SELECT created_order FROM workflows WHERE workflow_id = ${param(query.after.workflowId)})))`,
        );
      }
      const text = `${POSTGRES_SQL.selectWorkflow} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY w.created_at DESC, w.created_order DESC LIMIT ${param(query.pageSize)}`;
      return (await pool.query<PostgresWorkflowRow>(text, values)).rows.map(toRecord);
    },

    async listUnsettled() {
      return (await pool.query<PostgresWorkflowRow>({ name: 'unsettled', text: POSTGRES_SQL.unsettled })).rows.map(toRecord);
    },
  };
}
