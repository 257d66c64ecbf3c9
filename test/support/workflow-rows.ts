/**
 * Raw workflow rows in a PostgreSQL test database, for the replica modules' tests (claims, feed),
 * which work on the rows without going through the store.
 */
import type pg from 'pg';

/** What a test sets on a row; the rest gets fixed filler values. */
export interface RowValues {
  readonly engine?: string;
  readonly stateType?: string;
  readonly sequence?: number;
  readonly handle?: unknown;
  readonly jobDone?: boolean;
}

/** Inserts the rows `ids` with the given values (no state log). */
export async function insertWorkflowRows(pool: pg.Pool, ids: readonly string[], values: RowValues = {}): Promise<void> {
  await pool.query(
    `INSERT INTO workflows (workflow_id, run_id, engine, labels, payload_hash, output_files, job, handle, job_done, state_type, sequence, created_at, owner)
     SELECT id, 'run-' || id, $2, '{}', 'hash', '[]', '{}', $3::jsonb, $4, $5, $6, now(), 'anonymous' FROM unnest($1::text[]) AS id`,
    [ids, values.engine ?? 'slurm', values.handle === undefined ? null : JSON.stringify(values.handle), values.jobDone ?? false, values.stateType ?? 'PENDING', values.sequence ?? 1],
  );
}
