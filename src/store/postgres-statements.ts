/**
 * The SQL of the PostgreSQL WorkflowStore (postgres-workflow-store.ts), named so that `pg`
 * prepares each once per connection. Parameters are positional; see the store for their order.
 */
import type { WorkflowRow } from './workflow-row.js';

/** A workflow row joined with its latest state, as `pg` returns it (jsonb parsed, booleans). */
export type PostgresWorkflowRow = WorkflowRow<Record<string, string>, boolean>;

const SELECT_WORKFLOW = `
  SELECT w.workflow_id, w.owner, w.run_id, w.group_id, w.flowserv_workflow_id, w.engine, w.labels, w.request_id,
    w.payload_hash, w.output_files, w.job, w.handle, w.job_done, s.state
  FROM workflows w JOIN workflow_states s ON s.workflow_id = w.workflow_id AND s.sequence = w.sequence`;

const LATEST = `SELECT s.state FROM workflows w
  JOIN workflow_states s ON s.workflow_id = w.workflow_id AND s.sequence = w.sequence WHERE w.workflow_id = $1`;

/** A write with a fence ($follower, $epoch) applies only while the row still names them; NULL means unfenced. */
const FENCE = (follower: string, epoch: string) => `(${follower}::text IS NULL OR (follower = ${follower} AND follower_epoch = ${epoch}::bigint))`;

/** Every statement of the store. */
export const POSTGRES_SQL = {
  selectWorkflow: SELECT_WORKFLOW,
  byId: `${SELECT_WORKFLOW} WHERE w.workflow_id = $1`,
  latest: LATEST,
  latestOfOwner: `${LATEST} AND w.owner = $2`,
  // The run id matches any owner's (unique across the service); the request id only the owner's.
  byRunOrRequest: `${SELECT_WORKFLOW} WHERE w.run_id = $2 OR (w.owner = $1 AND w.request_id = $3)
    ORDER BY (w.owner = $1) DESC LIMIT 1`,
  // The workflow and its first state in one statement; a taken id, run id or request id inserts nothing.
  // $14, when not NULL, is the creating replica: the row names it as follower (epoch 1) if its lease is live.
  insert: `
    WITH live AS (
      SELECT $14::text IS NOT NULL AND EXISTS (
        SELECT 1 FROM replicas WHERE replica_id = $14::text AND lease_until >= clock_timestamp()) AS claimed),
    created AS (
      INSERT INTO workflows (workflow_id, owner, run_id, group_id, flowserv_workflow_id, engine, labels, request_id,
        payload_hash, output_files, job, state_type, sequence, created_at, follower, follower_epoch)
      SELECT $1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11, 'PENDING', 1, $12::timestamptz,
        CASE WHEN claimed THEN $14::text END, CASE WHEN claimed THEN 1 ELSE 0 END
      FROM live
      ON CONFLICT DO NOTHING
      RETURNING workflow_id, follower, follower_epoch),
    logged AS (INSERT INTO workflow_states (workflow_id, sequence, state) SELECT workflow_id, 1, $13 FROM created)
    SELECT follower, follower_epoch FROM created`,
  // $1 id, $2 next type, $3 the types it may leave, $4 job done, $5/$6 fence, $7/$8 the encoded state around its sequence.
  append: `
    WITH moved AS (
      UPDATE workflows SET sequence = sequence + 1, state_type = $2, job_done = job_done OR $4
      WHERE workflow_id = $1 AND state_type = ANY($3::text[]) AND ${FENCE('$5', '$6')}
      RETURNING workflow_id, sequence)
    INSERT INTO workflow_states (workflow_id, sequence, state)
    SELECT workflow_id, sequence, $7 || sequence || $8 FROM moved RETURNING sequence`,
  refusal: 'SELECT state_type, follower, follower_epoch FROM workflows WHERE workflow_id = $1',
  statesAfter: 'SELECT state FROM workflow_states WHERE workflow_id = $1 AND sequence > $2 ORDER BY sequence',
  setHandle: `UPDATE workflows SET handle = $2 WHERE workflow_id = $1 AND ${FENCE('$3', '$4')}`,
  markJobDone: 'UPDATE workflows SET job_done = true WHERE workflow_id = $1',
  unsettled: `${SELECT_WORKFLOW} WHERE w.state_type IN ('PENDING', 'RUNNING') OR (w.handle IS NOT NULL AND NOT w.job_done)
    ORDER BY w.created_at, w.workflow_id`,
} as const;
