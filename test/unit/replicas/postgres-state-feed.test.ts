import pg from 'pg';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createPostgresStateFeed, type PostgresStateFeed } from '../../../src/replicas/postgres-state-feed.js';
import { createWatchHub, type WatchHub } from '../../../src/service/watch-hub.js';
import type { StateRecord } from '../../../src/store/records.js';
import { encodeState } from '../../../src/store/state-codec.js';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.js';
import { insertWorkflowRows } from '../../support/workflow-rows.js';
import { describeIfAvailable, postgresMissing } from '../../support/requirements.js';
import { migratePostgres } from '../../../src/store/postgres-schema.js';

const logger = pino({ level: 'silent' });

/** A new, unconnected client of the test database, named for pg_stat_activity. */
let client: (applicationName: string) => pg.Client;

function running(sequence: number): StateRecord {
  const at = new Date();
  return { type: 'RUNNING', sequence, createdAt: at, startedAt: at, messages: [`step ${sequence}`], files: [] };
}

describeIfAvailable('PostgreSQL state feed across replicas', postgresMissing(), () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  const feeds: PostgresStateFeed[] = [];
  let n = 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = db.pool({ max: 4 });
    // DROP DATABASE … WITH (FORCE) at the end may end a pooled session before the pool has closed it.
    pool.on('error', () => undefined);
    await migratePostgres(pool);
    client = (applicationName) => new pg.Client({ connectionString: db.url, application_name: applicationName });
  });
  afterEach(async () => {
    await Promise.all(feeds.splice(0).map((f) => f.close()));
  });
  afterAll(async () => {
    await db?.drop();
  });

  async function replica(name: string, checkIntervalMs = 60_000): Promise<{ hub: WatchHub; feed: PostgresStateFeed }> {
    const hub = createWatchHub();
    const feed = createPostgresStateFeed({
      hub,
      pool,
      connect: (purpose) => client(`flowserv-${purpose}:${name}`),
      logger,
      checkIntervalMs,
    });
    await feed.start();
    feeds.push(feed);
    return { hub, feed };
  }

  async function newWorkflow(): Promise<string> {
    const id = `wf${++n}`;
    await insertWorkflowRows(pool, [id]);
    await pool.query('INSERT INTO workflow_states VALUES ($1, 1, $2)', [id, encodeState({ ...running(1), type: 'PENDING' })]);
    return id;
  }

  /**
   * Commits the next state of `id` (as the store would: row and log in one transaction) and
   * returns it; the caller announces it or not. With `count` > 1, that many states in the same
   * transaction, so that no check can see the ones in between.
   */
  async function commitNext(id: string, count = 1): Promise<StateRecord> {
    const session = await pool.connect();
    try {
      await session.query('BEGIN');
      let state: StateRecord | undefined;
      for (let i = 0; i < count; i++) {
        const { rows } = await session.query<{ sequence: string }>('UPDATE workflows SET sequence = sequence + 1 WHERE workflow_id = $1 RETURNING sequence', [id]);
        state = running(Number(rows[0]!.sequence));
        await session.query('INSERT INTO workflow_states VALUES ($1, $2, $3)', [id, state.sequence, encodeState(state)]);
      }
      await session.query('COMMIT');
      return state!;
    } finally {
      session.release();
    }
  }

  /** Collects what a subscription receives until `count` distinct sequences arrived (or 5 s passed). */
  async function collect(hub: WatchHub, id: string, count: number, during: () => Promise<void>): Promise<number[]> {
    const sub = hub.subscribe(id);
    const seen: number[] = [];
    try {
      await during();
      const deadline = Date.now() + 5000;
      while (new Set(seen).size < count && Date.now() < deadline) {
        seen.push(...(await sub.next(deadline - Date.now())).map((s) => s.sequence));
      }
      return seen;
    } finally {
      sub.close();
    }
  }

  it('delivers another replica\'s commits to this replica\'s watchers, in order, each once', async () => {
    const a = await replica('a');
    const b = await replica('b');
    const id = await newWorkflow();
    const seenOnB = await collect(b.hub, id, 20, async () => {
      for (let i = 0; i < 20; i++) a.feed.committed(id, await commitNext(id));
    });
    expect(seenOnB).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
    // B may hear the last NOTIFY before A's query for it has returned and been counted.
    await expect.poll(() => a.feed.counts().announcementsSent).toBe(20);
  });

  it('publishes a local commit once to local watchers (its own announcement is skipped)', async () => {
    const a = await replica('a');
    const id = await newWorkflow();
    const sub = a.hub.subscribe(id);
    for (let i = 0; i < 5; i++) a.feed.committed(id, await commitNext(id));
    await a.feed.check();
    const statesRead = a.feed.counts().statesRead;
    const got = await sub.next(100);
    sub.close();
    expect(got.map((s) => s.sequence)).toEqual([2, 3, 4, 5, 6]);
    expect(statesRead).toBe(0);
  });

  it('reads a state whose announcement was lost at the next safety check', async () => {
    const b = await replica('b', 100);
    const id = await newWorkflow();
    const seen = await collect(b.hub, id, 1, async () => {
      await commitNext(id, 2); // two states committed at once, never announced
    });
    // The latest state is delivered; a watcher that lacks the one before sees the gap and reads the log.
    expect(seen).toEqual([3]);
    expect(b.feed.counts().checks).toBeGreaterThan(0);
  });

  it('reads the states of a gap from the log, so a lost announcement in the middle costs nothing', async () => {
    const a = await replica('a');
    const b = await replica('b');
    const id = await newWorkflow();
    const seen = await collect(b.hub, id, 3, async () => {
      a.feed.committed(id, await commitNext(id));
      await commitNext(id); // lost
      a.feed.committed(id, await commitNext(id));
    });
    expect(seen).toEqual([2, 3, 4]);
  });

  it('re-listens after its LISTEN backend is terminated and loses no state committed meanwhile', async () => {
    const a = await replica('a');
    const b = await replica('b-terminated');
    const id = await newWorkflow();
    const seen = await collect(b.hub, id, 30, async () => {
      for (let i = 0; i < 10; i++) a.feed.committed(id, await commitNext(id));
      const killed = await pool.query(`SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = 'flowserv-listen:b-terminated'`);
      expect(killed.rows).toEqual([{ ok: true }]);
      for (let i = 0; i < 20; i++) a.feed.committed(id, await commitNext(id));
    });
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => i + 2));
    await expect.poll(() => b.feed.counts().listenSessions).toBe(2);
  });
});
