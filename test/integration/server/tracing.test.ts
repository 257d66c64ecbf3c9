/**
 * OpenTelemetry tracing end to end: a real `serve` process configured only by the standard
 * OTEL_* variables exports its spans over OTLP/HTTP (JSON) to a receiver in this test. One RPC
 * gives one SERVER span, child of the caller's span from `traceparent`; CreateWorkflow's
 * staging, store commits and engine submit are children of it; the answer's `traceresponse`
 * and the job's TRACEPARENT name that server span. Without OTEL_* variables nothing is exported.
 */
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteWorkflowServiceClient, type CreateWorkflowResponse, type DownloadFileResponse, type WatchStateResponse } from '../../../src/gen/flowserv/remote/v1/service.js';
import { parseTraceparent } from '../../../src/server/trace-context.js';
import { collect } from '../../support/grpc-calls.js';
import { spawnServerProcess, type ServerProcess } from '../../support/server-process.js';
import { shellRequest } from '../../support/shell-request.js';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN = 'b7ad6b7169203331';

interface ExportedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly kind: number;
}

/** An OTLP/HTTP JSON receiver: collects every span POSTed to /v1/traces. */
function startReceiver(): Promise<{ server: Server; url: string; spans: ExportedSpan[] }> {
  const spans: ExportedSpan[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const payload = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: ExportedSpan[] }[] }[] };
        for (const rs of payload.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, spans })));
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await pause(50);
  }
}

describe('OpenTelemetry tracing, configured by OTEL_* variables', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let server: ServerProcess;
  let client: RemoteWorkflowServiceClient;

  beforeAll(async () => {
    receiver = await startReceiver();
    server = await spawnServerProcess(mkdtempSync(join(tmpdir(), 'fsr-otel-')), [], {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_SERVICE_NAME: 'flowserv-remote-test',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
    });
    client = new RemoteWorkflowServiceClient(server.address, credentials.createInsecure());
  });
  afterAll(async () => {
    client?.close();
    server?.child.kill('SIGTERM');
    await server?.exited;
    receiver?.server.close();
  });

  it('exports one server span per RPC with staging, store commit and engine submit as children', async () => {
    expect(server.lines.some((l) => l.msg === 'OpenTelemetry tracing on')).toBe(true);
    const metadata = new Metadata();
    metadata.set('traceparent', `00-${TRACE}-${CALLER_SPAN}-01`);
    let header: string | undefined;
    const created = await new Promise<CreateWorkflowResponse>((resolve, reject) => {
      const call = client.createWorkflow(
        shellRequest('otel-1', ['printf %s "$$TRACEPARENT" > out.txt'], { outputs: ['out.txt'] }),
        metadata,
        (err: ServiceError | null, res?: CreateWorkflowResponse) => (err ? reject(err) : resolve(res!)),
      );
      call.on('metadata', (m: Metadata) => (header = m.get('traceresponse')[0] as string));
    });

    const rpc = await until('the CreateWorkflow server span', () =>
      receiver.spans.find((s) => s.traceId === TRACE && s.name === 'grpc.flowserv.remote.v1.RemoteWorkflowService/CreateWorkflow'),
    );
    expect(rpc.kind).toBe(2); // SPAN_KIND_SERVER in OTLP
    expect(rpc.parentSpanId).toBe(CALLER_SPAN);
    const children = await until('the child spans', () => {
      const found = receiver.spans.filter((s) => s.parentSpanId === rpc.spanId).map((s) => s.name);
      return ['stage', 'store.commit', 'engine.submit'].every((name) => found.includes(name)) ? found : undefined;
    });
    expect(children).toEqual(expect.arrayContaining(['stage', 'store.commit', 'engine.submit']));
    expect(parseTraceparent(header)).toEqual({ traceId: TRACE, spanId: rpc.spanId, flags: '01' });

    const workflowId = created.workflow!.workflowId;
    await collect<WatchStateResponse>(client.watchState({ workflowId, afterSequence: 0 }));
    const parts = await collect<DownloadFileResponse>(client.downloadFile({ workflowId, path: 'out.txt', offset: 0 }));
    expect(Buffer.concat(parts.map((p) => Buffer.from(p.chunk))).toString()).toBe(header);
    const rpcLines = server.lines.filter((l) => l.msg === 'rpc' && l.rpc === 'flowserv.remote.v1.RemoteWorkflowService/CreateWorkflow');
    expect(rpcLines.map((l) => l.traceId)).toEqual([TRACE]);
  });

  it('starts a trace of its own for a caller without traceparent', async () => {
    let header: string | undefined;
    await new Promise<void>((resolve, reject) => {
      const call = client.getServiceInfo({}, (err) => (err ? reject(err) : resolve()));
      call.on('metadata', (m: Metadata) => (header = m.get('traceresponse')[0] as string));
    });
    const answered = parseTraceparent(header)!;
    const span = await until('the GetServiceInfo span', () => receiver.spans.find((s) => s.spanId === answered.spanId));
    expect(span).toMatchObject({ traceId: answered.traceId, name: 'grpc.flowserv.remote.v1.RemoteWorkflowService/GetServiceInfo' });
    expect(span.parentSpanId ?? '').toBe('');
  });
});
