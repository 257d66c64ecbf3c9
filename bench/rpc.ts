/**
 * The few client-side moves the benchmarks make, over the generated grpc-js client: unary calls
 * as promises, a one-step shell workflow, following a workflow to its end with WatchState, and
 * streaming uploads and downloads that respect backpressure as a real client does.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { ServiceError } from '@grpc/grpc-js';
import type {
  CreateWorkflowRequest,
  RemoteWorkflowServiceClient,
  UploadFileResponse,
  WatchStateResponse,
} from '../src/gen/flowserv/remote/v1/service.js';
import { WorkflowStateType, type WorkflowState } from '../src/gen/flowserv/remote/v1/workflow.js';

/** Turns a callback-style unary call into a promise: `unary((cb) => client.getServiceInfo({}, cb))`. */
export function unary<Res>(start: (callback: (err: ServiceError | null, res: Res) => void) => unknown): Promise<Res> {
  return new Promise((resolve, reject) => {
    start((err, res) => (err ? reject(err) : resolve(res)));
  });
}

/** A one-step `/bin/sh` workflow running `commands`, declaring `outputs` as result files. */
export function shellWorkflow(runId: string, commands: readonly string[], outputs: readonly string[] = []): CreateWorkflowRequest {
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
    engine: '',
    labels: {},
    requestId: '',
  };
}

/** Creates a workflow; resolves with its id. */
export async function createWorkflow(client: RemoteWorkflowServiceClient, request: CreateWorkflowRequest): Promise<string> {
  const res = await unary<{ workflow?: { workflowId: string } | undefined }>((cb) => client.createWorkflow(request, cb));
  return res.workflow!.workflowId;
}

/**
 * Watches a workflow from its first state until the server ends the stream after the terminal
 * state; calls `onState` with each state on arrival. Rejects unless the last state is SUCCESS.
 */
export async function watchToEnd(
  client: RemoteWorkflowServiceClient,
  workflowId: string,
  onState?: (state: WorkflowState) => void,
): Promise<WorkflowState> {
  const stream = client.watchState({ workflowId, afterSequence: 0 });
  let last: WorkflowState | undefined;
  for await (const event of stream as AsyncIterable<WatchStateResponse>) {
    if (event.event?.$case !== 'state') continue;
    last = event.event.value;
    onState?.(last);
  }
  if (last?.type !== WorkflowStateType.WORKFLOW_STATE_TYPE_SUCCESS) {
    throw new Error(`workflow ${workflowId} ended ${last ? WorkflowStateType[last.type] : 'without a state'}: ${last?.messages.join(' ') ?? ''}`);
  }
  return last;
}

/** CreateWorkflow, then WatchState until SUCCESS; resolves with the workflow id. */
export async function runWorkflow(client: RemoteWorkflowServiceClient, request: CreateWorkflowRequest): Promise<string> {
  const workflowId = await createWorkflow(client, request);
  await watchToEnd(client, workflowId);
  return workflowId;
}

/** UploadFile of `bytes` (whose digest the caller knows) in `chunkBytes` pieces, waiting for drain. */
export async function uploadBytes(
  client: RemoteWorkflowServiceClient,
  bytes: Buffer,
  sha256: string,
  chunkBytes: number,
): Promise<UploadFileResponse> {
  let stream!: ReturnType<RemoteWorkflowServiceClient['uploadFile']>;
  const done = new Promise<UploadFileResponse>((resolve, reject) => {
    stream = client.uploadFile((err, res) => (err ? reject(err) : resolve(res!)));
  });
  stream.write({ content: { $case: 'header', value: { sha256, sizeBytes: bytes.length } } });
  for (let at = 0; at < bytes.length; at += chunkBytes) {
    if (!stream.write({ content: { $case: 'chunk', value: bytes.subarray(at, at + chunkBytes) } })) {
      await Promise.race([once(stream, 'drain'), done]);
    }
  }
  stream.end();
  return done;
}

/** DownloadFile of a whole result file; resolves with the number of bytes received. */
export async function downloadBytes(client: RemoteWorkflowServiceClient, workflowId: string, path: string): Promise<number> {
  let received = 0;
  for await (const message of client.downloadFile({ workflowId, path, offset: 0 }) as AsyncIterable<{ chunk: Buffer }>) {
    received += message.chunk.length;
  }
  return received;
}

/** Spawns `file args` (stdio ignored) and waits for it; rejects on a non-zero exit. */
export function spawnAndWait(file: string, args: readonly string[], ids: { uid?: number; gid?: number } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: 'ignore', ...ids });
    child.once('error', reject);
    child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${file} ${args.join(' ')}: ${code ?? signal}`))));
  });
}

/** Runs `/bin/sh -c <command>`, as the job runner runs each command. */
export function spawnShell(command: string): Promise<void> {
  return spawnAndWait('/bin/sh', ['-c', command]);
}
