/**
 * The handler adapter over a real server and the generated client: errors arrive as status
 * codes with ErrorInfo/BadRequest, missing handlers answer UNIMPLEMENTED, one access-log line per
 * call, and cancellation reaches the handler as an aborted signal (and only a real cancel does).
 */
import { Metadata, status as Code, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, WorkflowNotFoundError } from '../../../src/errors.js';
import { RemoteWorkflowServiceService, type WatchStateResponse } from '../../../src/gen/flowserv/remote/v1/service.js';
import type { CallContext } from '../../../src/server/call-context.js';
import { defineService } from '../../../src/server/service-adapter.js';
import { INTERNAL_MESSAGE } from '../../../src/server/status.js';
import { decodeStatusDetails } from '../../../src/wire/status-details.js';
import { rejection } from '../../support/grpc-calls.js';
import { remoteClient } from '../../support/grpc-clients.js';
import { startGrpcServer, type BareGrpcServer } from '../../support/grpc-server.js';

/** Promise that a test resolves from inside a handler. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('service adapter over a real server', () => {
  let server: BareGrpcServer;
  let client: ReturnType<typeof remoteClient>;
  const watchStarted = deferred<CallContext>();
  const watchCleanedUp = deferred<string>();
  let lastUnaryCtx: CallContext | undefined;

  beforeAll(async () => {
    const registration = defineService(RemoteWorkflowServiceService, {
      async getWorkflow(request, ctx) {
        lastUnaryCtx = ctx;
        if (request.workflowId === 'wf-joined') ctx.logger.info('handler says hello');
        if (request.workflowId === 'missing') throw new WorkflowNotFoundError('missing');
        if (request.workflowId === 'invalid') {
          throw new InvalidArgumentError('bad id', [{ field: 'workflow_id', description: 'not a uuid', reason: 'INVALID_ENUM' }]);
        }
        if (request.workflowId === 'boom') throw new Error('disk /var/secret exploded');
        return { workflow: undefined };
      },
      async *watchState(request, ctx) {
        if (request.workflowId === 'fail-after-one') {
          yield { event: { $case: 'heartbeat', value: { time: new Date(0), lastSequence: 0 } } };
          throw new WorkflowNotFoundError('fail-after-one');
        }
        watchStarted.resolve(ctx);
        try {
          yield { event: { $case: 'heartbeat', value: { time: new Date(0), lastSequence: 0 } } };
          await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
        } finally {
          watchCleanedUp.resolve(ctx.signal.aborted ? 'aborted' : 'not aborted');
        }
      },
    });
    server = await startGrpcServer({ services: [registration] });
    client = remoteClient(server.address);
  });
  afterAll(async () => {
    client?.close();
    await server?.close();
  });

  const getWorkflow = (workflowId: string) =>
    new Promise<unknown>((resolve, reject) => client.getWorkflow({ workflowId }, (err, res) => (err ? reject(err) : resolve(res))));

  it('sends a ServiceError as its code with ErrorInfo', async () => {
    const err = await rejection(getWorkflow('missing'));
    expect(err.code).toBe(Code.NOT_FOUND);
    expect(err.details).toBe("unknown workflow 'missing'");
    expect(decodeStatusDetails(err.metadata)?.errorInfo).toEqual({ reason: 'WORKFLOW_NOT_FOUND', domain: 'flowserv.remote.v1', metadata: { workflow_id: 'missing' } });
  });

  it('sends validation errors with BadRequest field violations', async () => {
    const err = await rejection(getWorkflow('invalid'));
    expect(err.code).toBe(Code.INVALID_ARGUMENT);
    expect(decodeStatusDetails(err.metadata)?.fieldViolations).toEqual([{ field: 'workflow_id', description: 'not a uuid', reason: 'INVALID_ENUM' }]);
  });

  it('hides unknown errors behind INTERNAL and logs them once', async () => {
    const err = await rejection(getWorkflow('boom'));
    expect(err.code).toBe(Code.INTERNAL);
    expect(err.details).toBe(INTERNAL_MESSAGE);
    expect(JSON.stringify(err.metadata.toJSON())).not.toContain('secret');
    const logged = server.lines.filter((l) => l.msg === 'internal error in handler');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ rpc: 'flowserv.remote.v1.RemoteWorkflowService/GetWorkflow', workflowId: 'boom' });
  });

  it('answers UNIMPLEMENTED with ErrorInfo for methods without a handler', async () => {
    const err = await rejection(
      new Promise((resolve, reject) => client.getServiceInfo({}, (e, r) => (e ? reject(e) : resolve(r)))),
    );
    expect(err.code).toBe(Code.UNIMPLEMENTED);
    expect(decodeStatusDetails(err.metadata)?.errorInfo?.reason).toBe('UNIMPLEMENTED');
  });

  it('writes one access-log line per call with rpc, code, durationMs, workflowId and peer', async () => {
    await getWorkflow('wf-logged');
    const lines = server.lines.filter((l) => l.msg === 'rpc' && l.workflowId === 'wf-logged');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'info', rpc: 'flowserv.remote.v1.RemoteWorkflowService/GetWorkflow', code: 'OK' });
    expect(typeof lines[0]!.durationMs).toBe('number');
    expect(lines[0]!.peer).toMatch(/127\.0\.0\.1:\d+/);
  });

  it('joins the handler\'s lines to the access-log line by the call\'s own span id, new per call, never the caller\'s', async () => {
    const callerTrace = '0af7651916cd43dd8448eb211c80319c';
    const callerSpan = 'b7ad6b7169203331';
    const metadata = new Metadata();
    metadata.set('traceparent', `00-${callerTrace}-${callerSpan}-01`);
    await new Promise((resolve, reject) => client.getWorkflow({ workflowId: 'wf-joined' }, metadata, (err, res) => (err ? reject(err) : resolve(res))));
    await getWorkflow('wf-joined');
    const handlerLines = server.lines.filter((l) => l.msg === 'handler says hello');
    const accessLines = server.lines.filter((l) => l.msg === 'rpc' && l.workflowId === 'wf-joined');
    expect(handlerLines).toHaveLength(2);
    expect(accessLines.map((l) => [l.traceId, l.spanId])).toEqual(handlerLines.map((l) => [l.traceId, l.spanId]));
    expect(accessLines[0]!.traceId).toBe(callerTrace);
    const spans = accessLines.map((l) => l.spanId);
    expect(new Set(spans).size).toBe(2);
    expect(spans).not.toContain(callerSpan);
    expect(spans.every((id) => typeof id === 'string' && /^[0-9a-f]{16}$/.test(id))).toBe(true);
  });

  it('does not abort the signal of a call that completed (grpc-js emits cancelled at every end)', async () => {
    await getWorkflow('wf-done');
    const ctx = lastUnaryCtx!;
    await getWorkflow('wf-another');
    expect(ctx.signal.aborted).toBe(false);
  });

  it('ends a stream with the mapped status when the generator throws after sending', async () => {
    const call = client.watchState({ workflowId: 'fail-after-one', afterSequence: 0 });
    const received: WatchStateResponse[] = [];
    call.on('data', (m: WatchStateResponse) => received.push(m));
    const err = await new Promise<ServiceError>((resolve) => call.on('error', resolve));
    expect(received).toHaveLength(1);
    expect(err.code).toBe(Code.NOT_FOUND);
    expect(decodeStatusDetails(err.metadata)?.errorInfo?.reason).toBe('WORKFLOW_NOT_FOUND');
  });

  it('aborts the handler signal and runs the generator cleanup when the client cancels', async () => {
    const call = client.watchState({ workflowId: 'wf-watch', afterSequence: 0 });
    call.on('error', () => undefined);
    const first = new Promise((resolve) => call.once('data', resolve));
    const ctx = await watchStarted.promise;
    await first;
    expect(ctx.signal.aborted).toBe(false);
    call.cancel();
    expect(await watchCleanedUp.promise).toBe('aborted');
    const cancelled = await new Promise<Record<string, unknown>>((resolve) => {
      const check = () => {
        const line = server.lines.find((l) => l.msg === 'rpc' && l.workflowId === 'wf-watch');
        if (line) resolve(line);
        else setImmediate(check);
      };
      check();
    });
    expect(cancelled.code).toBe('CANCELLED');
  });
});
