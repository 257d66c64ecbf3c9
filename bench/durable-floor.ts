/**
 * The durable floor of CreateWorkflow, run as its own process:
 * `tsx bench/durable-floor.ts <dir> <count>` does, `count` times, what accepting one workflow
 * must do at the least: create its run directory and commit one row to SQLite in WAL mode with
 * `synchronous=FULL` (one fsync'd commit each, as a store without group commit does). It prints
 * the elapsed time in ms on stdout. An optional third argument commits that many rows per
 * transaction (one fsync each group), for comparing with the fsync count a group-committing
 * service needs.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

const [dir, countText, groupText] = process.argv.slice(2);
const count = Number(countText);
const group = Number(groupText ?? 1);
if (!dir || !(count > 0) || !(group >= 1)) {
  process.stderr.write('usage: durable-floor.ts <dir> <count> [rows per commit]\n');
  process.exit(2);
}
const db = new Database(join(dir, 'floor.db'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec('CREATE TABLE IF NOT EXISTS workflows (workflow_id TEXT PRIMARY KEY, created_at TEXT NOT NULL)');
const insert = db.prepare('INSERT INTO workflows (workflow_id, created_at) VALUES (?, ?)');
const accept = db.transaction((from: number, to: number) => {
  for (let i = from; i < to; i++) {
    const id = `${process.pid}-${i}`;
    mkdirSync(join(dir, id));
    insert.run(id, new Date().toISOString());
  }
});
const started = process.hrtime.bigint();
for (let i = 0; i < count; i += group) accept(i, Math.min(count, i + group));
process.stdout.write(`${Number(process.hrtime.bigint() - started) / 1e6}\n`);
db.close();
