/**
 * Per-workflow claims: which replica follows which engine job. A replica claims unsettled rows
 * (active, or ended with the job not confirmed done) whose follower is unset or no longer holds a
 * live lease, with `FOR UPDATE SKIP LOCKED` so that competing replicas never wait on or take the
 * same row; each claim increments `follower_epoch`, the fencing token every follower write
 * carries (`follower = me AND follower_epoch = e`): a replica that lost a row to another can no
 * longer write anything into it. Single-table statements, no lock held across an engine call.
 */
import type pg from 'pg';

/** A claimed row: the workflow and the token its follower writes must carry. */
export interface Claim {
  readonly workflowId: string;
  /** The fencing token of this claim (`follower_epoch`). */
  readonly epoch: number;
  /** The row's follower before this claim (undefined: unclaimed or released). */
  readonly previousFollower?: string;
}

/** Claim operations of one replica. */
export interface Claims {
  /**
   * Claims up to `limit` unsettled rows of the given engines that nobody live follows, oldest
   * first. Claims nothing unless `follower`'s own lease is live on the database clock. With
   * `strandedOnly`, only rows whose follower is set and dead (jobs pinned to their creator).
   */
  claim(follower: string, engines: readonly string[], limit: number, options?: { readonly strandedOnly?: boolean }): Promise<Claim[]>;
  /** Claims a row its creator just inserted (follower still unset); undefined when another replica was first. */
  claimNew(follower: string, workflowId: string): Promise<Claim | undefined>;
  /** Releases every row of `engines` that `follower` holds (graceful drain: the others take them at their next scan). */
  releaseAll(follower: string, engines: readonly string[]): Promise<number>;
  /** Releases one row if `follower` still holds it under `epoch`. */
  release(follower: string, workflowId: string, epoch: number): Promise<boolean>;
  /** Workflows whose follower holds no live lease (stranded pinned jobs, observability). */
  stranded(engines: readonly string[]): Promise<string[]>;
}

/** The unsettled condition (the same as the single-node recovery's), on alias `w`. */
const UNSETTLED = `(w.state_type IN ('PENDING', 'RUNNING') OR (w.handle IS NOT NULL AND NOT w.job_done))`;

/** True for `w.follower` unset or without a live lease. */
const UNFOLLOWED = `(w.follower IS NULL OR NOT EXISTS (
  SELECT 1 FROM replicas r WHERE r.replica_id = w.follower AND r.lease_until >= clock_timestamp()))`;

/** True when replica `$1` holds a live lease. */
const LIVE_SELF = `EXISTS (SELECT 1 FROM replicas WHERE replica_id = $1 AND lease_until >= clock_timestamp())`;

const claimSql = (strandedOnly: boolean): string => `
  WITH picked AS (
    SELECT w.workflow_id, w.follower FROM workflows w
    WHERE ${LIVE_SELF} AND w.engine = ANY($2::text[]) AND ${UNSETTLED} AND ${UNFOLLOWED}${strandedOnly ? ' AND w.follower IS NOT NULL' : ''}
    ORDER BY w.created_order LIMIT $3
    FOR UPDATE OF w SKIP LOCKED)
  UPDATE workflows u SET follower = $1, follower_epoch = u.follower_epoch + 1
  FROM picked WHERE u.workflow_id = picked.workflow_id
  RETURNING u.workflow_id, u.follower_epoch, picked.follower AS previous`;

/** Creates the claim operations over a pool. */
export function createClaims(pool: pg.Pool): Claims {
  return {
    async claim(follower, engines, limit, options = {}) {
      if (engines.length === 0 || limit <= 0) return [];
      const result = await pool.query<{ workflow_id: string; follower_epoch: string; previous: string | null }>(claimSql(options.strandedOnly === true), [
        follower,
        engines,
        limit,
      ]);
      return result.rows.map((row) => ({
        workflowId: row.workflow_id,
        epoch: Number(row.follower_epoch),
        ...(row.previous !== null && { previousFollower: row.previous }),
      }));
    },
    async claimNew(follower, workflowId) {
      const result = await pool.query<{ follower_epoch: string }>(
        `UPDATE workflows SET follower = $1, follower_epoch = follower_epoch + 1
         WHERE workflow_id = $2 AND follower IS NULL AND ${LIVE_SELF} RETURNING follower_epoch`,
        [follower, workflowId],
      );
      const row = result.rows[0];
      return row && { workflowId, epoch: Number(row.follower_epoch) };
    },
    async releaseAll(follower, engines) {
      const result = await pool.query('UPDATE workflows SET follower = NULL WHERE follower = $1 AND engine = ANY($2::text[])', [follower, engines]);
      return result.rowCount ?? 0;
    },
    async release(follower, workflowId, epoch) {
      const result = await pool.query('UPDATE workflows SET follower = NULL WHERE workflow_id = $1 AND follower = $2 AND follower_epoch = $3', [
        workflowId,
        follower,
        epoch,
      ]);
      return result.rowCount === 1;
    },
    async stranded(engines) {
      const result = await pool.query<{ workflow_id: string }>(
        `SELECT w.workflow_id FROM workflows w WHERE w.engine = ANY($1::text[]) AND ${UNSETTLED} AND w.follower IS NOT NULL AND ${UNFOLLOWED}`,
        [engines],
      );
      return result.rows.map((row) => row.workflow_id);
    },
  };
}
