/**
 * Several real `serve` replicas on one PostgreSQL database and one data directory, for the
 * multi-replica tests: starting them together (each with its own arguments and environment),
 * stopping whatever still runs, and watching a workflow's states to the end with the time each
 * one arrived.
 */
import type { ClientReadableStream } from '@grpc/grpc-js';
import type { RemoteWorkflowServiceClient, WatchStateResponse } from '../../src/gen/flowserv/remote/v1/service.js';
import { WorkflowStateType } from '../../src/gen/flowserv/remote/v1/workflow.js';
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
 * with every state received, in order, and rejects when the stream fails.
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
    stream.on('error', reject);
    stream.on('end', () => resolve(seen));
  });
  return { states, stream };
}

/** [type, sequence] pairs of what a watcher saw (for comparing with the expected log). */
export function typesAndSequences(seen: readonly SeenState[]): [string, number][] {
  return seen.map((s) => [s.type, s.sequence]);
}
