/**
 * The "other replica" of the replica-feed benchmark, in its own process: it watches every
 * benchmark workflow and stamps the receipt of each state (performance.timeOrigin + now(), the
 * clock the writer stamps its commits with). `feed` mode receives through the PostgreSQL state
 * feed into a watch hub (what a replica's WatchState streams read); `bare` mode is a bare LISTEN
 * client told by a NOTIFY inside the writing transaction that reads each announced state on its own.
 * Talks to the parent over IPC: `ready` once listening; on `report`, the receipts.
 */
import { setMaxListeners } from 'node:events';
import pg from 'pg';
import pino from 'pino';
import { createPostgresStateFeed } from '../src/replicas/postgres-state-feed.js';
import { createWatchHub } from '../src/service/watch-hub.js';

const [url, mode, countText] = process.argv.slice(2) as [string, 'feed' | 'bare', string];
const ids = Array.from({ length: Number(countText) }, (_, i) => `wf${i}`);
const receipts: [string, number][] = [];
const stamp = (): number => performance.timeOrigin + performance.now();
const closers: (() => Promise<unknown>)[] = [];

if (mode === 'feed') {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  const hub = createWatchHub();
  const feed = createPostgresStateFeed({ hub, pool, connect: () => new pg.Client({ connectionString: url }), logger: pino({ level: 'warn' }), checkIntervalMs: 15_000 });
  await feed.start();
  const stop = new AbortController();
  setMaxListeners(0, stop.signal);
  for (const id of ids) {
    const sub = hub.subscribe(id);
    void (async () => {
      while (!stop.signal.aborted) {
        const states = await sub.next(60_000, stop.signal);
        const at = stamp();
        for (const state of states) receipts.push([`${id}:${state.sequence}`, at]);
      }
      sub.close();
    })();
  }
  closers.push(async () => stop.abort(), () => feed.close(), () => pool.end());
} else {
  // Told inside the writer's transaction, then one read of the announced state: the least a
  // replica must do to hand another replica's state to its watchers.
  const client = new pg.Client({ connectionString: url });
  const reader = new pg.Pool({ connectionString: url, max: 4 });
  await client.connect();
  client.on('notification', (msg) => {
    const payload = msg.payload ?? '';
    const at = payload.lastIndexOf(':');
    void reader
      .query('SELECT state FROM workflow_states WHERE workflow_id = $1 AND sequence = $2', [payload.slice(0, at), Number(payload.slice(at + 1))])
      .then(() => receipts.push([payload, stamp()]));
  });
  await client.query('LISTEN bench_bare');
  closers.push(() => client.end(), () => reader.end());
}

process.on('message', (message) => {
  if (message !== 'report') return;
  process.send!({ receipts: receipts.splice(0) }, () => {
    void Promise.allSettled(closers.map((close) => close())).then(() => process.exit(0));
  });
});
process.send!('ready');
