/**
 * The client's heartbeat watchdog against real server processes behind the round-robin proxy (a
 * Service over replicas): the server a watcher is connected to freezes (SIGSTOP: its connection
 * stays open and silent, as after a node loss without a reset), a second server on the same data
 * directory takes the workflow over, and the watcher must notice the silence from the heartbeat
 * interval the server announced, resume on a new connection (landing on the second server) and
 * see every state and every output byte exactly once.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { followWorkflow, GrpcRemoteClient, StreamSilentError, type LogEvent, type WatchEvent } from '../../../src/client/index.js';
import { startAppServer } from '../../support/app-server.js';
import { call } from '../../support/grpc-calls.js';
import { scratch } from '../../support/fixtures.js';
import { startRoundRobinProxy, type RoundRobinProxy } from '../../support/round-robin-proxy.js';
import { jobGates } from '../../support/job-sandbox.js';
import { spawnServerProcess, type ServerProcess } from '../../support/server-process.js';
import { stepsRequest } from '../../support/shell-request.js';

const HEARTBEAT_MS = 300;

const servers: ServerProcess[] = [];
const clients: GrpcRemoteClient[] = [];
let proxy: RoundRobinProxy | undefined;
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await proxy?.close();
  for (const server of servers.splice(0)) {
    server.child.kill('SIGKILL'); // also ends a stopped process
    await server.exited;
  }
});

/** The folder of the gate files jobs wait for, shared with their sandbox. */
const gates = jobGates();

async function serve(dataDir: string): Promise<ServerProcess> {
  const server = await spawnServerProcess(dataDir, ['--heartbeat-interval-ms', String(HEARTBEAT_MS), ...gates.serverArgs]);
  servers.push(server);
  return server;
}

function client(address: string): GrpcRemoteClient {
  const c = new GrpcRemoteClient(address);
  clients.push(c);
  return c;
}

const stdout = (events: readonly LogEvent[]): string =>
  Buffer.concat(events.flatMap((e) => (e.kind === 'chunk' && e.stream === 'stdout' ? [e.data] : []))).toString();

describe('heartbeat watchdog', () => {
  it('a watcher on a frozen server resumes on another server sharing the data, with no state or byte lost or repeated', async () => {
    const dataDir = scratch('fsr-watchdog-');
    const gate = path.join(gates.dir, 'open');
    const first = await serve(dataDir);
    proxy = await startRoundRobinProxy([first.address]);
    const viaService = client(proxy.address);
    // What followers ask for themselves in the background; asked here first so that the limit is
    // known before the freeze however slow the machine is.
    expect((await viaService.getServiceInfo()).limits.heartbeatIntervalMs).toBe(HEARTBEAT_MS);

    const created = await call(
      viaService.raw,
      'createWorkflow',
      stepsRequest('watchdog', [['main', [`echo one; while [ ! -f '${gate}' ]; do sleep 0.02; done; echo two`]]]),
    );
    const id = created.workflow!.workflowId;

    const states: WatchEvent[] = [];
    const reconnects: unknown[] = [];
    const following = (async () => {
      for await (const event of followWorkflow(viaService, id, { onReconnect: (_n, err) => reconnects.push(err) })) states.push(event);
    })();
    const logs: LogEvent[] = [];
    const logReconnects: unknown[] = [];
    const reading = (async () => {
      for await (const event of viaService.watchLogs(id, { onReconnect: (_n, err) => logReconnects.push(err) })) logs.push(event);
    })();
    const stateTypes = (): string[] => states.flatMap((e) => (e.kind === 'state' ? [e.state.type] : []));
    await expect.poll(() => stateTypes().includes('RUNNING') && stdout(logs) === 'one\n', { timeout: 20_000 }).toBe(true);

    // Freeze the first server: its connection stays open and nothing more comes through it.
    first.child.kill('SIGSTOP');
    const second = await serve(dataDir); // recovers the workflow and follows its job from here on
    proxy.dropBackend(first.address);
    proxy.addBackend(second.address);
    writeFileSync(gate, '');

    await following;
    await reading;
    expect(stateTypes()).toEqual(['PENDING', 'RUNNING', 'SUCCESS']);
    const sequences = states.flatMap((e) => (e.kind === 'state' ? [e.sequence] : []));
    expect(sequences).toEqual([1, 2, 3]);
    expect(stdout(logs)).toBe('one\ntwo\n');

    // Both resumed because their stream went silent, after twice the heartbeat the server announced.
    for (const errors of [reconnects, logReconnects]) {
      expect(errors.length).toBeGreaterThan(0);
      expect(errors[0]).toBeInstanceOf(StreamSilentError);
      expect((errors[0] as StreamSilentError).silenceMs).toBe(2 * HEARTBEAT_MS);
    }
    expect(proxy.routes).toContain(second.address);
    // The second server's log is the truth: the same states, each once.
    const direct = client(second.address);
    const log: number[] = [];
    for await (const event of direct.watchState(id, 0)) if (event.kind === 'state') log.push(event.sequence);
    expect(log).toEqual(sequences);
  });

  it('a configured silence limit overrides the announced interval, and 0 turns the watchdog off', async () => {
    const server = await serve(scratch('fsr-watchdog-'));
    proxy = await startRoundRobinProxy([server.address]);
    const viaService = client(proxy.address);
    const created = await call(viaService.raw, 'createWorkflow', stepsRequest('watchdog-config', [['main', ['sleep 300']]]));
    const id = created.workflow!.workflowId;
    await expect.poll(async () => (await viaService.getState(id)).state.type, { timeout: 20_000 }).toBe('RUNNING');

    server.child.kill('SIGSTOP');
    const silentAfter = new AbortController();
    const errors: unknown[] = [];
    const watching = (async () => {
      const events = followWorkflow(viaService, id, { silenceTimeoutMs: 200, reconnect: { maxAttempts: 2 }, signal: silentAfter.signal });
      for await (const event of events) void event;
    })().catch((err: unknown) => errors.push(err));
    await watching;
    expect(errors[0]).toBeInstanceOf(StreamSilentError);
    expect((errors[0] as StreamSilentError).silenceMs).toBe(200);
    // Each silent stream gave up its connection: the proxy saw a new connection per attempt.
    expect(proxy.routes.length).toBeGreaterThanOrEqual(2);

    const off = new AbortController();
    const routesBefore = proxy.routes.length;
    const offWatch = (async () => {
      for await (const event of followWorkflow(viaService, id, { silenceTimeoutMs: 0, signal: off.signal })) void event;
    })().catch((err: unknown) => err);
    await expect.poll(() => proxy!.routes.length).toBe(routesBefore + 1);
    // Without a watchdog the stream just waits: no new connection after five times the limit above.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(proxy.routes.length).toBe(routesBefore + 1);
    off.abort();
    expect((await offWatch as Error).name).toBe('CallCancelledError');
  });

  it('counts only the time spent waiting on the server, not the time the caller takes between events', async () => {
    const server = await startAppServer({ args: ['--heartbeat-interval-ms', '100'] });
    const viaService = client(server.address);
    try {
      const created = await call(server.client, 'createWorkflow', stepsRequest('watchdog-slow-caller', [['main', ['sleep 300']]]));
      const stopping = new AbortController();
      const reconnects: unknown[] = [];
      let heartbeats = 0;
      const events = followWorkflow(viaService, created.workflow!.workflowId, {
        silenceTimeoutMs: 300,
        signal: stopping.signal,
        onReconnect: (_n, err) => reconnects.push(err),
      });
      for await (const event of events) {
        if (event.kind !== 'heartbeat') continue;
        heartbeats += 1;
        // A caller slower than the limit: the heartbeats sent meanwhile wait in the stream.
        await new Promise((resolve) => setTimeout(resolve, 600));
        if (heartbeats === 3) break;
      }
      expect(reconnects).toEqual([]);
      await call(server.client, 'stopWorkflow', { workflowId: created.workflow!.workflowId, reason: 'test over', gracePeriod: undefined });
    } finally {
      await server.stop();
    }
  });
});
