/**
 * W3C trace context through the real server: the caller's traceparent is accepted, the trace id
 * is in every log line of the call, the answer carries `traceresponse` (headers, or trailers of
 * an early error), and a job created by the call sees TRACEPARENT with the same trace.
 */
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { RemoteWorkflowServiceClient, type DownloadFileResponse, type WatchStateResponse } from '../../../src/gen/flowserv/remote/v1/service.js';
import { parseTraceparent } from '../../../src/server/trace-context.js';
import { collect } from '../../support/grpc-calls.js';
import { shellRequest } from '../../support/shell-request.js';
import { memoryLogger, type LogLine } from '../../support/logger.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
const CALLER = `00-${TRACE}-${CALLER_SPAN}-01`;

let app: App;
let client: RemoteWorkflowServiceClient;
let lines: LogLine[];

beforeAll(async () => {
  const memory = memoryLogger();
  lines = memory.lines;
  const dataDir = mkdtempSync(join(tmpdir(), 'fsr-trace-'));
  app = await createApp(loadConfig({}, ['--port', '0', '--data-dir', dataDir, '--log-level', 'debug']), { logger: memory.logger });
  const port = await app.start();
  client = new RemoteWorkflowServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
});
afterAll(async () => {
  client?.close();
  await app?.stop('test over');
});

function withTrace(value?: string): Metadata {
  const metadata = new Metadata();
  if (value !== undefined) metadata.set('traceparent', value);
  return metadata;
}

/** Runs a unary call; resolves with the response headers' traceresponse, the error (if any) and its trailers' traceresponse. */
function traced<Req, Res>(
  method: (req: Req, metadata: Metadata, callback: (err: ServiceError | null, res?: Res) => void) => { on(event: 'metadata', listener: (m: Metadata) => void): unknown },
  req: Req,
  metadata: Metadata,
): Promise<{ header: string | undefined; response?: Res; err?: ServiceError; trailer: string | undefined }> {
  return new Promise((resolve) => {
    let header: string | undefined;
    const call = method.call(client, req, metadata, (err, response) => {
      const trailer = err?.metadata.get('traceresponse')[0] as string | undefined;
      resolve({ header, ...(response !== undefined && { response }), ...(err && { err }), trailer });
    });
    call.on('metadata', (m) => (header = m.get('traceresponse')[0] as string | undefined));
  });
}

const linesOf = (traceId: string) => lines.filter((l) => l.traceId === traceId);

describe('trace context', () => {
  it('keeps the caller\'s trace, answers with a span of its own, and logs the trace id', async () => {
    const { header, err } = await traced(client.getServiceInfo, {}, withTrace(CALLER));
    expect(err).toBeUndefined();
    const answered = parseTraceparent(header)!;
    expect(answered).toMatchObject({ traceId: TRACE, flags: '01' });
    expect(answered.spanId).not.toBe(CALLER_SPAN);
    expect(linesOf(TRACE).map((l) => l.msg)).toContain('rpc');
  });

  it('starts a new trace for a caller without one (or with a broken one) and logs it', async () => {
    for (const incoming of [undefined, `00-${TRACE.toUpperCase()}-${CALLER_SPAN}-01`]) {
      const { header } = await traced(client.getServiceInfo, {}, withTrace(incoming));
      const answered = parseTraceparent(header)!;
      expect(answered.traceId).not.toBe(TRACE);
      expect(answered.flags).toBe('00');
      expect(linesOf(answered.traceId).some((l) => l.msg === 'rpc' && l.rpc === 'flowserv.remote.v1.RemoteWorkflowService/GetServiceInfo')).toBe(true);
    }
  });

  it('returns the trace in the trailers of an error answer', async () => {
    const { err, trailer } = await traced(client.getWorkflowState, { workflowId: 'missing', currentState: undefined }, withTrace(CALLER));
    expect(err?.code).toBe(5);
    expect(parseTraceparent(trailer)?.traceId).toBe(TRACE);
    expect(linesOf(TRACE).some((l) => l.msg === 'rpc' && l.code === 'NOT_FOUND')).toBe(true);
  });

  it('hands the creating call\'s trace context to the job as TRACEPARENT', async () => {
    const req = shellRequest('traced-job', ['printf %s "$$TRACEPARENT" > out.txt'], { outputs: ['out.txt'] });
    const { header, response, err } = await traced(client.createWorkflow, req, withTrace(CALLER));
    expect(err?.message).toBeUndefined();
    const workflowId = (response as { workflow: { workflowId: string } }).workflow.workflowId;
    await collect<WatchStateResponse>(client.watchState({ workflowId, afterSequence: 0 }));
    const parts = await collect<DownloadFileResponse>(client.downloadFile({ workflowId, path: 'out.txt', offset: 0 }));
    const seen = Buffer.concat(parts.map((p) => Buffer.from(p.chunk))).toString();
    expect(seen).toBe(header);
    expect(parseTraceparent(seen)?.traceId).toBe(TRACE);
    // Every line the call wrote carries the trace id, the handler's own lines included.
    const createLines = lines.filter((l) => l.rpc === 'flowserv.remote.v1.RemoteWorkflowService/CreateWorkflow');
    expect(createLines.length).toBeGreaterThan(0);
    expect(createLines.every((l) => l.traceId === TRACE)).toBe(true);
  });
});
