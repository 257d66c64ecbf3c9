/**
 * Opens the SQLite database (better-sqlite3 12) that holds everything a client was told:
 * workflows, their state event logs, idempotency keys and uploaded blobs. WAL mode lets
 * readers run beside the single writer; `synchronous=FULL` makes every committed transition
 * durable across a crash or power loss, not only a process kill. The stores' writer
 * (group-commit.ts) takes the commit's fsync over: it switches its connection to NORMAL and
 * syncs the log itself, off the event loop, before it acknowledges a write.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ANONYMOUS_OWNER } from '../model/owner.js';

/** An open database handle. */
export type SqliteDatabase = Database.Database;

const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE workflows (
    workflow_id TEXT PRIMARY KEY,
    run_id TEXT NOT NULL UNIQUE,
    group_id TEXT,
    flowserv_workflow_id TEXT,
    engine TEXT NOT NULL,
    labels TEXT NOT NULL,
    request_id TEXT UNIQUE,
    payload_hash TEXT NOT NULL,
    output_files TEXT NOT NULL,
    job TEXT NOT NULL,
    handle TEXT,
    job_done INTEGER NOT NULL DEFAULT 0,
    state_type TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX workflows_by_created ON workflows (created_at DESC);
  CREATE INDEX workflows_by_state ON workflows (state_type, engine);
  CREATE TABLE workflow_states (
    workflow_id TEXT NOT NULL REFERENCES workflows (workflow_id) ON DELETE CASCADE,
    sequence INTEGER NOT NULL,
    state TEXT NOT NULL,
    PRIMARY KEY (workflow_id, sequence)
  ) WITHOUT ROWID;
  CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size_bytes INTEGER NOT NULL,
    created_at TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // Start-up recovery reads only unsettled workflows: a partial index keeps that read independent of history.
  `
  CREATE INDEX workflows_unsettled ON workflows (created_at, workflow_id)
    WHERE state_type IN ('PENDING', 'RUNNING') OR (handle IS NOT NULL AND job_done = 0);
  `,
  // Owners: every workflow records who created it. Request ids become unique per owner (two
  // owners may pick the same one), run ids stay unique across the service. SQLite cannot change
  // a column's constraint in place, so the table is rebuilt (rowids kept: they order the list's
  // ties); rows stored before owners existed belong to the anonymous owner.
  `
  CREATE TABLE workflows_with_owner (
    workflow_id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    run_id TEXT NOT NULL UNIQUE,
    group_id TEXT,
    flowserv_workflow_id TEXT,
    engine TEXT NOT NULL,
    labels TEXT NOT NULL,
    request_id TEXT,
    payload_hash TEXT NOT NULL,
    output_files TEXT NOT NULL,
    job TEXT NOT NULL,
    handle TEXT,
    job_done INTEGER NOT NULL DEFAULT 0,
    state_type TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (owner, request_id)
  );
  INSERT INTO workflows_with_owner (rowid, workflow_id, owner, run_id, group_id, flowserv_workflow_id, engine, labels,
      request_id, payload_hash, output_files, job, handle, job_done, state_type, sequence, created_at)
    SELECT rowid, workflow_id, '${ANONYMOUS_OWNER}', run_id, group_id, flowserv_workflow_id, engine, labels,
      request_id, payload_hash, output_files, job, handle, job_done, state_type, sequence, created_at
    FROM workflows ORDER BY rowid;
  DROP TABLE workflows;
  ALTER TABLE workflows_with_owner RENAME TO workflows;
  CREATE INDEX workflows_by_created ON workflows (created_at DESC);
  CREATE INDEX workflows_by_state ON workflows (state_type, engine);
  CREATE INDEX workflows_unsettled ON workflows (created_at, workflow_id)
    WHERE state_type IN ('PENDING', 'RUNNING') OR (handle IS NOT NULL AND job_done = 0);
  CREATE INDEX workflows_by_owner ON workflows (owner, created_at DESC);
  `,
];

/** The schema version `openDatabase` brings a database to (SQLite's user_version). */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Applies pending migrations, each in its own transaction. Foreign keys are off meanwhile (SQLite's
 * table-rebuild procedure): dropping the rebuilt parent table must not cascade to the state log.
 * The references are checked before the version is committed.
 */
function migrate(db: SqliteDatabase): void {
  db.pragma('foreign_keys = OFF');
  const version = db.pragma('user_version', { simple: true }) as number;
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      const broken = db.pragma('foreign_key_check') as unknown[];
      if (broken.length > 0) throw new Error(`schema migration ${v + 1} left ${broken.length} broken references`);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

/** Opens (creating if needed) the database at `file` and applies pending migrations. */
export function openDatabase(file: string, options: { readonly synchronous?: 'FULL' | 'NORMAL' } = {}): SqliteDatabase {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
  db.pragma('busy_timeout = 5000');
  migrate(db);
  db.pragma('foreign_keys = ON');
  return db;
}
