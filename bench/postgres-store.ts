/**
 * The PostgreSQL store against what it cannot avoid, measured in the same run: state transitions
 * through PostgresWorkflowStore.appendState against a bare loop of the same one statement (the
 * compare-and-set UPDATE that appends the log row) sent straight through `pg`, at 1 and at 16 in
 * flight; and CreateWorkflow against a server on PostgreSQL against the same server on SQLite.
 * Runs against the cluster of scripts/postgres-dev.sh (or FLOWSERV_BENCH_DATABASE_URL), each
 * measurement in a database of its own; without one the benchmark reports nothing.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { migratePostgres } from '../src/store/postgres-schema.js';
import { createPostgresWorkflowStore } from '../src/store/postgres-workflow-store.js';
import { encodeState } from '../src/store/state-codec.js';
import type { NewState } from '../src/store/records.js';
import { compare, interleave, timeMs, type BenchContext, type Benchmark, type ComparisonResult } from './harness.js';
import { createWorkflow, shellWorkflow, unary } from './rpc.js';
import { withServer } from './server.js';
import { runPool } from './throughput.js';

/** The cluster: FLOWSERV_BENCH_DATABASE_URL, else the URL scripts/postgres-dev.sh wrote. */
export function clusterUrl(): string | undefined {
  if (process.env.FLOWSERV_BENCH_DATABASE_URL) return process.env.FLOWSERV_BENCH_DATABASE_URL;
  try {
    return readFileSync(`${process.env.FLOWSERV_PG_DEV_DIR ?? '/tmp/flowserv-postgres-dev'}/url`, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Runs `fn` with the URL of a new, migrated database; drops it afterwards. */
async function withDatabase<T>(cluster: string, fn: (url: string) => Promise<T>): Promise<T> {
  const name = `flowserv_bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: cluster });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(cluster);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
  try {
    await migratePostgres(pool);
    await pool.end();
    return await fn(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

const at = new Date(Date.UTC(2026, 0, 1));
const RUNNING: NewState = { type: 'RUNNING', createdAt: at, startedAt: at, messages: [], files: [] };
const SUCCESS: NewState = { type: 'SUCCESS', createdAt: at, startedAt: at, finishedAt: at, messages: [], files: [] };

/** The bare statement: what one transition needs at the least (no fence, no encoding, no result mapping). */
const BARE = `
  WITH moved AS (
    UPDATE workflows SET sequence = sequence + 1, state_type = $2
    WHERE workflow_id = $1 AND state_type = ANY($3::text[]) RETURNING workflow_id, sequence)
  INSERT INTO workflow_states (workflow_id, sequence, state) SELECT workflow_id, sequence, $4 FROM moved RETURNING sequence`;

/** Inserts `count` PENDING workflows (with their first state) named `<prefix>-<i>`; returns the ids. */
async function pendingRows(pool: pg.Pool, prefix: string, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  const first = encodeState({ type: 'PENDING', sequence: 1, createdAt: at, messages: [], files: [] });
  await pool.query(
    `WITH w AS (
       INSERT INTO workflows (workflow_id, owner, run_id, engine, labels, payload_hash, output_files, job, state_type, sequence, created_at)
       SELECT id, 'anonymous', id, 'slurm', '{}', 'h', '[]', '{}', 'PENDING', 1, now() FROM unnest($1::text[]) AS id RETURNING workflow_id)
     INSERT INTO workflow_states SELECT workflow_id, 1, $2 FROM w`,
    [ids, first],
  );
  return ids;
}

/** Takes each id of `ids` through RUNNING and SUCCESS with `inFlight` workers; resolves with the elapsed ms. */
async function transitionAll(ids: readonly string[], inFlight: number, step: (id: string, next: NewState, text: string) => Promise<unknown>): Promise<number> {
  const running = encodeState({ ...RUNNING, sequence: 2 });
  const success = encodeState({ ...SUCCESS, sequence: 3 });
  return timeMs(() =>
    runPool(ids.length, inFlight, async (i) => {
      await step(ids[i]!, RUNNING, running);
      await step(ids[i]!, SUCCESS, success);
    }),
  );
}

async function transitions(ctx: BenchContext, cluster: string, inFlight: number): Promise<ComparisonResult> {
  const perSample = ctx.quick ? 10 : inFlight === 1 ? 150 : 600;
  const counts = ctx.quick ? { warmup: 0, iterations: 2 } : { warmup: 1, iterations: 7 };
  ctx.log(`transitions, ${inFlight} in flight: ${counts.iterations} rounds of ${perSample * 2} transitions each side`);
  return withDatabase(cluster, async (url) => {
    const pool = new pg.Pool({ connectionString: url, max: inFlight });
    pool.on('error', () => undefined);
    const store = createPostgresWorkflowStore(pool);
    let round = 0;
    try {
      const samples = await interleave(
        counts,
        async () => {
          const ids = await pendingRows(pool, `s${round++}`, perSample);
          return transitionAll(ids, inFlight, (id, next) => store.appendState(id, next));
        },
        async () => {
          const ids = await pendingRows(pool, `b${round++}`, perSample);
          return transitionAll(ids, inFlight, (id, next, text) =>
            pool.query({ name: 'bare', text: BARE, values: [id, next.type, next.type === 'RUNNING' ? ['PENDING'] : ['PENDING', 'RUNNING'], text] }),
          );
        },
      );
      const row = compare(
        {
          name: `state transitions on PostgreSQL, ${inFlight} in flight`,
          subject: 'PostgresWorkflowStore.appendState',
          baseline: 'the bare statement through pg',
        },
        samples,
      );
      const rate = (ms: number) => Math.round(((perSample * 2) / ms) * 1000).toLocaleString('en');
      return {
        ...row,
        note: `${rate(row.subjectSummary.medianMs)} vs ${rate(row.baselineSummary.medianMs)} transitions/s: ${(1 / row.ratio).toFixed(2)}× the bare rate (goal ≥ 0.8×)`,
      };
    } finally {
      await pool.end();
    }
  });
}

/** CreateWorkflow on PostgreSQL against the same server on SQLite (exported for before/after runs of this row alone). */
export async function creates(ctx: BenchContext, cluster: string): Promise<ComparisonResult> {
  const perSample = ctx.quick ? 5 : 200;
  const inFlight = 4;
  const counts = ctx.quick ? { warmup: 0, iterations: 2 } : { warmup: 1, iterations: 9 };
  ctx.log(`CreateWorkflow: ${counts.iterations} rounds of ${perSample} creates, ${inFlight} in flight, each side`);
  // One local job slot, held by a sleeping blocker: every created workflow stays queued, so no job runs while creates are timed.
  const queued = ['--local-max-concurrent-jobs', '1'];
  return withDatabase(cluster, (url) =>
    withServer([...queued, '--store', 'postgres', '--database-url', url, '--local-engine', 'pinned'], (onPg) =>
      withServer(queued, async (onSqlite) => {
        const blockers = await Promise.all([onPg, onSqlite].map((s) => createWorkflow(s.client, shellWorkflow(`blocker-${randomBytes(4).toString('hex')}`, ['sleep 600']))));
        let round = 0;
        const batch = (server: typeof onPg) => {
          const tag = `${round++}-${randomBytes(4).toString('hex')}`;
          return timeMs(() => runPool(perSample, inFlight, (i) => createWorkflow(server.client, shellWorkflow(`create-${tag}-${i}`, ['true']))));
        };
        try {
          const samples = await interleave(counts, () => batch(onPg), () => batch(onSqlite));
          const row = compare({ name: 'CreateWorkflow, PostgreSQL vs SQLite store', subject: `${perSample} creates on PostgreSQL`, baseline: `${perSample} creates on SQLite` }, samples);
          const rate = (ms: number) => Math.round((perSample / ms) * 1000).toLocaleString('en');
          return {
            ...row,
            note: `${rate(row.subjectSummary.medianMs)} vs ${rate(row.baselineSummary.medianMs)} creates/s (${inFlight} in flight): ${(1 / row.ratio).toFixed(2)}× the SQLite rate (goal ≥ 0.8×)`,
          };
        } finally {
          await Promise.all(
            [onPg, onSqlite].map((s, i) => unary((cb) => s.client.stopWorkflow({ workflowId: blockers[i]!, reason: 'benchmark finished', gracePeriod: undefined }, cb))),
          );
        }
      }),
    ),
  );
}

export const postgresStore: Benchmark = {
  id: 'pgstore',
  title: 'PostgreSQL store',
  description:
    'State transitions through `PostgresWorkflowStore.appendState` (RUNNING then SUCCESS for fresh PENDING workflows, N workers ' +
    'each waiting for its answer) against the bare one-statement loop: the same compare-and-set UPDATE with the log INSERT sent ' +
    'straight through `pg` as a prepared statement, without fence, encoding or result mapping; at 1 and at 16 in flight, on one ' +
    'pool of as many connections, over the Unix socket of the `scripts/postgres-dev.sh` cluster (fsync on). No NOTIFY: the state ' +
    'feed is measured apart. CreateWorkflow: batches of creates (4 in flight) against a server on PostgreSQL and the same server ' +
    'on SQLite (group commit, every commit fsync\'d before it is answered), both in this process, their one local job slot held so that nothing runs meanwhile. Goals: ' +
    'transitions at ≥ 0.8× the bare rate (ratio ≤ 1.25), creates at ≥ 0.8× the SQLite rate. Without a PostgreSQL cluster the ' +
    'benchmark reports no rows.',
  async run(ctx) {
    const cluster = clusterUrl();
    if (cluster === undefined) {
      ctx.log('no PostgreSQL cluster (scripts/postgres-dev.sh up, or FLOWSERV_BENCH_DATABASE_URL): skipped');
      return [];
    }
    return [await transitions(ctx, cluster, 1), await transitions(ctx, cluster, 16), await creates(ctx, cluster)];
  },
};
