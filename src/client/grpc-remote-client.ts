/**
 * RemoteClient over gRPC (the generated RemoteWorkflowServiceClient), plus the calls flowServ's
 * contract has no room for: watch, download, list, info, upload. Every call takes
 * `{signal, timeoutMs}`; idempotent calls and CreateWorkflow (made idempotent by its request_id,
 * reused across retries) are retried on UNAVAILABLE / DEADLINE_EXCEEDED within the policy.
 */
import { credentials as grpcCredentials, type ChannelCredentials, type ChannelOptions, type ClientOptions } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RemoteWorkflowServiceClient } from '../gen/flowserv/remote/v1/service.js';
import type { StaticFile } from '../gen/flowserv/remote/v1/files.js';
import type { StateType, WorkflowState } from '../model/index.js';
import { bearerTokenInterceptor } from './bearer-token.js';
import { DEFAULT_RETRY_POLICY, deadlineOf, withRetry, type CallOptions, type RetryPolicy } from './call.js';
import { downloadToVolume } from './downloads.js';
import { required } from './errors.js';
import { argumentsToProto, inputFilesOf, type ArgumentValues } from './mapping/arguments.js';
import { sequencedFromProto, stateFromProto, stateToProto, type OutputFileInfo, type SequencedState } from './mapping/state.js';
import { templateToProto, type TemplateInput } from './mapping/template.js';
import { serviceInfoFromProto, workflowFromProto, type ServiceInfo, type WorkflowInfo } from './mapping/workflow.js';
import type { CreateWorkflowOptions, RemoteClient, RunObject, StopWorkflowOptions } from './remote-client.js';
import { digestOf, uploadOnce, type Digest, type UploadResult } from './uploads.js';
import { FileSystemStorage } from './volume/fs-storage.js';
import { FSFile, type IOHandle } from './volume/io-handle.js';
import type { StorageVolume } from './volume/storage-volume.js';
import { watchOnce, type WatchEvent } from './watch-stream.js';
import { unaryCall, type RequestOf, type ResponseOf, type UnaryMethodName } from './unary.js';
import { LogCursor, watchLogs, type LogEvent, type WatchLogsOptions } from './log-follower.js';
import type { SilenceLimit, StreamSource } from './server-stream.js';
import { RemoteWorkflowHandle } from './workflow-handle.js';
import { durationFromMs } from '../wire/duration.js';
import { stateTypeToProto } from '../wire/enums.js';

/** Construction options. */
export interface GrpcRemoteClientOptions {
  /**
   * Channel credentials (default: insecure, for 127.0.0.1 and service meshes that add TLS). For
   * TLS: `credentials.createSsl(ca)`; for mutual TLS also pass the client key and certificate.
   */
  readonly credentials?: ChannelCredentials;
  /** Bearer token sent with every call (`authorization: Bearer <token>`), for servers with authentication on. */
  readonly bearerToken?: string;
  /**
   * grpc-js client options (channel options, interceptors). Defaults reconnect quickly (100 ms,
   * at most 2 s between connection attempts) so that a watch resumes soon after a dropped connection.
   */
  readonly channelOptions?: Partial<ClientOptions>;
  /** Retry policy of idempotent calls (default DEFAULT_RETRY_POLICY). */
  readonly retry?: Partial<RetryPolicy>;
  /** Upload chunk size in bytes (default 64 KiB, the server's default limit). */
  readonly uploadChunkBytes?: number;
}

/** The heartbeat interval assumed until the server has announced its own (the server's default), in ms. */
export const ASSUMED_HEARTBEAT_INTERVAL_MS = 15_000;

/** A page of ListWorkflows. */
export interface WorkflowPage {
  readonly workflows: readonly WorkflowInfo[];
  /** '' on the last page. */
  readonly nextPageToken: string;
}

/** ListWorkflows filters. */
export interface ListWorkflowsQuery {
  readonly states?: readonly StateType[];
  readonly labels?: Readonly<Record<string, string>>;
  readonly engine?: string;
  /** Workflows per page; the server fills in its default (50) and caps it (1000 unless its --max-page-size says otherwise). */
  readonly pageSize?: number;
  readonly pageToken?: string;
}

const DEFAULT_CHANNEL_OPTIONS: ChannelOptions = {
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 2_000,
};

/**
 * The channel that replaces an abandoned one gets a connection of its own: with grpc-js's
 * process-wide pool it would be handed back the very connection it gives up.
 */
const OWN_CONNECTION: ChannelOptions = { 'grpc.use_local_subchannel_pool': 1 };

/** The gRPC RemoteClient. Close it when done (it holds a channel). */
export class GrpcRemoteClient implements RemoteClient, StreamSource {
  readonly retryPolicy: RetryPolicy;
  private readonly chunkBytes: number;
  private readonly newChannel: (extra?: ChannelOptions) => RemoteWorkflowServiceClient;
  private channel: RemoteWorkflowServiceClient;
  private closed = false;
  /** The server's announced heartbeat interval in ms, once known. */
  private heartbeatMs: number | undefined;
  private learningHeartbeat = false;

  constructor(
    readonly address: string,
    options: GrpcRemoteClientOptions = {},
  ) {
    const interceptors = [
      ...(options.bearerToken !== undefined ? [bearerTokenInterceptor(options.bearerToken)] : []),
      ...(options.channelOptions?.interceptors ?? []),
    ];
    this.newChannel = (extra: ChannelOptions = {}) =>
      new RemoteWorkflowServiceClient(address, options.credentials ?? grpcCredentials.createInsecure(), {
        ...DEFAULT_CHANNEL_OPTIONS,
        ...options.channelOptions,
        ...extra,
        ...(interceptors.length > 0 && { interceptors }),
      });
    this.channel = this.newChannel();
    this.retryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.chunkBytes = options.uploadChunkBytes ?? 64 * 1024;
  }

  /** The generated client on the current connection, for calls this class does not wrap. */
  get raw(): RemoteWorkflowServiceClient {
    return this.channel;
  }

  /** Closes the channel; calls in flight fail. */
  close(): void {
    this.closed = true;
    this.channel.close();
  }

  /**
   * Gives up the connection `stale` runs on, because a stream on it went silent: later calls use
   * a new channel with a new TCP connection (behind a Service, possibly another replica); calls
   * still running on `stale` may finish. Does nothing when `stale` was already replaced (several
   * streams on one dead connection notice it one by one) or the client is closed.
   */
  abandonConnection(stale: RemoteWorkflowServiceClient): void {
    if (stale !== this.channel || this.closed) return;
    this.channel = this.newChannel(OWN_CONNECTION);
    stale.close();
  }

  /**
   * The silence limit of a stream: `configuredMs` when given (0 disables the watchdog), else twice
   * the heartbeat interval the server announces in GetServiceInfo, asked once per client in the
   * background (until it answers, twice ASSUMED_HEARTBEAT_INTERVAL_MS).
   */
  silenceLimit(configuredMs?: number): SilenceLimit {
    if (configuredMs !== undefined) return () => configuredMs;
    this.learnHeartbeat();
    return () => 2 * (this.heartbeatMs ?? ASSUMED_HEARTBEAT_INTERVAL_MS);
  }

  private learnHeartbeat(): void {
    if (this.heartbeatMs !== undefined || this.learningHeartbeat) return;
    this.learningHeartbeat = true;
    this.getServiceInfo({ timeoutMs: 5_000 })
      .catch(() => undefined) // asked again by the next follower; meanwhile the assumed interval holds
      .finally(() => (this.learningHeartbeat = false));
  }

  private retrying<T>(options: CallOptions | undefined, idempotent: boolean, attempt: (deadline: number | undefined) => Promise<T>): Promise<T> {
    const deadline = deadlineOf(options);
    return withRetry(() => attempt(deadline), { policy: this.retryPolicy, idempotent, deadline, signal: options?.signal });
  }

  /**
   * Unary `method` with the call options and the retry policy. Every unary RPC of this service is
   * idempotent (CreateWorkflow through its request id, StopWorkflow by contract), so all of them
   * retry what a retry can fix.
   */
  private unary<K extends UnaryMethodName>(method: K, request: RequestOf<K>, options: CallOptions | undefined): Promise<ResponseOf<K>> {
    return this.retrying(options, true, (deadline) => unaryCall(this.raw, method, request, deadline, options?.signal));
  }

  async createWorkflow(
    run: RunObject,
    template: TemplateInput,
    args: ArgumentValues,
    staticfs: StorageVolume | null,
    options: CreateWorkflowOptions = {},
  ): Promise<RemoteWorkflowHandle> {
    const deadline = deadlineOf(options);
    const callOptions = { ...options, ...(deadline !== undefined && { timeoutMs: Math.max(1, deadline - Date.now()) }) };
    const statics = staticfs ? await staticfs.walk('') : [];
    const inputs = inputFilesOf(args);
    const handles: IOHandle[] = [...statics.map(([, h]) => h), ...inputs.map((f) => new FSFile(path.resolve(f.source)))];
    const digests = await this.uploadAll(handles, callOptions);
    const staticFiles: StaticFile[] = statics.map(([key], i) => ({ path: key, sha256: digests[i]!.sha256 }));
    const bySource = new Map<string, string>(inputs.map((f, i) => [f.source, digests[statics.length + i]!.sha256]));
    const request = {
      run: { runId: run.runId, workflowId: run.workflowId, groupId: run.groupId },
      template: templateToProto(template),
      arguments: argumentsToProto(args, (source) => bySource.get(source)!),
      staticFiles,
      engine: options.engine ?? '',
      labels: { ...options.labels },
      requestId: options.requestId ?? randomUUID(),
      resources: undefined,
    };
    const response = await this.unary('createWorkflow', request, { ...options, ...(deadline !== undefined && { timeoutMs: Math.max(1, deadline - Date.now()) }) });
    const wf = workflowFromProto(required(response.workflow, 'CreateWorkflowResponse.workflow'));
    const runstore = options.runstore ?? new FileSystemStorage(mkdtempSync(path.join(tmpdir(), `flowserv-run-${run.runId}-`)));
    return new RemoteWorkflowHandle({ runId: wf.runId, workflowId: wf.workflowId, state: wf.state, outputFiles: wf.outputFiles, runstore, client: this });
  }

  async getWorkflowState(workflowId: string, currentState: WorkflowState, options?: CallOptions): Promise<WorkflowState> {
    const res = await this.unary('getWorkflowState', { workflowId, currentState: stateToProto(currentState) }, options);
    const next = stateFromProto(required(res.state, 'GetWorkflowStateResponse.state'));
    return res.changed && !next.sameType(currentState) ? next : currentState;
  }

  /** The latest state with its sequence and output digests (GetWorkflowState without a current state). */
  async getState(workflowId: string, options?: CallOptions): Promise<SequencedState> {
    const res = await this.unary('getWorkflowState', { workflowId }, options);
    return sequencedFromProto(required(res.state, 'GetWorkflowStateResponse.state'));
  }

  async stopWorkflow(workflowId: string, options: StopWorkflowOptions = {}): Promise<WorkflowState> {
    const gracePeriod = options.graceMs === undefined ? undefined : durationFromMs(options.graceMs);
    const res = await this.unary('stopWorkflow', { workflowId, reason: options.reason ?? '', gracePeriod }, options);
    return stateFromProto(required(res.state, 'StopWorkflowResponse.state'));
  }

  /** One workflow with its latest state. */
  async getWorkflow(workflowId: string, options?: CallOptions): Promise<WorkflowInfo> {
    const res = await this.unary('getWorkflow', { workflowId }, options);
    return workflowFromProto(required(res.workflow, 'GetWorkflowResponse.workflow'));
  }

  /** One page of workflows, newest first. */
  async listWorkflows(query: ListWorkflowsQuery = {}, options?: CallOptions): Promise<WorkflowPage> {
    const request = {
      pageSize: query.pageSize ?? 0,
      pageToken: query.pageToken ?? '',
      states: (query.states ?? []).map(stateTypeToProto),
      labels: { ...query.labels },
      engine: query.engine ?? '',
    };
    const res = await this.unary('listWorkflows', request, options);
    return { workflows: res.workflows.map(workflowFromProto), nextPageToken: res.nextPageToken };
  }

  /** Version, engines and limits of the server. */
  async getServiceInfo(options?: CallOptions): Promise<ServiceInfo> {
    const info = serviceInfoFromProto(await this.unary('getServiceInfo', {}, options));
    if (info.limits.heartbeatIntervalMs > 0) this.heartbeatMs = info.limits.heartbeatIntervalMs; // for silenceLimit
    return info;
  }

  /** The subset of `sha256s` the server already stores. */
  async findFiles(sha256s: readonly string[], options?: CallOptions): Promise<Set<string>> {
    const res = await this.unary('findFiles', { sha256s: [...sha256s] }, options);
    return new Set(res.presentSha256s);
  }

  /** Uploads one file (a local path or a handle), whether or not the server has it. */
  async uploadFile(source: string | IOHandle, options?: CallOptions & { digest?: Digest }): Promise<UploadResult> {
    const file = typeof source === 'string' ? new FSFile(path.resolve(source)) : source;
    const digest = options?.digest ?? (await digestOf(file));
    const name = typeof source === 'string' ? path.basename(source) : undefined;
    return this.retrying(options, true, (deadline) => uploadOnce(this.raw, file, digest, this.chunkBytes, deadline, options?.signal, name));
  }

  /**
   * Hashes every handle, asks FindFiles which digests the server has, and uploads each missing
   * digest once. Resolves with the digests in input order.
   */
  async uploadAll(files: readonly IOHandle[], options?: CallOptions): Promise<Digest[]> {
    const digests: Digest[] = [];
    for (const f of files) digests.push(await digestOf(f));
    if (digests.length === 0) return digests;
    const present = await this.findFiles([...new Set(digests.map((d) => d.sha256))], options);
    for (let i = 0; i < files.length; i++) {
      const d = digests[i]!;
      if (present.has(d.sha256)) continue;
      await this.uploadFile(files[i]!, { ...options, digest: d });
      present.add(d.sha256);
    }
    return digests;
  }

  /**
   * One WatchState stream (no reconnection; see followWorkflow for that). With
   * `includeProgress`, step progress events arrive as well.
   */
  watchState(workflowId: string, afterSequence = 0, options?: CallOptions & { readonly includeProgress?: boolean }): AsyncGenerator<WatchEvent> {
    return watchOnce(this.raw, workflowId, afterSequence, deadlineOf(options), options?.signal, options?.includeProgress === true);
  }

  /**
   * The output of the workflow's commands as an async iterator: from `startOffsets` (default the
   * beginning), live while the workflow runs (unless `follow: false`), resumed from the offsets
   * received after a dropped connection, until the workflow has ended and everything was sent.
   * Pass a LogCursor to keep the offsets for a later resume.
   */
  watchLogs(workflowId: string, options: WatchLogsOptions = {}, cursor?: LogCursor): AsyncGenerator<LogEvent> {
    return watchLogs(this, workflowId, options, cursor);
  }

  /** Downloads one output file into `target` (at `dst`, default its key), verified by size and sha256. */
  downloadFile(workflowId: string, key: string, target: StorageVolume, options?: CallOptions & { dst?: string }): Promise<OutputFileInfo> {
    return downloadToVolume(this.raw, {
      workflowId,
      key,
      target,
      ...(options?.dst !== undefined && { dst: options.dst }),
      policy: this.retryPolicy,
      deadline: deadlineOf(options),
      ...(options?.signal && { signal: options.signal }),
    });
  }

  /** Downloads each key into `runstore` (the handle's SUCCESS contract). */
  async downloadOutputs(workflowId: string, keys: readonly string[], runstore: StorageVolume, options?: CallOptions): Promise<void> {
    const deadline = deadlineOf(options);
    for (const key of keys) {
      await this.downloadFile(workflowId, key, runstore, {
        ...(options?.signal && { signal: options.signal }),
        ...(deadline !== undefined && { timeoutMs: Math.max(1, deadline - Date.now()) }),
      });
    }
  }
}
