/**
 * Several real `serve` replicas on one PostgreSQL database and one data directory, for the
 * multi-replica tests: starting them together (each with its own arguments and environment),
 * stopping whatever still runs, watching a workflow's states to the end with the time each one
 * arrived, and a watch and calls that retry UNAVAILABLE as clients do.
 */
import { status, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import type { RemoteWorkflowServiceClient, WatchStateResponse } from '../../src/gen/flowserv/remote/v1/service.js';
import { WorkflowStateType } from '../../src/gen/flowserv/remote/v1/workflow.js';
import { call, type UnaryMethod } from './grpc-calls.js';
import { spawnServerProcess, type ServerProcess } from './server-process.js';

/** One replica to start: its name (the stable part of its replica id), extra flags and environment. */
export interface ReplicaSpec {
  readonly name: string;
  readonly args?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
}

/** The flags of a replica on `databaseUrl` with the local engine pinned to it. */
export function replicaArgs(databaseUrl: string, name: string): string[] {
  return ['--store', 'postgres', '--database-url', databaseUrl, '--local-engine', 'pinned', '--replica-name', name];
}

/** Starts the replicas at once (so they migrate an empty database together); resolves once all listen. */
export function startReplicas(databaseUrl: string, dataDir: string, specs: readonly ReplicaSpec[]): Promise<ServerProcess[]> {
  return Promise.all(specs.map((s) => spawnServerProcess(dataDir, [...replicaArgs(databaseUrl, s.name), ...(s.args ?? [])], s.env ?? {})));
}

/** SIGTERMs every replica that still runs and waits for all to exit. */
export async function stopReplicas(servers: readonly (ServerProcess | undefined)[]): Promise<void> {
  for (const s of servers) if (s && s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGTERM');
  await Promise.all(servers.map((s) => s?.exited));
}

/** A state as a watcher saw it: type without its prefix, sequence, and when it arrived (Date.now()). */
export interface SeenState {
  readonly type: string;
  readonly sequence: number;
  readonly at: number;
}

/** Short state type name: `WORKFLOW_STATE_TYPE_RUNNING` → `RUNNING`. */
export function stateName(type: WorkflowStateType): string {
  return WorkflowStateType[type].replace('WORKFLOW_STATE_TYPE_', '');
}

/**
 * Watches `workflowId` from `afterSequence` (default 0) until the stream ends; `states` resolves
 * with every state received, in order, and rejects when the stream fails (the error carries what
 * was received before as `seen`).
 */
export function watchToEnd(
  client: RemoteWorkflowServiceClient,
  workflowId: string,
  afterSequence = 0,
): { states: Promise<SeenState[]>; stream: ClientReadableStream<WatchStateResponse> } {
  const stream = client.watchState({ workflowId, afterSequence });
  const states = new Promise<SeenState[]>((resolve, reject) => {
    const seen: SeenState[] = [];
    stream.on('data', (r: WatchStateResponse) => {
      if (r.event?.$case === 'state') seen.push({ type: stateName(r.event.value.type), sequence: r.event.value.sequence, at: Date.now() });
    });
    stream.on('error', (err) => reject(Object.assign(err, { seen })));
    stream.on('end', () => resolve(seen));
  });
  return { states, stream };
}

/** [type, sequence] pairs of what a watcher saw (for comparing with the expected log). */
export function typesAndSequences(seen: readonly SeenState[]): [string, number][] {
  return seen.map((s) => [s.type, s.sequence]);
}

/** A watch that resumes after UNAVAILABLE, as clients do: what it saw and the codes that ended its streams. */
export interface ResumingWatch {
  /** Every state received (over all streams), in order; rejects on any code but UNAVAILABLE. */
  readonly states: Promise<SeenState[]>;
  /** The status code of each stream that failed (all UNAVAILABLE when `states` resolves). */
  readonly failures: number[];
}

/**
 * Watches `workflowId` to its terminal state; a stream that fails with UNAVAILABLE is resumed
 * after the last sequence received, after `backoffMs`, at most `maxResumes` times. Nothing is
 * deduplicated here: a state sent twice shows in `states`.
 */
export function watchResuming(client: RemoteWorkflowServiceClient, workflowId: string, options: { backoffMs?: number; maxResumes?: number } = {}): ResumingWatch {
  const failures: number[] = [];
  const seen: SeenState[] = [];
  const states = (async () => {
    for (;;) {
      const after = seen.at(-1)?.sequence ?? 0;
      const { states: part } = watchToEnd(client, workflowId, after);
      try {
        seen.push(...(await part));
        return seen;
      } catch (err) {
        const code = (err as ServiceError).code;
        failures.push(code);
        if (code !== status.UNAVAILABLE || failures.length > (options.maxResumes ?? 50)) throw err;
        // What the failed stream delivered before it failed counts too.
        seen.push(...((err as { seen?: SeenState[] }).seen ?? []));
        await new Promise((resolve) => setTimeout(resolve, options.backoffMs ?? 100));
      }
    }
  })();
  return { states, failures };
}

/**
 * Calls `method` until it answers, retrying UNAVAILABLE (the same request: CreateWorkflow is safe
 * to repeat with its request id) every `backoffMs`, for at most `maxAttempts`; `failures` gets the
 * code of each failed attempt, and any other code is thrown.
 */
export async function callRetrying<K extends UnaryMethod>(
  client: RemoteWorkflowServiceClient,
  method: K,
  request: Parameters<typeof call<K>>[2],
  failures: number[],
  options: { backoffMs?: number; maxAttempts?: number } = {},
): ReturnType<typeof call<K>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call(client, method, request);
    } catch (err) {
      const code = (err as ServiceError).code;
      failures.push(code);
      if (code !== status.UNAVAILABLE || attempt >= (options.maxAttempts ?? 100)) throw err;
      await new Promise((resolve) => setTimeout(resolve, options.backoffMs ?? 100));
    }
  }
}
