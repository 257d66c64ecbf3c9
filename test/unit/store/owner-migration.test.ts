/**
 * The schema migration that gives every workflow an owner, run over a database written by the
 * schema as it was before owners (version 2, written out here as it was released): stored
 * workflows and their state logs survive, belong to the anonymous owner, keep their list order,
 * and request ids become unique per owner instead of across the service.
 */
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANONYMOUS_OWNER } from '../../../src/model/owner.js';
import { openDatabase, SCHEMA_VERSION } from '../../../src/store/database.js';
import { createSqliteWorkflowStore } from '../../../src/store/sqlite-workflow-store.js';

const SCHEMA_V2 = `
  CREATE TABLE workflows (
    workflow_id TEXT PRIMARY KEY, run_id TEXT NOT NULL UNIQUE, group_id TEXT, flowserv_workflow_id TEXT,
    engine TEXT NOT NULL, labels TEXT NOT NULL, request_id TEXT UNIQUE, payload_hash TEXT NOT NULL,
    output_files TEXT NOT NULL, job TEXT NOT NULL, handle TEXT, job_done INTEGER NOT NULL DEFAULT 0,
    state_type TEXT NOT NULL, sequence INTEGER NOT NULL, created_at TEXT NOT NULL
  );
  CREATE INDEX workflows_by_created ON workflows (created_at DESC);
  CREATE INDEX workflows_by_state ON workflows (state_type, engine);
  CREATE TABLE workflow_states (
    workflow_id TEXT NOT NULL REFERENCES workflows (workflow_id) ON DELETE CASCADE,
    sequence INTEGER NOT NULL, state TEXT NOT NULL, PRIMARY KEY (workflow_id, sequence)
  ) WITHOUT ROWID;
  CREATE TABLE blobs (sha256 TEXT PRIMARY KEY, size_bytes INTEGER NOT NULL, created_at TEXT NOT NULL) WITHOUT ROWID;
  CREATE INDEX workflows_unsettled ON workflows (created_at, workflow_id)
    WHERE state_type IN ('PENDING', 'RUNNING') OR (handle IS NOT NULL AND job_done = 0);
  PRAGMA user_version = 2;
`;

const CREATED = '2026-01-01T00:00:00.000Z';
const state = (type: string, sequence: number) =>
  JSON.stringify({ type, sequence, createdAt: CREATED, ...(type !== 'PENDING' && { startedAt: CREATED }), messages: [], files: [] });

/** A version-2 database with three workflows created in the same millisecond (so only rowids order them). */
function writeVersion2(file: string): void {
  const db = new Database(file);
  db.exec(SCHEMA_V2);
  const insert = db.prepare(`INSERT INTO workflows (workflow_id, run_id, engine, labels, request_id, payload_hash, output_files, job,
    state_type, sequence, created_at) VALUES (?, ?, 'local', '{}', ?, 'h', '[]', '{}', ?, ?, ?)`);
  const log = db.prepare('INSERT INTO workflow_states (workflow_id, sequence, state) VALUES (?, ?, ?)');
  for (const [id, requestId] of [['wf-b', 'req-1'], ['wf-a', null], ['wf-c', null]] as const) {
    insert.run(id, `run-${id}`, requestId, 'RUNNING', 2, CREATED);
    log.run(id, 1, state('PENDING', 1));
    log.run(id, 2, state('RUNNING', 2));
  }
  db.close();
}

describe('owner migration', () => {
  it('keeps every workflow and its state log, owned by the anonymous owner, in the same list order', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'migrate-')), 'db.sqlite');
    writeVersion2(file);
    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    const store = createSqliteWorkflowStore(db);
    const listed = await store.list({ pageSize: 10 });
    expect(listed.map((w) => w.workflowId)).toEqual(['wf-c', 'wf-a', 'wf-b']);
    expect(listed.every((w) => w.owner === ANONYMOUS_OWNER)).toBe(true);
    expect(await store.list({ pageSize: 10, owner: ANONYMOUS_OWNER })).toHaveLength(3);
    for (const w of listed) expect((await store.statesAfter(w.workflowId, 0)).map((s) => s.type)).toEqual(['PENDING', 'RUNNING']);
    expect(await store.listUnsettled()).toHaveLength(3);
    expect((await store.findByRunOrRequest(ANONYMOUS_OWNER, 'none', 'req-1'))?.workflowId).toBe('wf-b');
    // The state log still cascades with its workflow: the foreign key survived the rebuild.
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('foreign_key_list(workflow_states)')).toEqual([expect.objectContaining({ table: 'workflows', on_delete: 'CASCADE' })]);
    db.prepare("DELETE FROM workflows WHERE workflow_id = 'wf-a'").run();
    expect(await store.statesAfter('wf-a', 0)).toEqual([]);
    db.close();
  });

  it('makes request ids unique per owner, keeps run ids unique across owners, and indexes the owner', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'migrate-')), 'db.sqlite');
    writeVersion2(file);
    const db = openDatabase(file);
    const insert = db.prepare(`INSERT INTO workflows (workflow_id, owner, run_id, engine, labels, request_id, payload_hash, output_files, job,
      state_type, sequence, created_at) VALUES (?, ?, ?, 'local', '{}', ?, 'h', '[]', '{}', 'PENDING', 1, ?)`);
    insert.run('wf-d', 'token:bob', 'run-d', 'req-1', CREATED);
    expect(() => insert.run('wf-e', 'token:bob', 'run-e', 'req-1', CREATED)).toThrow(/UNIQUE/);
    expect(() => insert.run('wf-f', 'token:carol', 'run-wf-a', null, CREATED)).toThrow(/UNIQUE/);
    const indexes = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'workflows' AND sql IS NOT NULL").all() as { name: string }[]).map((r) => r.name);
    expect(indexes.sort()).toEqual(['workflows_by_created', 'workflows_by_owner', 'workflows_by_state', 'workflows_unsettled']);
    db.close();
    // Opening again applies nothing twice.
    const again = openDatabase(file);
    expect(again.prepare('SELECT owner, count(*) AS n FROM workflows GROUP BY owner ORDER BY owner').all()).toEqual([
      { owner: ANONYMOUS_OWNER, n: 3 },
      { owner: 'token:bob', n: 1 },
    ]);
    again.close();
  });
});
