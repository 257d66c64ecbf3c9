/**
 * The SQLite writer's durability contract: a write settles only after a log sync that began after
 * its commit; writes committed while a sync is under way share the next one; a read's barrier
 * waits for the sync covering what it saw; a failed sync fails what it covered. The syncs here are
 * held open by the test (a real fsync cannot be paused); the last test runs the real one.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { openDatabase, type SqliteDatabase } from '../../../src/store/database.js';
import { createWriter, writerOf } from '../../../src/store/group-commit.js';

/** A sync the test finishes by hand, one per call, in order. */
function heldSyncs() {
  const pending: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  let started = 0;
  return {
    sync: () =>
      new Promise<void>((resolve, reject) => {
        started++;
        pending.push({ resolve, reject });
      }),
    started: () => started,
    finishNext: () => pending.shift()!.resolve(),
    failNext: (err: unknown) => pending.shift()!.reject(err),
  };
}

/** Whether `promise` has settled after the event loop has run its queued work. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  return done;
}

let file: string;
let db: SqliteDatabase;
beforeEach(() => {
  file = join(mkdtempSync(join(tmpdir(), 'fsr-writer-')), 'db.sqlite');
  db = openDatabase(file);
  db.exec('CREATE TABLE t (k TEXT PRIMARY KEY)');
});
afterEach(() => db.close());

const insert = (k: string) => () => db.prepare('INSERT INTO t (k) VALUES (?)').run(k).changes;
const committed = () => {
  const other = new Database(file, { readonly: true });
  try {
    return (other.prepare('SELECT k FROM t ORDER BY k').all() as { k: string }[]).map((r) => r.k);
  } finally {
    other.close();
  }
};

it('commits a turn of writes at once but settles them only when the log sync that followed has finished', async () => {
  const syncs = heldSyncs();
  const { write } = createWriter(db, syncs.sync);
  const a = write(insert('a'));
  const b = write(insert('b'));
  await new Promise((r) => setImmediate(r));
  expect(committed()).toEqual(['a', 'b']);
  expect(syncs.started()).toBe(1);
  expect(await settled(a)).toBe(false);
  syncs.finishNext();
  await expect(a).resolves.toBe(1);
  await expect(b).resolves.toBe(1);
});

it('lets writes committed during a sync wait for the next one, which covers them all', async () => {
  const syncs = heldSyncs();
  const { write } = createWriter(db, syncs.sync);
  const first = write(insert('a'));
  await new Promise((r) => setImmediate(r));
  const later = [write(insert('b'))];
  await new Promise((r) => setImmediate(r));
  later.push(write(insert('c')));
  await new Promise((r) => setImmediate(r));
  expect(committed()).toEqual(['a', 'b', 'c']);
  expect(syncs.started()).toBe(1);
  syncs.finishNext();
  await first;
  expect(await settled(later[0]!)).toBe(false);
  expect(syncs.started()).toBe(2);
  syncs.finishNext();
  await expect(Promise.all(later)).resolves.toEqual([1, 1]);
  expect(syncs.started()).toBe(2);
});

it('rejects a refused write alone, after the sync (it may have been refused on a commit still syncing)', async () => {
  const syncs = heldSyncs();
  const { write } = createWriter(db, syncs.sync);
  const ok = write(insert('a'));
  const refused = write(insert('a'));
  expect(await settled(refused)).toBe(false);
  syncs.finishNext();
  await expect(ok).resolves.toBe(1);
  await expect(refused).rejects.toThrow(/UNIQUE/);
  expect(committed()).toEqual(['a']);
});

it("holds a read's barrier until what it may have seen is synced, and passes at once when nothing is pending", async () => {
  const syncs = heldSyncs();
  const writer = createWriter(db, syncs.sync);
  await expect(settled(writer.durable())).resolves.toBe(true);
  void writer.write(insert('a'));
  await new Promise((r) => setImmediate(r));
  // Committed and visible, not yet on disk: the barrier holds.
  const barrier = writer.durable();
  expect(await settled(barrier)).toBe(false);
  syncs.finishNext();
  await barrier;
  // A commit made while a sync runs needs the next sync, not the one under way.
  void writer.write(insert('b'));
  await new Promise((r) => setImmediate(r));
  void writer.write(insert('c'));
  await new Promise((r) => setImmediate(r));
  const afterC = writer.durable();
  syncs.finishNext();
  expect(await settled(afterC)).toBe(false);
  syncs.finishNext();
  await afterC;
  expect(syncs.started()).toBe(3);
});

it('fails every write and barrier a failed sync covered, and syncs later writes again', async () => {
  const syncs = heldSyncs();
  const writer = createWriter(db, syncs.sync);
  const a = writer.write(insert('a'));
  await new Promise((r) => setImmediate(r));
  const barrier = writer.durable();
  syncs.failNext(new Error('EIO'));
  await expect(a).rejects.toThrow('EIO');
  await expect(barrier).rejects.toThrow('EIO');
  const b = writer.write(insert('b'));
  await new Promise((r) => setImmediate(r));
  syncs.finishNext();
  await expect(b).resolves.toBe(1);
});

it("takes over the commit's fsync on a file database: NORMAL on the connection, writes durable across a reopen", async () => {
  const writer = writerOf(db);
  expect(writerOf(db)).toBe(writer);
  expect(db.pragma('synchronous', { simple: true })).toBe(1);
  await Promise.all(['x', 'y', 'z'].map((k) => writer.write(insert(k))));
  await writer.durable();
  db.close();
  db = openDatabase(file);
  expect((db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n).toBe(3);
});
