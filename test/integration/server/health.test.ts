/**
 * grpc.health.v1 over a real server: overall and service entries, NOT_FOUND for unknown names,
 * engine entries that follow a fake engine's health() (observed through Watch, not by sleeping),
 * and Watch ending cleanly when the server shuts down.
 */
import { status as Code, type ClientReadableStream, type StatusObject } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineHealth } from '../../../src/engines/types.js';
import { RemoteWorkflowServiceService } from '../../../src/gen/flowserv/remote/v1/service.js';
import { engineHealthProbe } from '../../../src/server/health.js';
import { defineService } from '../../../src/server/service-adapter.js';
import { decodeStatusDetails } from '../../../src/wire/status-details.js';
import { rejection, unary } from '../../support/grpc-calls.js';
import { healthClient } from '../../support/grpc-clients.js';
import { startGrpcServer, type BareGrpcServer } from '../../support/grpc-server.js';

const SERVICE = 'flowserv.remote.v1.RemoteWorkflowService';

/** An engine whose health the test sets; health() fails outright when `throws` is set. */
function fakeEngine() {
  const engine = {
    name: 'fake',
    serving: true,
    throws: false,
    async health(): Promise<EngineHealth> {
      if (engine.throws) throw new Error('probe exploded');
      return engine.serving ? { serving: true } : { serving: false, detail: 'scheduler down' };
    },
  };
  return engine;
}

/** Collects Watch updates; `next(status)` resolves when that status is the next unread update. */
function watch(client: ReturnType<typeof healthClient>, service: string) {
  const call = (client.Watch as (req: object) => ClientReadableStream<{ status: string }>)({ service });
  const seen: string[] = [];
  let read = 0;
  let wake: (() => void) | undefined;
  call.on('data', ({ status }: { status: string }) => {
    seen.push(status);
    wake?.();
  });
  call.on('error', () => undefined);
  const ended = new Promise<StatusObject>((resolve) => call.on('status', resolve));
  return {
    call,
    seen,
    ended,
    async next(status: string): Promise<void> {
      while (read >= seen.length) await new Promise<void>((resolve) => (wake = resolve));
      expect(seen[read++]).toBe(status);
    },
  };
}

describe('health service', () => {
  const engine = fakeEngine();
  let server: BareGrpcServer;
  let client: ReturnType<typeof healthClient>;
  beforeAll(async () => {
    server = await startGrpcServer({
      services: [defineService(RemoteWorkflowServiceService, {})],
      healthProbes: [engineHealthProbe(engine)],
      config: { engineHealthIntervalMs: 100 },
    });
    client = healthClient(server.address);
    await server.server.health.probeNow();
  });
  afterAll(async () => {
    client?.close();
    await server?.close();
  });

  it('reports SERVING for the server and for the service name', async () => {
    expect(await unary(client, 'Check', { service: '' })).toEqual({ status: 'SERVING' });
    expect(await unary(client, 'Check', { service: SERVICE })).toEqual({ status: 'SERVING' });
  });

  it('answers NOT_FOUND (with ErrorInfo) for an unknown service', async () => {
    const err = await rejection(unary(client, 'Check', { service: 'no.such.Service' }));
    expect(err.code).toBe(Code.NOT_FOUND);
    expect(decodeStatusDetails(err.metadata)?.errorInfo?.reason).toBe('SERVICE_NOT_FOUND');
  });

  it('lists every entry, one per engine included', async () => {
    const { statuses } = await unary<{ statuses: Record<string, { status: string }> }>(client, 'List', {});
    expect(Object.keys(statuses).sort()).toEqual(['', 'engine/fake', SERVICE]);
  });

  it('flips an engine entry to NOT_SERVING when its health() says so, and back', async () => {
    const watcher = watch(client, 'engine/fake');
    await watcher.next('SERVING');
    engine.serving = false;
    await watcher.next('NOT_SERVING');
    expect(await unary(client, 'Check', { service: 'engine/fake' })).toEqual({ status: 'NOT_SERVING' });
    engine.serving = true;
    await watcher.next('SERVING');
    expect(watcher.seen).toEqual(['SERVING', 'NOT_SERVING', 'SERVING']);
    watcher.call.cancel();
  });

  it('treats a failing health() as NOT_SERVING', async () => {
    const watcher = watch(client, 'engine/fake');
    await watcher.next('SERVING');
    engine.throws = true;
    await watcher.next('NOT_SERVING');
    engine.throws = false;
    await watcher.next('SERVING');
    watcher.call.cancel();
  });

  it('sends SERVICE_UNKNOWN to a watcher of an unknown service and keeps the stream open', async () => {
    const watcher = watch(client, 'not.registered');
    await watcher.next('SERVICE_UNKNOWN');
    watcher.call.cancel();
    expect((await watcher.ended).code).toBe(Code.CANCELLED);
  });
});

describe('health on shutdown', () => {
  it('tells watchers NOT_SERVING and then ends their streams with OK', async () => {
    const server = await startGrpcServer({ services: [defineService(RemoteWorkflowServiceService, {})] });
    const client = healthClient(server.address);
    const watcher = watch(client, '');
    await watcher.next('SERVING');
    const drained = server.server.shutdown('test');
    await watcher.next('NOT_SERVING');
    expect((await watcher.ended).code).toBe(Code.OK);
    expect((await drained).forced).toBe(false);
    client.close();
  });
});
