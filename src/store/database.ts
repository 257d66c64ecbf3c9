/**
 * Opens the SQLite database (better-sqlite3 12) that holds everything a client was told:
 * workflows, their state event logs, idempotency keys and uploaded blobs. WAL mode lets
 * readers run beside the single writer; `synchronous=FULL` makes every committed transition
 * durable across a crash or power loss, not only a process kill.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

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
];

/** Opens (creating if needed) the database at `file` and applies pending migrations. */
export function openDatabase(file: string, options: { readonly synchronous?: 'FULL' | 'NORMAL' } = {}): SqliteDatabase {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  const version = db.pragma('user_version', { simple: true }) as number;
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return db;
}
