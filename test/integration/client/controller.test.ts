/**
 * RemoteWorkflowController against the real server: every state reported once and in order,
 * outputs in the runstore before SUCCESS, resumption after the connection (and so the server's
 * stream) is cut mid-run, polling when WatchState is unimplemented, cancel, and forgetting
 * finished runs.
 */
import { InterceptingCall, Metadata, status as Code, type Interceptor } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileSystemStorage, GrpcRemoteClient, RemoteWorkflowController, readAll, type StorageVolume } from '../../../src/client/index.js';
import type { WorkflowState } from '../../../src/model/index.js';
import { startAppServer, type AppServer } from '../../support/app-server.js';
import { helloWorld, runId, scratch } from '../../support/fixtures.js';
import { startRoundRobinProxy } from '../../support/round-robin-proxy.js';

let server: AppServer;

beforeAll(async () => {
  server = await startAppServer();
});

afterAll(async () => {
  await server.stop();
});

/** Collects the listener's calls; `next(type)` resolves when a state of that type is reported. */
function recorder() {
  const states: { runId: string; state: WorkflowState; files: string[] }[] = [];
  const waiters: { type: string; resolve: () => void }[] = [];
  const listener = async (id: string, state: WorkflowState, runstore: StorageVolume) => {
    const files = (await runstore.walk('')).map(([k]) => k);
    states.push({ runId: id, state, files });
    for (const w of waiters.filter((w) => w.type === state.type)) w.resolve();
  };
  const next = (type: string) =>
    states.some((s) => s.state.type === type) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ type, resolve }));
  return { states, listener, next, types: () => states.map((s) => s.state.type) };
}

describe('RemoteWorkflowController', () => {
  it('reports PENDING, RUNNING, SUCCESS once each, in order, with the outputs present at SUCCESS', async () => {
    const client = new GrpcRemoteClient(server.address);
    const rec = recorder();
    const controller = new RemoteWorkflowController(client, { onStateChange: rec.listener });
    const { template, staticfs, args } = helloWorld({ sleeptime: 0 });
    const run = { runId: runId('ctl') };
    const result = await controller.execWorkflow(run, template, args, staticfs);
    expect(result.state.isActive()).toBe(true);
    expect(controller.activeRuns()).toEqual([run.runId]);
    const final = await result.done;
    expect(final?.type).toBe('SUCCESS');
    expect(rec.types()).toEqual(['PENDING', 'RUNNING', 'SUCCESS']);
    expect(rec.states.at(-1)!.files.sort()).toEqual(['results/analytics.json', 'results/greetings.txt']);
    expect((await readAll(result.runstore!.load('results/greetings.txt'))).toString()).toBe('Hello Alice!\nHello Bob!\n');
    expect(controller.activeRuns()).toEqual([]);
    client.close();
  });

  it('sync mode returns the final state', async () => {
    const client = new GrpcRemoteClient(server.address);
    const controller = new RemoteWorkflowController(client, { isAsync: false });
    const { template, staticfs, args } = helloWorld({ invalid: true });
    const result = await controller.execWorkflow({ runId: runId('sync') }, template, args, staticfs);
    expect(result.state.type).toBe('ERROR');
    client.close();
  });

  it('a failed submission is an ERROR state with a null runstore', async () => {
    const client = new GrpcRemoteClient(server.address);
    const controller = new RemoteWorkflowController(client);
    const { template, staticfs } = helloWorld();
    const result = await controller.execWorkflow({ runId: runId('bad') }, template, { sleeptime: 0 }, staticfs);
    expect(result.state.type).toBe('ERROR');
    expect(result.runstore).toBeNull();
    expect(result.state.type === 'ERROR' && result.state.messages.join('\n')).toContain('names');
    client.close();
  });

  it('resumes after the connection is cut mid-run: no state lost or repeated', async () => {
    const proxy = await startRoundRobinProxy([server.address]);
    const client = new GrpcRemoteClient(proxy.address);
    const direct = new GrpcRemoteClient(server.address);
    const rec = recorder();
    const reconnects: number[] = [];
    const controller = new RemoteWorkflowController(client, {
      onStateChange: rec.listener,
      onReconnect: (_id, n) => reconnects.push(n),
    });
    const { template, staticfs, args } = helloWorld({ sleeptime: 1 });
    const run = { runId: runId('drop') };
    const { done } = await controller.execWorkflow(run, template, args, staticfs, { runstore: new FileSystemStorage(scratch()) });
    await rec.next('RUNNING');
    proxy.dropBackend(server.address, { closeConnections: true }); // refuses new connections, cuts the open one
    const wf = (await direct.listWorkflows()).workflows.find((w) => w.runId === run.runId)!;
    for await (const ev of direct.watchState(wf.workflowId, 0)) if (ev.kind === 'state' && !ev.state.isActive()) break;
    expect(rec.types()).toEqual(['PENDING', 'RUNNING']);
    proxy.addBackend(server.address);
    const final = await done;
    expect(final?.type).toBe('SUCCESS');
    expect(rec.types()).toEqual(['PENDING', 'RUNNING', 'SUCCESS']);
    expect(reconnects.length).toBeGreaterThan(0);
    expect(proxy.routes.filter((backend) => backend !== null).length).toBeGreaterThan(1);
    client.close();
    direct.close();
    await proxy.close();
  });

  it('polls GetWorkflowState when WatchState is unimplemented', async () => {
    const unimplementedWatch: Interceptor = (options, next) => {
      if (!options.method_definition.path.endsWith('/WatchState')) return new InterceptingCall(next(options));
      // The call is never started: the client sees the status a server without WatchState sends.
      return new InterceptingCall(next(options), {
        sendMessage: () => undefined,
        halfClose: () => undefined,
        start: (_md, listener) =>
          setImmediate(() => listener.onReceiveStatus({ code: Code.UNIMPLEMENTED, details: 'no streaming here', metadata: new Metadata() })),
      });
    };
    const client = new GrpcRemoteClient(server.address, { channelOptions: { interceptors: [unimplementedWatch] } });
    const rec = recorder();
    const controller = new RemoteWorkflowController(client, { onStateChange: rec.listener, pollIntervalMs: 50 });
    const { template, staticfs, args } = helloWorld({ sleeptime: 1 });
    const run = { runId: runId('poll') };
    const { done } = await controller.execWorkflow(run, template, args, staticfs);
    const final = await done;
    expect(final?.type).toBe('SUCCESS');
    const types = rec.types();
    expect(types.at(-1)).toBe('SUCCESS');
    expect(new Set(types).size).toBe(types.length);
    client.close();
  });

  it('cancelRun stops the workflow; CANCELED is reported once and the run forgotten', async () => {
    const client = new GrpcRemoteClient(server.address);
    const rec = recorder();
    const controller = new RemoteWorkflowController(client, { onStateChange: rec.listener });
    const { template, staticfs } = helloWorld();
    const run = { runId: runId('cancel') };
    const { done } = await controller.execWorkflow(run, template, { ...helloWorld().args, sleeptime: 30 }, staticfs);
    await rec.next('RUNNING');
    await controller.cancelRun(run.runId, 'test');
    const final = await done;
    expect(final?.type).toBe('CANCELED');
    expect(final?.type === 'CANCELED' && final.messages[0]).toBe('test');
    expect(rec.types()).toEqual(['PENDING', 'RUNNING', 'CANCELED']);
    expect(controller.activeRuns()).toEqual([]);
    client.close();
  });
});
