/**
 * Metrics and trace context on the slurm engine, against the real single-node cluster: each
 * scheduler command is timed under its own name, the engine's health and transitions are
 * counted, and a Slurm job sees the creating call's TRACEPARENT. Read straight from the
 * server's /metrics (the Prometheus round trip is covered by test/integration/metrics).
 */
import { Metadata, type ServiceError } from '@grpc/grpc-js';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CreateWorkflowResponse } from '../../../src/gen/flowserv/remote/v1/service.js';
import { WorkflowStateType } from '../../../src/gen/flowserv/remote/v1/workflow.js';
import { parseTraceparent } from '../../../src/server/trace-context.js';
import { describeIfAvailable } from '../../support/requirements.js';
import { startAppServer, type AppServer } from '../../support/app-server.js';
import { makeTempRoot, slurmMissing } from './slurm-cluster.js';
import { cancelJobsUnder, downloadText, followToEnd, slurmServerArgs, slurmShellRequest } from './slurm-grpc-support.js';

const TRACE = '5bf92f3577b34da6a3ce929d0e0e4737';

/** The value of one sample in Prometheus text format, or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describeIfAvailable('metrics and trace context on the slurm engine (real single-node cluster)', slurmMissing(), () => {
  let root: { dir: string; cleanup(): Promise<void> };
  let server: AppServer;

  beforeAll(async () => {
    root = await makeTempRoot();
    server = await startAppServer({
      dataDir: join(root.dir, 'data'),
      args: slurmServerArgs(join(root.dir, 'runs'), ['--metrics-port', '0', '--engine-health-interval-ms', '300']),
    });
  });
  afterAll(async () => {
    await server?.stop();
    if (root) await cancelJobsUnder(root.dir);
    await root?.cleanup();
  });

  it('times sbatch and squeue, counts the transitions, and hands TRACEPARENT to the batch job', async () => {
    const { client } = server;
    const metadata = new Metadata();
    metadata.set('traceparent', `00-${TRACE}-00f067aa0ba902b7-01`);
    let header: string | undefined;
    const created = await new Promise<CreateWorkflowResponse>((resolve, reject) => {
      const call = client.createWorkflow(
        slurmShellRequest('slurm-metrics-1', ['printf %s "$$TRACEPARENT" > out.txt'], ['out.txt']),
        metadata,
        (err: ServiceError | null, res?: CreateWorkflowResponse) => (err ? reject(err) : resolve(res!)),
      );
      call.on('metadata', (m: Metadata) => (header = m.get('traceresponse')[0] as string));
    });
    const workflowId = created.workflow!.workflowId;
    expect((await followToEnd(client, workflowId)).at(-1)!.type).toBe(WorkflowStateType.WORKFLOW_STATE_TYPE_SUCCESS);
    const seen = await downloadText(client, workflowId, 'out.txt');
    expect(seen).toBe(header);
    expect(parseTraceparent(seen)?.traceId).toBe(TRACE);

    const text = await (await fetch(`http://127.0.0.1:${server.app.metricsPort()}/metrics`)).text();
    expect(sample(text, 'flowserv_engine_command_duration_seconds_count{engine="slurm",command="sbatch",result="ok"}')).toBe(1);
    expect(sample(text, 'flowserv_engine_command_duration_seconds_count{engine="slurm",command="squeue",result="ok"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'flowserv_engine_serving{engine="slurm"}')).toBe(1);
    expect(sample(text, 'flowserv_workflows_created_total{engine="slurm",replayed="false"}')).toBe(1);
    expect(sample(text, 'flowserv_workflow_transitions_total{from="RUNNING",to="SUCCESS",engine="slurm"}')).toBe(1);
    expect(sample(text, 'flowserv_workflow_run_duration_seconds_count{engine="slurm",state="SUCCESS"}')).toBe(1);
    expect(text).not.toContain(workflowId);
  });
});
