/**
 * Helpers for the gRPC-level Slurm tests: a real server (in-process or as a child process) with
 * the slurm engine enabled and its runs directory in a temp dir on the local filesystem (which
 * the single node shares), small shell workflows, following a workflow to its end, downloads,
 * and what Slurm itself says about a job.
 */
import type { ServiceError } from '@grpc/grpc-js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { CreateWorkflowRequest, DownloadFileResponse, RemoteWorkflowServiceClient, WatchStateResponse } from '../../../src/gen/flowserv/remote/v1/service.js';
import { WorkflowStateType, type WorkflowState } from '../../../src/gen/flowserv/remote/v1/workflow.js';
import { collect } from '../../support/grpc-calls.js';
import { squeue } from './slurm-cluster.js';

const run = promisify(execFile);

/** Server flags for a Slurm-enabled server whose Slurm work dirs go under `runsDir`. */
export function slurmServerArgs(runsDir: string, extra: readonly string[] = []): string[] {
  return ['--enable-slurm', '--slurm-runs-dir', runsDir, '--slurm-poll-interval-ms', '300', ...extra];
}

/** A one-step shell workflow on the slurm engine. */
export function slurmShellRequest(
  runId: string,
  commands: readonly string[],
  outputs: readonly string[] = [],
  extra: Partial<CreateWorkflowRequest> = {},
): CreateWorkflowRequest {
  return {
    run: { runId },
    template: {
      workflow: {
        steps: [{ name: 'main', action: { environment: 'sh', commands: [...commands] } }],
        ...(outputs.length > 0 && { files: { outputs: [...outputs] } }),
      },
      parameters: [],
      parameterGroups: [],
      outputs: [],
    },
    arguments: [],
    staticFiles: [],
    engine: 'slurm',
    labels: { suite: 'slurm-grpc' },
    requestId: '',
    ...extra,
  };
}

/** Every state of the workflow from the start until WatchState ends after the terminal one. */
export async function followToEnd(client: RemoteWorkflowServiceClient, workflowId: string): Promise<WorkflowState[]> {
  const events = await collect<WatchStateResponse>(client.watchState({ workflowId, afterSequence: 0 }));
  return events.flatMap((e) => (e.event?.$case === 'state' ? [e.event.value] : []));
}

/** Resolves with the first state of `type` a watch from the start sees, then cancels the watch. */
export function waitForState(client: RemoteWorkflowServiceClient, workflowId: string, type: WorkflowStateType): Promise<WorkflowState> {
  return new Promise((resolve, reject) => {
    const stream = client.watchState({ workflowId, afterSequence: 0 });
    let done = false;
    stream.on('data', (r: WatchStateResponse) => {
      if (done || r.event?.$case !== 'state') return;
      if (r.event.value.type === type) {
        done = true;
        resolve(r.event.value);
        stream.cancel();
      }
    });
    stream.on('error', (err: ServiceError) => {
      if (!done) reject(err);
    });
    stream.on('end', () => {
      if (!done) reject(new Error(`workflow ${workflowId} ended without reaching ${WorkflowStateType[type]}`));
    });
  });
}

/** The downloaded content of an output file, as text. */
export async function downloadText(client: RemoteWorkflowServiceClient, workflowId: string, path: string): Promise<string> {
  const parts = await collect<DownloadFileResponse>(client.downloadFile({ workflowId, path, offset: 0 }));
  return Buffer.concat(parts.map((p) => Buffer.from(p.chunk))).toString('utf8');
}

/** Slurm's state of job `jobId` (`squeue -t all`), e.g. RUNNING, COMPLETED, CANCELLED. */
export function slurmJobState(jobId: string): Promise<string> {
  return squeue('-t', 'all', '-j', jobId, '-o', '%T');
}

/**
 * Cancels every Slurm job still pending or running whose working directory lies under `dir`, so
 * that a failed test leaves nothing running on the cluster (nor writing into a directory being
 * removed).
 */
export async function cancelJobsUnder(dir: string): Promise<void> {
  const lines = (await squeue('-o', '%i|%Z')).split('\n');
  const ids = lines.map((l) => l.split('|')).filter(([id, workDir]) => id && workDir?.startsWith(`${dir}/`)).map(([id]) => id!);
  if (ids.length > 0) await run('scancel', ids, { timeout: 30_000 });
}

/** What plain `squeue -j` lists: only jobs still pending or running (empty once a job is over). */
export function activeSlurmJob(jobId: string): Promise<string> {
  return squeue('-j', jobId);
}

/** The state types of `states`, by name, for readable assertion failures. */
export function typeNames(states: readonly WorkflowState[]): string[] {
  return states.map((s) => WorkflowStateType[s.type].replace('WORKFLOW_STATE_TYPE_', ''));
}
