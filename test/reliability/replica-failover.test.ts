/**
 * How long a watcher is cut off when the replica it watches through dies: three real server
 * processes on one data directory behind the round-robin proxy (a Service over replicas); a
 * watcher follows a running workflow through the proxy; the replica carrying its stream is
 * SIGKILLed; the resume time is from the kill to the first event of the resumed stream on another
 * replica (the stream asks for progress events, which a server sends as soon as a watch starts).
 * The dead replica is replaced by a new process on the same data directory, as a Deployment
 * would, and the next round kills whichever replica carries the stream then. Every round also
 * checks that no state was repeated or lost. The goal is p99 ≤ 1 s; the bound asserted is that
 * under `npm run soak` (FLOWSERV_SOAK=1) and a loose 5 s in the shared test run.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { followWorkflow, GrpcRemoteClient, type WatchEvent } from '../../src/client/index.js';
import { call } from '../support/grpc-calls.js';
import { scratch } from '../support/fixtures.js';
import { startRoundRobinProxy, type RoundRobinProxy } from '../support/round-robin-proxy.js';
import { spawnServerProcess, type ServerProcess } from '../support/server-process.js';
import { shellRequest } from '../support/shell-request.js';

const SOAK = process.env.FLOWSERV_SOAK === '1';
const ROUNDS = SOAK ? 40 : 12;
const P99_BOUND_MS = SOAK ? 1_000 : 5_000;

const live = new Map<string, ServerProcess>();
let proxy: RoundRobinProxy | undefined;
let client: GrpcRemoteClient | undefined;
afterAll(async () => {
  client?.close();
  await proxy?.close();
  for (const server of live.values()) {
    server.child.kill('SIGKILL');
    await server.exited;
  }
});

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

describe('replica failover through a Service', () => {
  it(`a watcher of a SIGKILLed replica resumes on another one: p99 within ${P99_BOUND_MS} ms over ${ROUNDS} kills, no state lost or repeated`, { timeout: 300_000 }, async () => {
    const dataDir = scratch('fsr-failover-');
    const serve = async (): Promise<ServerProcess> => {
      const server = await spawnServerProcess(dataDir);
      live.set(server.address, server);
      return server;
    };
    // One after the other: SQLite is a single-node store, and processes starting together on a
    // fresh data directory race to create its schema.
    const first = [await serve(), await serve(), await serve()];
    proxy = await startRoundRobinProxy(first.map((s) => s.address));
    client = new GrpcRemoteClient(proxy.address);
    const created = await call(client.raw, 'createWorkflow', shellRequest('failover', ['sleep 600']));
    const id = created.workflow!.workflowId;

    const events: { at: number; event: WatchEvent }[] = [];
    const stopping = new AbortController();
    const following = (async () => {
      for await (const event of followWorkflow(client!, id, { includeProgress: true, signal: stopping.signal })) events.push({ at: performance.now(), event });
    })().catch((err: unknown) => err);
    const types = (): string[] => events.flatMap((e) => (e.event.kind === 'state' ? [e.event.state.type] : []));
    await expect.poll(types, { timeout: 30_000 }).toEqual(['PENDING', 'RUNNING']);

    const resumeMs: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      // The replica carrying the watch: the one the last proxied connection went to.
      const carrier = proxy.routes.filter((r) => r !== null).at(-1)!;
      const victim = live.get(carrier)!;
      const seen = events.length;
      const killedAt = performance.now();
      victim.child.kill('SIGKILL');
      await expect.poll(() => events.length > seen && proxy!.routes.at(-1) !== carrier, { timeout: 30_000 }).toBe(true);
      resumeMs.push(events[seen]!.at - killedAt);
      await victim.exited;
      live.delete(carrier);
      proxy.dropBackend(carrier);
      proxy.addBackend((await serve()).address);
    }

    stopping.abort();
    await following;
    // No state repeated or lost: still the two states of the running workflow, in order.
    expect(types()).toEqual(['PENDING', 'RUNNING']);
    const sorted = [...resumeMs].sort((a, b) => a - b);
    const [p50, p99, max] = [percentile(sorted, 50), percentile(sorted, 99), sorted.at(-1)!];
    console.log(`[replica-failover] ${ROUNDS} SIGKILLs of the replica carrying the watch: resume p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms, max ${max.toFixed(0)} ms`);
    expect(p99).toBeLessThanOrEqual(P99_BOUND_MS);
    await call(client.raw, 'stopWorkflow', { workflowId: id, reason: 'test over', gracePeriod: undefined });
  });
});
