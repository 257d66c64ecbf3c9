/**
 * Several real `serve` replicas on one PostgreSQL database, one data directory and one Slurm runs
 * directory, reached through the round-robin proxy that stands in for the Service: what every
 * multi-replica Slurm test starts from, plus the questions those tests ask the database (who
 * follows a workflow, which replica a follower id names, the state logs) and the replicas' logs
 * (submissions).
 */
import { credentials } from '@grpc/grpc-js';
import { join } from 'node:path';
import type pg from 'pg';
import { RemoteWorkflowServiceClient, type WatchStateResponse } from '../../../src/gen/flowserv/remote/v1/service.js';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.js';
import { startRoundRobinProxy, type RoundRobinProxy } from '../../support/round-robin-proxy.js';
import { spawnServerProcess, type ServerProcess } from '../../support/server-process.js';
import { call } from '../../support/grpc-calls.js';
import { makeTempRoot, squeue } from './slurm-cluster.js';
import { cancelJobsUnder, slurmServerArgs, slurmShellRequest } from './slurm-grpc-support.js';

/** How the replicas are started. */
export interface SlurmReplicasOptions {
  /** Replica names (default a, b, c). */
  readonly names?: readonly string[];
  /** Lease TTL, in ms (default 5000). */
  readonly leaseTtlMs?: number;
  /** Heartbeat interval of WatchState (and of the state feed's check against the log), in ms (default 1000). */
  readonly heartbeatIntervalMs?: number;
  /** Extra serve flags for every replica. */
  readonly extraArgs?: readonly string[];
}

/** The running replicas and what they share. */
export interface SlurmReplicas {
  /** Temp root: `data` (shared data dir) and `runs` (shared Slurm runs dir) live under it. */
  readonly dir: string;
  readonly db: TestDatabase;
  /** A pool on the replicas' database. */
  readonly pool: pg.Pool;
  /** The round-robin proxy over the replicas as first started. */
  readonly proxy: RoundRobinProxy;
  /** The live process of each replica, by name (restart() replaces an entry). */
  readonly replicas: Map<string, ServerProcess>;
  /** Every process started, killed ones included (their logs stay readable). */
  readonly started: ServerProcess[];
  readonly leaseTtlMs: number;
  /** A client of replica `name` (closed by close()). */
  client(name: string): RemoteWorkflowServiceClient;
  /** Starts replica `name` again (after it was killed); a new process, a new replica id. */
  restart(name: string): Promise<ServerProcess>;
  /** SIGTERMs every live replica, cancels every Slurm job left under the root, drops the database. */
  close(): Promise<void>;
}

/** Starts the replicas (in parallel) and the proxy in front of them. */
export async function startSlurmReplicas(options: SlurmReplicasOptions = {}): Promise<SlurmReplicas> {
  const names = options.names ?? ['a', 'b', 'c'];
  const leaseTtlMs = options.leaseTtlMs ?? 5000;
  const root = await makeTempRoot();
  const db = await createTestDatabase();
  const args = (name: string): string[] => [
    ...slurmServerArgs(join(root.dir, 'runs')),
    '--default-engine', 'slurm', '--store', 'postgres', '--database-url', db.url, '--replica-name', name,
    '--lease-ttl-ms', String(leaseTtlMs), '--lease-renew-ms', '1000', '--claim-scan-ms', '500',
    '--heartbeat-interval-ms', String(options.heartbeatIntervalMs ?? 1000),
    '--log-level', 'debug',
    ...(options.extraArgs ?? []),
  ];
  const spawn = async (name: string): Promise<ServerProcess> => {
    const s = await spawnServerProcess(join(root.dir, 'data'), args(name));
    all.push(s);
    return s;
  };
  const replicas = new Map<string, ServerProcess>();
  const all: ServerProcess[] = [];
  const clients: RemoteWorkflowServiceClient[] = [];
  let proxy: RoundRobinProxy | undefined;
  const close = async (): Promise<void> => {
    // What went wrong inside the replicas, for a failing test's output.
    const errors = all.flatMap((s) => s.lines.filter((l) => typeof l.level === 'number' && l.level >= 50));
    if (errors.length > 0) console.warn(`replicas logged ${errors.length} errors:\n${errors.map((l) => JSON.stringify(l)).join('\n')}`);
    for (const c of clients) c.close();
    await proxy?.close();
    for (const s of all) {
      if (s.child.exitCode !== null || s.child.signalCode !== null) continue;
      // A replica a test left stopped (SIGSTOP) only acts on SIGTERM once continued.
      s.child.kill('SIGCONT');
      s.child.kill('SIGTERM');
    }
    await Promise.all(all.map((s) => s.exited));
    await cancelJobsUnder(root.dir);
    await db.drop();
    await root.cleanup();
  };
  try {
    const started = await Promise.all(names.map(spawn));
    names.forEach((name, i) => replicas.set(name, started[i]!));
    proxy = await startRoundRobinProxy(started.map((s) => s.address));
  } catch (err) {
    await close();
    throw err;
  }
  return {
    dir: root.dir,
    db,
    pool: db.pool(),
    proxy,
    replicas,
    started: all,
    leaseTtlMs,
    client(name) {
      const client = new RemoteWorkflowServiceClient(replicas.get(name)!.address, credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
      clients.push(client);
      return client;
    },
    async restart(name) {
      const s = await spawn(name);
      replicas.set(name, s);
      return s;
    },
    close,
  };
}

/** The replica name of a follower id (`<name>-<8 hex digits of the incarnation>`). */
export function replicaName(replicaId: string): string {
  return replicaId.replace(/-[0-9a-f]{8}$/, '');
}

/** The follower (replica id) the workflow's row names now, if any. */
export async function followerOf(pool: pg.Pool, workflowId: string): Promise<string | undefined> {
  const result = await pool.query<{ follower: string | null }>('SELECT follower FROM workflows WHERE workflow_id = $1', [workflowId]);
  return result.rows[0]?.follower ?? undefined;
}

/** A state as a watcher received it: its sequence, its engine times and when it arrived (Date.now()). */
export interface ReceivedState {
  readonly sequence: number;
  readonly receivedAt: number;
  /** When the job started or ended, as the state says (undefined for PENDING). */
  readonly happenedAt?: number;
}

/**
 * Every state a raw WatchState from the start receives until the stream ends, with receipt times
 * (rejects on a stream error: a watcher that had to reconnect fails the test).
 */
export function watchReceived(client: RemoteWorkflowServiceClient, workflowId: string): Promise<ReceivedState[]> {
  return new Promise((resolve, reject) => {
    const received: ReceivedState[] = [];
    const stream = client.watchState({ workflowId, afterSequence: 0 });
    stream.on('data', (r: WatchStateResponse) => {
      if (r.event?.$case !== 'state') return;
      const { sequence, finishedAt, startedAt } = r.event.value;
      const happenedAt = (finishedAt ?? startedAt)?.getTime();
      received.push({ sequence, receivedAt: Date.now(), ...(happenedAt !== undefined && { happenedAt }) });
    });
    stream.on('error', reject);
    stream.on('end', () => resolve(received));
  });
}

/** The sequences a raw watch from the start receives until the stream ends (rejects on a stream error). */
export async function watchSequences(client: RemoteWorkflowServiceClient, workflowId: string): Promise<number[]> {
  return (await watchReceived(client, workflowId)).map((s) => s.sequence);
}

/** Per workflow id, how many times any replica's log says it submitted the workflow's job. */
export function submissionCounts(replicas: Iterable<ServerProcess>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of replicas) {
    for (const line of s.lines) if (line.msg === 'submitted') counts.set(String(line.workflowId), (counts.get(String(line.workflowId)) ?? 0) + 1);
  }
  return counts;
}

/**
 * Per workflow id, how many Slurm jobs ran in its work directory under the replicas' runs dir
 * (`squeue -t all`: the dev cluster keeps ended jobs listed for an hour, MinJobAge).
 */
export async function slurmJobCounts(cluster: Pick<SlurmReplicas, 'dir'>): Promise<Map<string, number>> {
  const prefix = `${join(cluster.dir, 'runs')}/`;
  const counts = new Map<string, number>();
  for (const line of (await squeue('-t', 'all', '-o', '%i|%Z')).split('\n')) {
    const workDir = line.split('|')[1];
    if (!workDir?.startsWith(prefix)) continue;
    const id = workDir.slice(prefix.length).split('/')[0]!;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/**
 * Creates `count` one-step Slurm workflows through the proxy, spread over the replicas (one
 * connection per replica, so the proxy's round robin reaches each); `commandOf(i)` is the i-th's
 * shell command. Resolves with their ids in creation order.
 */
export async function createSlurmWorkflows(cluster: SlurmReplicas, prefix: string, count: number, commandOf: (i: number) => string): Promise<string[]> {
  const creators = Array.from(
    { length: cluster.replicas.size },
    () => new RemoteWorkflowServiceClient(cluster.proxy.address, credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 }),
  );
  try {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push((await call(creators[i % creators.length]!, 'createWorkflow', slurmShellRequest(`${prefix}-${i}`, [commandOf(i)]))).workflow!.workflowId);
    return ids;
  } finally {
    for (const c of creators) c.close();
  }
}

/** How many of `ids` have their Slurm job recorded (a handle) and have not ended. */
export async function submittedAndRunning(pool: pg.Pool, ids: readonly string[]): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM workflows WHERE workflow_id = ANY($1::text[]) AND handle IS NOT NULL AND state_type IN ('PENDING', 'RUNNING')`,
    [ids],
  );
  return rows[0]!.n;
}

/** The replica following the most of `ids` (`SELECT follower, count(*)`): its id, name and those workflows with their fencing epochs. */
export async function topFollower(pool: pg.Pool, ids: readonly string[]): Promise<{ replicaId: string; name: string; held: Map<string, number> }> {
  const { rows } = await pool.query<{ follower: string }>(
    'SELECT follower FROM workflows WHERE workflow_id = ANY($1::text[]) AND follower IS NOT NULL GROUP BY follower ORDER BY count(*) DESC, follower LIMIT 1',
    [ids],
  );
  const replicaId = rows[0]!.follower;
  const held = await pool.query<{ workflow_id: string; follower_epoch: string }>('SELECT workflow_id, follower_epoch FROM workflows WHERE workflow_id = ANY($1::text[]) AND follower = $2', [
    ids,
    replicaId,
  ]);
  return { replicaId, name: replicaName(replicaId), held: new Map(held.rows.map((r) => [r.workflow_id, Number(r.follower_epoch)])) };
}

/** Each of `ids`'s state log as the database holds it: sequence and type, in order. */
export async function stateLogs(pool: pg.Pool, ids: readonly string[]): Promise<Map<string, { sequence: number; type: string }[]>> {
  const { rows } = await pool.query<{ workflow_id: string; sequence: number; type: string }>(
    `SELECT workflow_id, sequence, state::jsonb ->> 'type' AS type FROM workflow_states WHERE workflow_id = ANY($1::text[]) ORDER BY workflow_id, sequence`,
    [ids],
  );
  const logs = new Map<string, { sequence: number; type: string }[]>(ids.map((id) => [id, []]));
  for (const row of rows) logs.get(row.workflow_id)!.push({ sequence: row.sequence, type: row.type });
  return logs;
}
