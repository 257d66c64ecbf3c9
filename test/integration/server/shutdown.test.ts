/**
 * Graceful shutdown of the real `flowserv-remote serve` process and of an in-process server:
 * SIGTERM ends open streams cleanly and the process exits 0; a stream that does not end is
 * cancelled after the grace period; calls during the drain get UNAVAILABLE; a bad configuration
 * stops the CLI before it serves, naming every bad setting.
 */
import { status as Code, type ClientDuplexStream, type ClientReadableStream, type StatusObject } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { RemoteWorkflowServiceService } from '../../../src/gen/flowserv/remote/v1/service.js';
import { defineService } from '../../../src/server/service-adapter.js';
import { rejection, unary } from '../../support/grpc-calls.js';
import { healthClient, reflectionClient, remoteClient } from '../../support/grpc-clients.js';
import { startGrpcServer } from '../../support/grpc-server.js';
import { runCliProcess, spawnServer, type ServerProcess } from '../../support/server-process.js';

const running: ServerProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
});

/** Opens Health.Watch("") and resolves once the first SERVING arrives. */
async function openWatch(address: string) {
  const client = healthClient(address);
  const call = (client.Watch as (req: object) => ClientReadableStream<{ status: string }>)({ service: '' });
  const statuses: string[] = [];
  call.on('error', () => undefined);
  const ended = new Promise<StatusObject>((resolve) => call.on('status', resolve));
  await new Promise<void>((resolve) =>
    call.on('data', ({ status }: { status: string }) => {
      statuses.push(status);
      resolve();
    }),
  );
  return { client, statuses, ended };
}

describe('flowserv-remote serve process', () => {
  it('on SIGTERM ends an open stream cleanly, refuses new calls and exits 0', async () => {
    const server = await spawnServer();
    running.push(server);
    const address = `127.0.0.1:${server.port}`;
    const watch = await openWatch(address);
    expect(watch.statuses).toEqual(['SERVING']);

    server.child.kill('SIGTERM');
    const status = await watch.ended;
    expect(status.code).toBe(Code.OK);
    expect(watch.statuses).toEqual(['SERVING', 'NOT_SERVING']);
    expect(await server.exited).toBe(0);

    const late = healthClient(address);
    const err = await rejection(unary(late, 'Check', { service: '' }));
    expect(err.code).toBe(Code.UNAVAILABLE);
    late.close();
    watch.client.close();
    expect(server.lines.find((l) => l.msg === 'stopped')).toMatchObject({ forced: false });
  });

  it('cancels a stream that does not end once the grace period is over, then exits 0', async () => {
    const graceMs = 300;
    const server = await spawnServer(['--shutdown-grace-ms', String(graceMs)]);
    running.push(server);
    // A reflection stream stays open as long as the client keeps its side open: it ignores the drain.
    const client = reflectionClient(`127.0.0.1:${server.port}`, 'v1');
    const call = (client.serverReflectionInfo as () => ClientDuplexStream<object, unknown>)();
    call.on('error', () => undefined);
    const ended = new Promise<StatusObject>((resolve) => call.on('status', resolve));
    await new Promise((resolve) => {
      call.once('data', resolve);
      call.write({ listServices: '*' });
    });

    const signalledAt = performance.now();
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    const elapsedMs = performance.now() - signalledAt;
    expect(elapsedMs).toBeGreaterThanOrEqual(graceMs);
    expect((await ended).code).not.toBe(Code.OK);
    expect(server.lines.find((l) => l.msg === 'stopped after cancelling open calls')).toMatchObject({ forced: true });
    client.close();
  });

  it('refuses to start with an invalid configuration, naming every bad setting', async () => {
    const result = await runCliProcess(['serve', '--port', '70000', '--shutdown-grace-ms', '-5'], { FLOWSERV_REMOTE_LOG_LEVEL: 'loud' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('port (--port): must be an integer 0..65535');
    expect(result.stderr).toContain('logLevel (FLOWSERV_REMOTE_LOG_LEVEL): must be one of');
    expect(result.stderr).toContain('shutdownGraceMs (--shutdown-grace-ms): must be an integer >= 0');
    expect(result.stdout).not.toContain('listening');
  });

  it('lists its commands and rejects unknown ones', async () => {
    const unknown = await runCliProcess(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
    expect(unknown.stderr).toMatch(/serve\s+run the gRPC server/);
  });
});

describe('drain of an in-process server', () => {
  it('answers UNAVAILABLE to new calls while a stream is still open, then forces it after the grace', async () => {
    let started!: () => void;
    const streamStarted = new Promise<void>((resolve) => (started = resolve));
    const registration = defineService(RemoteWorkflowServiceService, {
      // Ignores shutdownSignal on purpose: only the forced shutdown ends it.
      async *watchState(_request, ctx) {
        started();
        yield { event: { $case: 'heartbeat', value: { time: new Date(0), lastSequence: 0 } } };
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
      },
    });
    const server = await startGrpcServer({ services: [registration], config: { shutdownGraceMs: 1_000 } });
    const client = remoteClient(server.address);
    const call = client.watchState({ workflowId: 'w', afterSequence: 0 });
    call.on('data', () => undefined);
    call.on('error', () => undefined);
    const ended = new Promise<StatusObject>((resolve) => call.on('status', resolve));
    await streamStarted;

    const drained = server.server.shutdown('test');
    const other = healthClient(server.address);
    const err = await rejection(unary(other, 'Check', { service: '' }));
    expect(err.code).toBe(Code.UNAVAILABLE);

    const result = await drained;
    expect(result.forced).toBe(true);
    expect(result.durationMs).toBeGreaterThanOrEqual(1_000);
    expect((await ended).code).toBe(Code.CANCELLED);
    other.close();
    client.close();
  });
});
