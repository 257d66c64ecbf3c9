/**
 * The blob index in PostgreSQL's `blobs` table, for replicas sharing one blob directory:
 * recording a blob another replica recorded first changes nothing (ON CONFLICT DO NOTHING), and
 * one query answers for any number of digests.
 */
import type { Pool } from 'pg';
import type { BlobIndex } from './blob-index.js';

/** The index over a migrated database (see migratePostgres). */
export function createPostgresBlobIndex(pool: Pool): BlobIndex {
  return {
    async sizes(digests) {
      if (digests.length === 0) return new Map();
      const { rows } = await pool.query<{ sha256: string; size_bytes: string }>({
        name: 'blobSizes',
        text: 'SELECT sha256, size_bytes FROM blobs WHERE sha256 = ANY($1::text[])',
        values: [[...digests]],
      });
      return new Map(rows.map((r) => [r.sha256, Number(r.size_bytes)]));
    },
    async add(sha256, sizeBytes, createdAt) {
      await pool.query({
        name: 'blobAdd',
        text: 'INSERT INTO blobs (sha256, size_bytes, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
        values: [sha256, sizeBytes, createdAt.toISOString()],
      });
    },
    async remove(sha256) {
      await pool.query({ name: 'blobRemove', text: 'DELETE FROM blobs WHERE sha256 = $1', values: [sha256] });
    },
  };
}
