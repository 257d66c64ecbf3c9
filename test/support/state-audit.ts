/**
 * The database's own account of who wrote each workflow state, for the multi-replica tests: a
 * test-only trigger on the test's own PostgreSQL database records every transition with the
 * session that wrote it (a replica's pool is named `flowserv-store:<replica name>`) and the claim
 * (follower, fencing epoch) the row held in that transaction, independent of what the replicas log.
 */
import type pg from 'pg';

/** One state transition as the audit trigger saw it: the writing session and the row's claim in that transaction. */
export interface StateWrite {
  readonly workflowId: string;
  readonly sequence: number;
  readonly type: string;
  /** The writing session's application_name (`flowserv-store:<replica name>` for a replica's pool). */
  readonly writer: string;
  readonly follower: string | null;
  readonly epoch: number;
}

/**
 * Installs a trigger (test-only, on the test's own database, after the replicas migrated it) that
 * records every state transition from now on with the session that wrote it and the claim the
 * row held in that transaction: the database's own account of who wrote what, independent of
 * what the replicas log.
 */
export async function auditStateWrites(pool: pg.Pool): Promise<void> {
  await pool.query(`
    CREATE TABLE test_state_audit (workflow_id text, sequence integer, type text, writer text, follower text, follower_epoch bigint);
    CREATE FUNCTION test_audit_state() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO test_state_audit VALUES (NEW.workflow_id, NEW.sequence, NEW.state_type, current_setting('application_name'), NEW.follower, NEW.follower_epoch);
      RETURN NEW;
    END $$;
    -- Every transition moves the row's sequence (and only a transition does).
    CREATE TRIGGER test_audit_state AFTER UPDATE OF sequence ON workflows FOR EACH ROW EXECUTE FUNCTION test_audit_state();`);
}

/** The audited transitions of `ids` (see auditStateWrites), in order. */
export async function stateWrites(pool: pg.Pool, ids: readonly string[]): Promise<StateWrite[]> {
  const { rows } = await pool.query<{ workflow_id: string; sequence: number; type: string; writer: string; follower: string | null; follower_epoch: string }>(
    'SELECT * FROM test_state_audit WHERE workflow_id = ANY($1::text[]) ORDER BY workflow_id, sequence',
    [ids],
  );
  return rows.map((r) => ({ workflowId: r.workflow_id, sequence: r.sequence, type: r.type, writer: r.writer, follower: r.follower, epoch: Number(r.follower_epoch) }));
}
