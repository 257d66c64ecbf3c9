/**
 * The "other replica" of the replica-feed benchmark, in its own process: it watches every
 * benchmark workflow and stamps the receipt of each state (performance.timeOrigin + now(), the
 * clock the writer stamps its commits with). `feed` mode receives through the PostgreSQL state
 * feed into a watch hub (what a replica's WatchState streams read); `bare` mode is a bare LISTEN
 * client told by a NOTIFY inside the writing transaction (the floor of cross-process signalling).
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
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  client.on('notification', (msg) => receipts.push([msg.payload ?? '', stamp()]));
  await client.query('LISTEN bench_bare');
  closers.push(() => client.end());
}

process.on('message', (message) => {
  if (message !== 'report') return;
  process.send!({ receipts: receipts.splice(0) }, () => {
    void Promise.allSettled(closers.map((close) => close())).then(() => process.exit(0));
  });
});
process.send!('ready');
