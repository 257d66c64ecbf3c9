/**
 * Every typed error the client raises, each provoked for real against the server (or a closed
 * port), plus cancellation through AbortSignal (the call ends, the workflow does not) and a
 * CreateWorkflow retried after its response was lost (replayed, not duplicated).
 */
import { InterceptingCall, Metadata, status as Code, type Interceptor } from '@grpc/grpc-js';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AlreadyExistsError,
  CallCancelledError,
  DeadlineExceededError,
  FailedPreconditionError,
  FileSystemStorage,
  GrpcRemoteClient,
  IOBuffer,
  InvalidArgumentError,
  OutOfRangeError,
  ResourceExhaustedError,
  UnavailableError,
  WorkflowNotFoundError,
  type RemoteWorkflowHandle,
} from '../../../src/client/index.js';
import { ERROR_DOMAIN, ErrorReason } from '../../../src/errors.js';
import { StatePending } from '../../../src/model/index.js';
import { startAppServer, type AppServer } from '../../support/app-server.js';
import { helloWorld, runId, scratch } from '../../support/fixtures.js';

let server: AppServer;
let client: GrpcRemoteClient;

beforeAll(async () => {
  server = await startAppServer({ args: ['--max-upload-bytes', '4096'] });
  client = new GrpcRemoteClient(server.address);
});

afterAll(async () => {
  client.close();
  await server.stop();
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

async function longRun(label: string): Promise<RemoteWorkflowHandle> {
  const { template, staticfs, args } = helloWorld();
  return client.createWorkflow({ runId: runId(label) }, template, { ...args, sleeptime: 60 }, staticfs);
}

describe('typed errors', () => {
  it('NOT_FOUND: an unknown workflow id', async () => {
    const err = await rejection(client.getWorkflowState('0'.repeat(32), new StatePending()));
    expect(err).toBeInstanceOf(WorkflowNotFoundError);
    const e = err as WorkflowNotFoundError;
    expect(e.code).toBe(Code.NOT_FOUND);
    expect(e.reason).toBe(ErrorReason.WORKFLOW_NOT_FOUND);
    expect(e.domain).toBe(ERROR_DOMAIN);
    expect(e.workflowId).toBe('0'.repeat(32));
  });

  it('INVALID_ARGUMENT: violations name the parameter', async () => {
    const { template, staticfs, args } = helloWorld();
    const err = await rejection(client.createWorkflow({ runId: runId('bad') }, template, { ...args, sleeptime: 'soon' }, staticfs));
    expect(err).toBeInstanceOf(InvalidArgumentError);
    const e = err as InvalidArgumentError;
    expect(e.reason).toBe(ErrorReason.INVALID_ARGUMENT);
    expect(e.violations.some((v) => v.field.includes('sleeptime'))).toBe(true);
  });

  it('ALREADY_EXISTS: the same run id with a different payload', async () => {
    const { template, staticfs, args } = helloWorld();
    const run = { runId: runId('dup') };
    await client.createWorkflow(run, template, args, staticfs);
    const err = await rejection(client.createWorkflow(run, template, { ...args, sleeptime: 1 }, staticfs));
    expect(err).toBeInstanceOf(AlreadyExistsError);
    expect((err as AlreadyExistsError).reason).toBe(ErrorReason.ALREADY_EXISTS);
  });

  it('FAILED_PRECONDITION: downloading before SUCCESS', async () => {
    const handle = await longRun('early');
    const err = await rejection(client.downloadFile(handle.workflowId, 'results/greetings.txt', new FileSystemStorage(scratch())));
    expect(err).toBeInstanceOf(FailedPreconditionError);
    await client.stopWorkflow(handle.workflowId, { graceMs: 0 });
  });

  it('OUT_OF_RANGE: a watch cursor ahead of the log', async () => {
    const handle = await longRun('cursor');
    const err = await rejection((async () => {
      for await (const _ of client.watchState(handle.workflowId, 999)) void _;
    })());
    expect(err).toBeInstanceOf(OutOfRangeError);
    await client.stopWorkflow(handle.workflowId, { graceMs: 0 });
  });

  it('RESOURCE_EXHAUSTED: an upload above --max-upload-bytes', async () => {
    const err = await rejection(client.uploadFile(new IOBuffer(Buffer.alloc(64 * 1024, 7))));
    expect(err).toBeInstanceOf(ResourceExhaustedError);
    expect((err as ResourceExhaustedError).metadata.max_upload_bytes).toBe('4096');
  });

  it('UNAVAILABLE: nothing listens on the port (after bounded retries)', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const down = new GrpcRemoteClient(`127.0.0.1:${port}`, { retry: { maxAttempts: 3, initialBackoffMs: 20 } });
    const started = Date.now();
    const err = await rejection(down.getWorkflow('x', { timeoutMs: 2_000 }));
    expect(err).toBeInstanceOf(UnavailableError);
    expect(Date.now() - started).toBeLessThan(2_000);
    down.close();
  });

  it('DEADLINE_EXCEEDED: timeoutMs on a watch that outlives it', async () => {
    const handle = await longRun('deadline');
    const err = await rejection((async () => {
      for await (const _ of client.watchState(handle.workflowId, 0, { timeoutMs: 300 })) void _;
    })());
    expect(err).toBeInstanceOf(DeadlineExceededError);
    await client.stopWorkflow(handle.workflowId, { graceMs: 0 });
  });
});

describe('cancellation', () => {
  it('aborting a watch gives CallCancelledError and the workflow keeps running', async () => {
    const handle = await longRun('abort');
    const ac = new AbortController();
    const err = await rejection((async () => {
      for await (const ev of client.watchState(handle.workflowId, 0, { signal: ac.signal })) {
        if (ev.kind === 'state') ac.abort();
      }
    })());
    expect(err).toBeInstanceOf(CallCancelledError);
    const wf = await client.getWorkflow(handle.workflowId);
    expect(wf.state.isActive()).toBe(true);
    await client.stopWorkflow(handle.workflowId, { graceMs: 0 });
  });

  it('aborting an in-flight unary call and an already aborted signal both give CallCancelledError', async () => {
    const handle = await longRun('abort2');
    const ac = new AbortController();
    const pending = client.getWorkflowState(handle.workflowId, handle.state, { signal: ac.signal });
    ac.abort();
    expect(await rejection(pending)).toBeInstanceOf(CallCancelledError);
    expect(await rejection(client.getWorkflow(handle.workflowId, { signal: ac.signal }))).toBeInstanceOf(CallCancelledError);
    expect((await client.getWorkflow(handle.workflowId)).state.isActive()).toBe(true);
    await client.stopWorkflow(handle.workflowId, { graceMs: 0 });
  });
});

describe('retries', () => {
  it('CreateWorkflow whose response is lost is retried with the same request id and replayed', async () => {
    let creates = 0;
    const loseFirstCreate: Interceptor = (options, next) => {
      if (!options.method_definition.path.endsWith('/CreateWorkflow')) return new InterceptingCall(next(options));
      const attempt = ++creates;
      return new InterceptingCall(next(options), {
        start: (metadata, listener, start) =>
          start(metadata, {
            onReceiveStatus: (status, nextStatus) =>
              nextStatus(attempt === 1 ? { code: Code.UNAVAILABLE, details: 'response lost', metadata: new Metadata() } : status),
          }),
      });
    };
    const flaky = new GrpcRemoteClient(server.address, { channelOptions: { interceptors: [loseFirstCreate] } });
    const { template, staticfs, args } = helloWorld();
    const run = { runId: runId('lost') };
    const handle = await flaky.createWorkflow(run, template, args, staticfs);
    expect(creates).toBe(2);
    const all = (await client.listWorkflows({ pageSize: 500 })).workflows.filter((w) => w.runId === run.runId);
    expect(all.map((w) => w.workflowId)).toEqual([handle.workflowId]);
    flaky.close();
  });
});
