/**
 * The blob store's record of which blobs exist and their sizes; the bytes live in files
 * (blob-store.ts). A blob is recorded only after its file is complete and in place, so a record
 * always names a whole file. SQLite here; PostgreSQL in postgres-blob-index.ts.
 */
import type { SqliteDatabase } from './database.js';
import { writerOf } from './group-commit.js';

/** The record of stored blobs. */
export interface BlobIndex {
  /** The sizes, in bytes, of those of `digests` that are recorded. */
  sizes(digests: readonly string[]): Promise<Map<string, number>>;
  /** Records a blob; recording one that is already there changes nothing. */
  add(sha256: string, sizeBytes: number, createdAt: Date): Promise<void>;
  remove(sha256: string): Promise<void>;
}

/** The index in the SQLite database's `blobs` table. */
export function createSqliteBlobIndex(db: SqliteDatabase): BlobIndex {
  const selectSize = db.prepare<[string], { size_bytes: number }>('SELECT size_bytes FROM blobs WHERE sha256 = ?');
  const insertBlob = db.prepare('INSERT OR IGNORE INTO blobs (sha256, size_bytes, created_at) VALUES (?, ?, ?)');
  const deleteBlob = db.prepare('DELETE FROM blobs WHERE sha256 = ?');
  // The workflow store's writer: blob records share its commits and its fsync.
  const { write, durable } = writerOf(db);
  return {
    async sizes(digests) {
      const found = new Map<string, number>();
      for (const d of digests) {
        const row = selectSize.get(d);
        if (row) found.set(d, row.size_bytes);
      }
      await durable();
      return found;
    },
    async add(sha256, sizeBytes, createdAt) {
      await write(() => insertBlob.run(sha256, sizeBytes, createdAt.toISOString()));
    },
    async remove(sha256) {
      await write(() => deleteBlob.run(sha256));
    },
  };
}
