/**
 * Cross-replica state delivery: with several replicas on one PostgreSQL database, how long a
 * committed state takes to reach the watch hub of ANOTHER replica (another process), at about
 * 1,000 transitions/s over 100 workflows with up to 16 commits in flight. Subject: the
 * replicas' feed (NOTIFY after the commit from the writer's notifier session, LISTEN in the
 * other process, one coalesced read of the announced states from the log, publication to its
 * hub). Baseline: a NOTIFY inside the writing transaction received by a bare LISTEN client in
 * another process, which then reads that one state: the least a replica has to do. Latency is from the
 * writer's commit acknowledgement to the receipt, both stamped with the machine's shared clock.
 * Needs the PostgreSQL of `scripts/postgres-dev.sh up` (or FLOWSERV_TEST_DATABASE_URL); without
 * one the benchmark reports nothing.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import pino from 'pino';
import { createPostgresStateFeed } from '../src/replicas/postgres-state-feed.js';
import { createWatchHub } from '../src/service/watch-hub.js';
import { migratePostgres } from '../src/store/postgres-schema.js';
import { encodeState } from '../src/store/state-codec.js';
import { compare, formatMs, interleave, percentile, type Benchmark } from './harness.js';

const READER = fileURLToPath(new URL('./replica-feed-reader.ts', import.meta.url));
const WORKFLOWS = 100;
const RATE_PER_S = 1000;
const IN_FLIGHT = 16;

/** The test cluster's URL, as the PostgreSQL tests find it. */
function clusterUrl(): string | undefined {
  if (process.env.FLOWSERV_TEST_DATABASE_URL) return process.env.FLOWSERV_TEST_DATABASE_URL;
  try {
    return readFileSync(`${process.env.FLOWSERV_PG_DEV_DIR ?? '/tmp/flowserv-postgres-dev'}/url`, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

const stamp = (): number => performance.timeOrigin + performance.now();

/** The transition statement of the PostgreSQL store's shape (one statement: row + log). */
function transitionSql(notifyInside: boolean): string {
  return `WITH up AS (UPDATE workflows SET sequence = sequence + 1 WHERE workflow_id = $1 RETURNING workflow_id, sequence)
    INSERT INTO workflow_states (workflow_id, sequence, state)
    SELECT workflow_id, sequence, replace($2, '"sequence":0,', '"sequence":' || sequence || ',') FROM up
    RETURNING sequence${notifyInside ? `, pg_notify('bench_bare', workflow_id || ':' || sequence) IS NULL AS notified` : ''}`;
}

/** One round's figures: every latency in ms, and how many commits were never received. */
interface Round {
  readonly latenciesMs: number[];
  readonly missing: number;
  readonly duplicated: number;
  readonly ratePerS: number;
}

async function startReader(url: string, mode: 'feed' | 'bare'): Promise<ChildProcess> {
  const child = fork(READER, [url, mode, String(WORKFLOWS)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [message] = (await once(child, 'message')) as [unknown];
  if (message !== 'ready') throw new Error(`reader said ${JSON.stringify(message)}`);
  return child;
}

async function round(url: string, pool: pg.Pool, mode: 'feed' | 'bare', durationMs: number): Promise<Round> {
  const reader = await startReader(url, mode);
  const feed = mode === 'feed' ? createPostgresStateFeed({ hub: createWatchHub(), pool, connect: () => new pg.Client({ connectionString: url }), logger: pino({ level: 'warn' }), checkIntervalMs: 60_000 }) : undefined;
  await feed?.start();
  const sql = transitionSql(mode === 'bare');
  const at = new Date();
  const template = encodeState({ type: 'RUNNING', sequence: 0, createdAt: at, startedAt: at, messages: [], files: [] });
  const acks = new Map<string, number>();
  const total = Math.round((RATE_PER_S * durationMs) / 1000);
  const started = stamp();
  let issued = 0;
  const worker = async (): Promise<void> => {
    while (issued < total) {
      const i = issued++;
      const due = started + (i * 1000) / RATE_PER_S;
      const wait = due - stamp();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const id = `wf${i % WORKFLOWS}`;
      const result = await pool.query<{ sequence: number }>(sql, [id, template]);
      const sequence = result.rows[0]!.sequence;
      acks.set(`${id}:${sequence}`, stamp());
      feed?.committed(id, { type: 'RUNNING', sequence, createdAt: at, startedAt: at, messages: [], files: [] });
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const ratePerS = (total * 1000) / (stamp() - started);
  await feed?.close();
  // Let the last announcements arrive, then collect.
  await new Promise((resolve) => setTimeout(resolve, 300));
  reader.send('report');
  const [reply] = (await once(reader, 'message')) as [{ receipts: [string, number][] }];
  await once(reader, 'exit');
  const firstReceipt = new Map<string, number>();
  let duplicated = 0;
  for (const [key, time] of reply.receipts) {
    if (!acks.has(key)) continue;
    if (firstReceipt.has(key)) duplicated++;
    else firstReceipt.set(key, time);
  }
  const latenciesMs = [...firstReceipt].map(([key, time]) => time - acks.get(key)!);
  return { latenciesMs, missing: acks.size - firstReceipt.size, duplicated, ratePerS };
}

/** The benchmark. */
export const replicaFeed: Benchmark = {
  id: 'replicas',
  title: 'Cross-replica state delivery (PostgreSQL)',
  description:
    'How long a committed state takes to reach the watch hub of another replica process on the same PostgreSQL database, at about 1,000 transitions/s over 100 workflows (16 commits in flight), from the commit acknowledgement to the receipt. Subject: the replicas\' state feed (NOTIFY after the commit from a notifier session, LISTEN, one coalesced read of the announced states from the log, publication to the hub). Baseline: NOTIFY inside the writing transaction to a bare LISTEN client that then reads the announced state (one query per state): the least another replica has to do, without the serialization NOTIFY-in-transaction costs writers at higher rates. Samples are every delivered state of 3 interleaved rounds per side. Goal: subject p99 ≤ 25 ms.',
  async run(ctx) {
    const base = clusterUrl();
    if (base === undefined) {
      ctx.log('no PostgreSQL (scripts/postgres-dev.sh up): skipped');
      return [];
    }
    const name = `flowserv_bench_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const url = withDatabase(base, name);
    const pool = new pg.Pool({ connectionString: url, max: IN_FLIGHT + 2 });
    pool.on('error', () => undefined);
    try {
      await migratePostgres(pool);
      await pool.query(
        `INSERT INTO workflows (workflow_id, run_id, engine, labels, payload_hash, output_files, job, state_type, sequence, created_at, owner)
         SELECT 'wf' || g, 'run' || g, 'slurm', '{}', 'h', '[]', '{}', 'RUNNING', 0, now(), 'bench' FROM generate_series(0, $1 - 1) g`,
        [WORKFLOWS],
      );
      const durationMs = ctx.quick ? 500 : 4000;
      const rounds = await interleave({ warmup: ctx.quick ? 0 : 1, iterations: ctx.quick ? 1 : 3 }, () => round(url, pool, 'feed', durationMs), () => round(url, pool, 'bare', durationMs));
      const subject = rounds.subject.flatMap((r) => r.latenciesMs);
      const baseline = rounds.baseline.flatMap((r) => r.latenciesMs);
      const lost = rounds.subject.reduce((n, r) => n + r.missing, 0);
      const duplicated = rounds.subject.reduce((n, r) => n + r.duplicated, 0);
      const rate = Math.min(...rounds.subject.map((r) => r.ratePerS));
      ctx.log(`feed p99 ${formatMs(percentile(subject, 99))}, bare p99 ${formatMs(percentile(baseline, 99))}, lost ${lost}, duplicated ${duplicated}`);
      return [
        compare(
          { name: 'state to another replica, ~1,000/s', subject: 'commit → other replica\'s hub (feed)', baseline: 'NOTIFY in the transaction → LISTEN + read', note: `subject p99 ${formatMs(percentile(subject, 99))}, max ${formatMs(Math.max(...subject))} (goal p99 ≤ 25 ms); baseline p99 ${formatMs(percentile(baseline, 99))}; ≥ ${Math.round(rate)} transitions/s; lost ${lost}, delivered twice ${duplicated}` },
          { subject, baseline },
        ),
      ];
    } finally {
      await pool.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await admin.end();
    }
  },
};
