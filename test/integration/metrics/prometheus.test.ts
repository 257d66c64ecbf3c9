/**
 * Metrics end to end: a real server with its metrics listener on, a real Prometheus scraping it
 * every second (with the project's rules loaded), a known sequence of RPCs and workflows (one
 * SUCCESS, one replay, one ERROR, one CANCELED, failed and cancelled calls, health and
 * reflection), then every figure checked through Prometheus' HTTP query API.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ClientDuplexStream } from '@grpc/grpc-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DownloadFileResponse, WatchStateResponse } from '../../../src/gen/flowserv/remote/v1/service.js';
import { WorkflowStateType } from '../../../src/gen/flowserv/remote/v1/workflow.js';
import { call, callError, collect, unary } from '../../support/grpc-calls.js';
import { HELLOWORLD_DIR } from '../../support/fixtures.js';
import { helloWorldRequest } from '../../support/helloworld.js';
import { describeIfAvailable } from '../../support/requirements.js';
import { startAppServer, type AppServer } from '../../support/app-server.js';
import { healthClient, reflectionClient } from '../../support/grpc-clients.js';
import { prometheusMissing, startPrometheus, type PrometheusServer, type Sample } from './prometheus-server.js';

const RULES = join(import.meta.dirname, '..', '..', '..', 'deploy', 'prometheus', 'flowserv-rules.yml');
const SERVICE = 'flowserv.remote.v1.RemoteWorkflowService';

/** Messages and bytes one helloWorldRequest uploads (each file: a header, then 16 KiB chunks). */
function helloWorldUploads(names: string): { messages: number; bytes: number } {
  const walk = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
  const sizes = [...walk(HELLOWORLD_DIR).map((f) => statSync(f).size), Buffer.byteLength(names)];
  return { messages: sizes.reduce((sum, size) => sum + 1 + Math.ceil(size / 16_384), 0), bytes: sizes.reduce((a, b) => a + b, 0) };
}

const one = (expected: number) => (samples: Sample[]) => samples.length === 1 && samples[0]!.value === expected;
const single = (samples: Sample[]) => samples[0]!.value;

describeIfAvailable('metrics scraped by a real Prometheus', prometheusMissing(), () => {
  let server: AppServer;
  let prometheus: PrometheusServer;
  const workflowIds: string[] = [];
  let watchMessages = 0;

  beforeAll(async () => {
    server = await startAppServer({ args: ['--metrics-port', '0', '--engine-health-interval-ms', '500'] });
    prometheus = await startPrometheus(`127.0.0.1:${server.app.metricsPort()}`, [RULES]);
    await prometheus.waitFor('up{job="flowserv"}', one(1));
  }, 60_000);
  afterAll(async () => {
    await prometheus?.stop();
    await server?.stop();
  });

  const watchToEnd = async (workflowId: string) => {
    const events = await collect<WatchStateResponse>(server.client.watchState({ workflowId, afterSequence: 0 }));
    watchMessages += events.length;
    return events.flatMap((e) => (e.event?.$case === 'state' ? [e.event.value.type] : []));
  };

  it('counts calls, workflows and bytes as a known sequence of RPCs left them', async () => {
    const { client } = server;
    for (let i = 0; i < 3; i++) await call(client, 'getServiceInfo', {});
    for (let i = 0; i < 2; i++) {
      const { err } = await callError(client, 'getWorkflowState', { workflowId: 'no-such-workflow', currentState: undefined });
      expect(err.code, err.message).toBe(5);
    }
    const health = healthClient(server.address);
    await unary(health, 'check', { service: '' });
    health.close();
    const reflection = reflectionClient(server.address, 'v1');
    const listing = (reflection.serverReflectionInfo as () => ClientDuplexStream<object, object>)();
    const answers = collect(listing);
    listing.write({ listServices: '' });
    listing.end();
    expect(await answers).toHaveLength(1);
    reflection.close();

    // SUCCESS, then the same request again (replayed), with a download of its 18-byte result.
    const success = await helloWorldRequest(client, { runId: 'metrics-ok', greeting: 'Hi' });
    const created = (await call(client, 'createWorkflow', success)).workflow!.workflowId;
    workflowIds.push(created);
    expect(await watchToEnd(created)).toContain(WorkflowStateType.WORKFLOW_STATE_TYPE_SUCCESS);
    const replayed = await call(client, 'createWorkflow', await helloWorldRequest(client, { runId: 'metrics-ok', greeting: 'Hi' }));
    expect(replayed.workflow!.workflowId).toBe(created);
    const chunks = await collect<DownloadFileResponse>(client.downloadFile({ workflowId: created, path: 'results/greetings.txt', offset: 0 }));
    expect(Buffer.concat(chunks.map((c) => Buffer.from(c.chunk))).toString()).toBe('Hi Alice!\nHi Bob!\n');

    // ERROR: the misspelled command.
    const failing = (await call(client, 'createWorkflow', await helloWorldRequest(client, { runId: 'metrics-error', specfile: 'benchmark-invalid-cmd.yaml' })))
      .workflow!.workflowId;
    workflowIds.push(failing);
    expect(await watchToEnd(failing)).toContain(WorkflowStateType.WORKFLOW_STATE_TYPE_ERROR);

    // CANCELED: a sleeping run, stopped once RUNNING; the watch that saw RUNNING is cancelled by the client.
    const sleeping = (await call(client, 'createWorkflow', await helloWorldRequest(client, { runId: 'metrics-cancel', sleeptime: 60 }))).workflow!.workflowId;
    workflowIds.push(sleeping);
    const watch = client.watchState({ workflowId: sleeping, afterSequence: 0 });
    watch.on('error', () => undefined);
    await new Promise<void>((resolve) =>
      watch.on('data', (event: WatchStateResponse) => {
        if (event.event?.$case === 'state' && event.event.value.type === WorkflowStateType.WORKFLOW_STATE_TYPE_RUNNING) resolve();
      }),
    );
    await prometheus.waitFor('flowserv_workflows_active{state="RUNNING",engine="local"}', one(1));
    await prometheus.waitFor('flowserv_grpc_server_streams_open{grpc_method="WatchState"}', one(1));
    watch.cancel();
    await call(client, 'stopWorkflow', { workflowId: sleeping, reason: 'metrics test', gracePeriod: undefined });
    expect(await watchToEnd(sleeping)).toContain(WorkflowStateType.WORKFLOW_STATE_TYPE_CANCELED);

    const uploads = helloWorldUploads(readFileSync(join(HELLOWORLD_DIR, 'data', 'names.txt'), 'utf8'));
    const unaryCalls = (method: string, code: string) => `grpc_server_handled_total{grpc_service="${SERVICE}",grpc_method="${method}",grpc_type="unary",grpc_code="${code}"}`;
    // gRPC server metrics, grpc-ecosystem names and labels.
    await prometheus.waitFor(unaryCalls('GetServiceInfo', 'OK'), one(3));
    await prometheus.waitFor(unaryCalls('GetWorkflowState', 'NotFound'), one(2));
    await prometheus.waitFor(unaryCalls('CreateWorkflow', 'OK'), one(4));
    await prometheus.waitFor(unaryCalls('StopWorkflow', 'OK'), one(1));
    await prometheus.waitFor(`grpc_server_started_total{grpc_method="CreateWorkflow"}`, one(4));
    await prometheus.waitFor(`grpc_server_handling_seconds_count{grpc_method="CreateWorkflow",grpc_type="unary"}`, one(4));
    await prometheus.waitFor(`grpc_server_msg_received_total{grpc_method="GetServiceInfo"}`, one(3));
    await prometheus.waitFor(`grpc_server_msg_sent_total{grpc_method="GetServiceInfo"}`, one(3));
    await prometheus.waitFor(`grpc_server_msg_received_total{grpc_method="UploadFile",grpc_type="client_stream"}`, one(4 * uploads.messages));
    await prometheus.waitFor(`grpc_server_msg_sent_total{grpc_method="DownloadFile",grpc_type="server_stream"}`, one(1));
    await prometheus.waitFor(`sum(grpc_server_msg_sent_total{grpc_method="WatchState"})`, (s) => s.length === 1 && single(s) >= watchMessages + 1);
    await prometheus.waitFor(`grpc_server_handled_total{grpc_method="WatchState",grpc_type="server_stream",grpc_code="OK"}`, one(3));
    await prometheus.waitFor(`grpc_server_handled_total{grpc_method="WatchState",grpc_code="Canceled"}`, one(1));
    await prometheus.waitFor(`flowserv_grpc_server_streams_open{grpc_method="WatchState"}`, one(0));
    await prometheus.waitFor(`grpc_server_handled_total{grpc_service="grpc.health.v1.Health",grpc_method="Check",grpc_type="unary",grpc_code="OK"}`, one(1));
    await prometheus.waitFor(
      `grpc_server_handled_total{grpc_service="grpc.reflection.v1.ServerReflection",grpc_method="ServerReflectionInfo",grpc_type="bidi_stream",grpc_code="OK"}`,
      one(1),
    );

    // Workflow metrics.
    await prometheus.waitFor(`flowserv_workflows_created_total{engine="local",replayed="false"}`, one(3));
    await prometheus.waitFor(`flowserv_workflows_created_total{engine="local",replayed="true"}`, one(1));
    await prometheus.waitFor(`flowserv_workflow_transitions_total{from="PENDING",to="RUNNING",engine="local"}`, one(3));
    for (const final of ['SUCCESS', 'ERROR', 'CANCELED']) {
      await prometheus.waitFor(`sum(flowserv_workflow_transitions_total{to="${final}",engine="local"})`, one(1));
      await prometheus.waitFor(`flowserv_workflow_run_duration_seconds_count{state="${final}",engine="local"}`, one(1));
    }
    await prometheus.waitFor(`flowserv_workflow_queue_wait_seconds_count{engine="local"}`, one(3));
    await prometheus.waitFor(`sum(flowserv_workflows_active) or vector(0)`, one(0));
    await prometheus.waitFor(`flowserv_upload_bytes_total`, one(4 * uploads.bytes));
    await prometheus.waitFor(`flowserv_download_bytes_total`, one(18));
    // Engine and store metrics.
    await prometheus.waitFor(`flowserv_engine_serving{engine="local"}`, one(1));
    await prometheus.waitFor(`flowserv_engine_command_duration_seconds_count{engine="local",command="spawn",result="ok"}`, one(3));
    await prometheus.waitFor(`flowserv_store_transaction_duration_seconds_count{operation="insert",result="ok"}`, one(3));
    await prometheus.waitFor(`flowserv_store_transaction_duration_seconds_count{operation="append_state",result="ok"}`, (s) => s.length === 1 && single(s) >= 6);
    await prometheus.waitFor(`flowserv_store_database_bytes`, (s) => s.length === 1 && single(s) > 0);
    await prometheus.waitFor(`flowserv_blob_store_bytes`, (s) => s.length === 1 && single(s) >= uploads.bytes);
    // Process and runtime defaults.
    await prometheus.waitFor(`process_resident_memory_bytes{job="flowserv"}`, (s) => s.length === 1 && single(s) > 0);
    await prometheus.waitFor(`nodejs_eventloop_lag_seconds{job="flowserv"}`, (s) => s.length === 1);
  });

  it('evaluates the shipped recording rules on the scraped series', async () => {
    // CreateWorkflow's calls are spread over several scrapes, so its 5-minute rate is above 0.
    await prometheus.waitFor(`flowserv:grpc_server_error_ratio:rate5m{grpc_method="CreateWorkflow"}`, one(0));
    await prometheus.waitFor(`flowserv:grpc_server_handled:rate5m{grpc_method="CreateWorkflow",grpc_code="OK"}`, (s) => s.length === 1 && single(s) > 0);
    await prometheus.waitFor(`flowserv:workflow_failure_ratio:rate1h{engine="local"}`, (s) => s.length === 1 && single(s) > 0 && single(s) < 1);
    const alerts = await prometheus.query('ALERTS');
    expect(alerts).toEqual([]);
  });

  it('never uses a workflow id, run id or path as a label value', async () => {
    const series = await prometheus.query('{job="flowserv"}');
    expect(series.length).toBeGreaterThan(50);
    const values = series.flatMap((s) => Object.entries(s.metric).filter(([k]) => k !== 'instance').map(([, v]) => v));
    for (const id of workflowIds) expect(values.filter((v) => v.includes(id))).toEqual([]);
    expect(values.filter((v) => v.includes('metrics-') || v.includes(server.dataDir) || v.startsWith('/'))).toEqual([]);
  });
});
