/**
 * The transport-free WorkflowService: everything RemoteWorkflowService does, in domain terms.
 * The gRPC handlers in src/server only map messages and errors; they hold no logic of their own.
 */
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { componentLogger } from '../logging/logger.js';
import type { EngineAdapter } from '../engines/types.js';
import { DataLossError, FileNotFoundError, FailedPreconditionError, InvalidArgumentError, OutOfRangeError, ViolationReason, WorkflowNotFoundError } from '../errors.js';
import type { BlobStore } from '../store/blob-store.js';
import { BlobCorruptError } from '../store/verified-blobs.js';
import type { StateType } from '../model/state.js';
import { ANONYMOUS_OWNER, mayAccess, ownerScopeOf, type Caller } from '../model/owner.js';
import type { WorkflowRecord } from '../store/records.js';
import type { WorkflowStore } from '../store/workflow-store.js';
import { createBlobRequests, type BlobRequests } from './blob-requests.js';
import { createWorkflow, LABEL_KEY } from './create-workflow.js';
import { createDispatcher } from './dispatcher.js';
import { createEngineHealthCache, type EngineHealthCache } from './engine-health.js';
import { decodePageToken, encodePageToken } from './page-token.js';
import { sweepOrphans } from './sweep-orphans.js';
import { processAreaName } from '../util/process-area.js';
import type {
  CreateWorkflowInput,
  DownloadSource,
  EngineInfo,
  ListWorkflowsInput,
  PlanWorkflow,
  ServiceLimits,
  WatchEvent,
  Workflow,
  WorkflowPage,
  WorkflowState,
} from './types.js';
import { createWatchHub } from './watch-hub.js';
import { createLocalStateFeed, type StateFeedFactory } from './state-feed.js';
import type { ReplicaCoordination } from './replica-coordination.js';
import { watchStates, type WatchDeps } from './watch-states.js';
import type { LogEvent, WatchLogsInput } from './logs/log-types.js';
import { createLogTails } from './logs/log-tail.js';
import { LOG_PACE_BURST_BYTES, watchLogs } from './logs/watch-logs.js';
import { readProgress, type WorkflowProgressRecord } from './progress.js';
import { createDirWatchers } from './dir-changes.js';

/**
 * How often a log follower looks for output when no change event arrives, in ms: the latency
 * bound on filesystems without change events (a shared filesystem written by another node).
 */
const LOG_POLL_INTERVAL_MS = 250;

/**
 * How often the shared reader of a job's logs looks again while they grow in bulk, in ms (no
 * change events are watched then; see log-tail.ts). What it adds at most to the way of a line
 * printed after bulk output, under the 100 ms the line latency may take at p99 (a line printed
 * now and then is seen through the watch at once); every wake-up of the server it saves leaves
 * the CPU to the job.
 */
const LOG_BATCH_INTERVAL_MS = 50;

/**
 * Recently read log chunks kept per followed job, for the followers that ask for them next (four
 * chunks: followers at the head of a log ask for the same one within moments of each other).
 */
const LOG_CACHE_BYTES = 2 * 1024 * 1024;

/**
 * How fast the followers of a running workflow together receive output they are behind on, in
 * bytes per second (ten followers get a tenth each): a step printing in bulk keeps the CPU
 * (followers catch up at full speed once it has ended), while lines and bursts under 256 KiB
 * still arrive at once.
 */
const LOG_PACE_BYTES_PER_SECOND = 4 * 1024 * 1024;

/** Page size of ListWorkflows when the request asks for none (the proto's documented default). */
export const DEFAULT_PAGE_SIZE = 50;

/** Dependencies and settings of the service. */
export interface WorkflowServiceOptions {
  readonly store: WorkflowStore;
  readonly blobs: BlobStore;
  readonly engines: ReadonlyMap<string, EngineAdapter>;
  readonly defaultEngine: string;
  readonly planWorkflow: PlanWorkflow;
  /** Folder under which each workflow gets `<id>/work` and `<id>/control`, per engine. */
  readonly runsDirFor: (engine: string) => string;
  readonly limits: ServiceLimits;
  /** The root logger; the service logs under `{component: 'service'}`, its dispatcher under `service.dispatcher`. */
  readonly logger: Logger;
  readonly now?: () => Date;
  /** Delay before a queued submission is retried when its engine is unavailable, in ms. */
  readonly retryDelayMs?: number;
  /**
   * Engine health shared with the grpc.health entries, read by engineInfo(). Default: a cache of
   * its own whose answers are reused for 2000 ms.
   */
  readonly engineHealth?: EngineHealthCache;
  /**
   * Engines this server knows but does not run in its configuration, each with the reason
   * CreateWorkflow gives (FAILED_PRECONDITION naming the setting), e.g. `local` on the shared store.
   */
  readonly disabledEngines?: ReadonlyMap<string, { readonly message: string; readonly setting: string }>;
  /**
   * How committed states reach watchers (default: this process's hub only). Replicas sharing a
   * database pass a feed that also announces them to and reads them from the other replicas.
   */
  readonly stateFeed?: StateFeedFactory;
  /**
   * Several replicas on one database: workflows are followed under claims taken through this
   * coordination (default: none; this process follows every workflow of its store).
   */
  readonly replicas?: ReplicaCoordination;
  /** With replicas: engines whose jobs only the creating replica can reach (pinned local jobs). */
  readonly pinnedEngines?: readonly string[];
  /**
   * With replicas: the grace period of the stop a follower sends when another replica ended its
   * workflow, in ms (the longest a StopWorkflow may ask for; default 10000).
   */
  readonly remoteStopGraceMs?: number;
  /** Runs a step of CreateWorkflow (staging) in a trace span; set when tracing is on. */
  readonly span?: <T>(name: string, fn: () => Promise<T>) => Promise<T>;
  /**
   * This process's own part of each runs directory's incoming area (processAreaName of the replica
   * name), where it stages and which no other process's start-up cleans. Default: one from the
   * host name.
   */
  readonly stagingArea?: string;
}

/**
 * Everything RemoteWorkflowService does, in domain terms; what the gRPC handlers call.
 *
 * The workflow operations take the `caller` last. A workflow of another owner than the caller's
 * answers exactly like an unknown id (NOT_FOUND), unless the caller sees all; lists hold only the
 * caller's own. Without a caller an operation acts as the service itself: it sees every workflow
 * and creates anonymous ones (the handlers always pass one).
 */
export interface WorkflowService extends BlobRequests {
  readonly limits: ServiceLimits;
  /** Removes crash leftovers, then reattaches to and finalizes workflows left by an earlier process. */
  start(): Promise<void>;
  /**
   * Validates, stores and queues a workflow (or replays an earlier identical request). Takes no
   * signal on purpose: it never waits for an engine, and a caller who leaves halfway must not
   * leave a half-written workflow behind.
   */
  createWorkflow(input: CreateWorkflowInput, caller?: Caller): Promise<{ workflow: Workflow; replayed: boolean }>;
  getWorkflow(workflowId: string, caller?: Caller): Promise<Workflow>;
  /** The latest state and whether its type differs from the caller's (flowServ: None when unchanged). */
  getWorkflowState(workflowId: string, currentType?: StateType, caller?: Caller): Promise<{ state: WorkflowState; changed: boolean }>;
  /**
   * Records CANCELED and stops the job (polite, then forced after `graceMs`). `signal` bounds
   * only the waiting for the engine: the job is stopped to the end whether the caller waits or not.
   */
  stopWorkflow(workflowId: string, reason: string, graceMs: number, signal?: AbortSignal, caller?: Caller): Promise<WorkflowState>;
  watchState(
    workflowId: string,
    afterSequence: number,
    signal: AbortSignal,
    options?: { readonly includeProgress?: boolean; readonly caller?: Caller | undefined },
  ): Promise<AsyncGenerator<WatchEvent>>;
  /** The output of the workflow's commands, from the given offsets, optionally followed live. */
  watchLogs(input: WatchLogsInput, signal: AbortSignal, caller?: Caller): Promise<AsyncGenerator<LogEvent>>;
  /** Which step runs and how the earlier ones ended (read from the job's files). */
  getProgress(workflowId: string, caller?: Caller): Promise<WorkflowProgressRecord>;
  openDownload(workflowId: string, path: string, offset: number, caller?: Caller): Promise<DownloadSource>;
  listWorkflows(input: ListWorkflowsInput, caller?: Caller): Promise<WorkflowPage>;
  engineInfo(): Promise<EngineInfo[]>;
  /** Stops following jobs; they keep running and are reattached on the next start. */
  close(): Promise<void>;
}

/** Accessors for tests: what the service keeps to itself. Nothing in src uses them. */
export interface WorkflowServiceTesting {
  /** Open WatchState subscriptions, of one workflow or of all. */
  subscriberCount(workflowId?: string): number;
  /** Workflows holding a slot of `engine`. */
  activeCount(engine: string): number;
  /** The stored record, with the engine's handle and the job-done mark. */
  record(workflowId: string): Promise<WorkflowRecord | undefined>;
}

/** The caller's view of a stored workflow (a copy without the service's own fields). */
function toWorkflow(record: WorkflowRecord): Workflow {
  const { payloadHash: _hash, job: _job, handle: _handle, jobDone: _done, ...view } = record;
  return view;
}

/** Download chunks; a blob found corrupt (and dropped) while reading ends the stream with DATA_LOSS. */
async function* verifiedChunks(chunks: AsyncIterable<Buffer>): AsyncGenerator<Uint8Array> {
  try {
    yield* chunks;
  } catch (err) {
    if (err instanceof BlobCorruptError) {
      throw new DataLossError(err.sha256, `the stored result file ${err.sha256} was changed after the workflow ended and has been dropped; rerun the workflow`);
    }
    throw err;
  }
}

/** Builds the service. */
export function createWorkflowService(options: WorkflowServiceOptions): WorkflowService {
  return createWorkflowServiceWithTesting(options).service;
}

/** Builds the service together with its test accessors (for tests and the app's test reach-in). */
export function createWorkflowServiceWithTesting(options: WorkflowServiceOptions): {
  readonly service: WorkflowService;
  readonly testing: WorkflowServiceTesting;
} {
  const { store, blobs, engines, limits } = options;
  const logger = componentLogger(options.logger, 'service');
  const now = options.now ?? (() => new Date());
  const stagingArea = options.stagingArea ?? processAreaName(hostname());
  const hub = createWatchHub();
  const feed = (options.stateFeed ?? createLocalStateFeed)(hub);
  // One fs.watch per control directory, shared by every log follower and progress watcher.
  const dirs = createDirWatchers();
  // What every WatchState stream reads from: one object for all of them.
  const watchDeps: WatchDeps = { store, hub, dirs, heartbeatIntervalMs: limits.heartbeatIntervalMs, now };
  // One reader per followed job, shared by all its log followers.
  const tails = createLogTails({
    dirs,
    pollIntervalMs: LOG_POLL_INTERVAL_MS,
    batchIntervalMs: LOG_BATCH_INTERVAL_MS,
    chunkBytes: limits.logChunkBytes ?? limits.downloadChunkBytes,
    cacheBytes: LOG_CACHE_BYTES,
    paceBytesPerSecond: LOG_PACE_BYTES_PER_SECOND,
    paceBurstBytes: LOG_PACE_BURST_BYTES,
  });
  // GetServiceInfo is cheap to call often; an engine probe (a scheduler round trip for Slurm)
  // is not, so engineInfo() reads the answers the health entries keep fresh.
  const engineHealth = options.engineHealth ?? createEngineHealthCache({ maxAgeMs: 2000 });
  const { dispatcher, testing } = createDispatcher({
    store,
    blobs,
    feed,
    engines,
    logger: componentLogger(options.logger, 'service.dispatcher'),
    now,
    ...(options.retryDelayMs !== undefined && { retryDelayMs: options.retryDelayMs }),
    ...(options.replicas && { replicas: options.replicas }),
    ...(options.pinnedEngines && { pinnedEngines: options.pinnedEngines }),
    ...(options.replicas && { hub }),
    engineUnreachable: (engine) => engineHealth.known(engine)?.serving === false,
    ...(options.remoteStopGraceMs !== undefined && { remoteStopGraceMs: options.remoteStopGraceMs }),
    ...(limits.maxOutputBytes !== undefined && { maxOutputBytes: limits.maxOutputBytes }),
  });
  /** The record, or NOT_FOUND for an unknown id and (the same answer) for another owner's workflow. */
  const getRecord = async (workflowId: string, caller: Caller | undefined): Promise<WorkflowRecord> => {
    const wf = await store.get(workflowId);
    if (!wf || !mayAccess(caller, wf.owner)) throw new WorkflowNotFoundError(workflowId);
    return wf;
  };

  const service: WorkflowService = {
    limits,
    async start() {
      await feed.start();
      for (const engine of engines.keys()) {
        const isKnown = async (id: string): Promise<boolean> => (await store.get(id)) !== undefined;
        const { removed, restored } = await sweepOrphans(options.runsDirFor(engine), isKnown, { area: stagingArea });
        if (removed.length > 0) logger.info({ engine, removed }, 'removed run directories left by a crash');
        if (restored.length > 0) logger.info({ engine, restored }, 'moved run directories of recorded workflows into place after a crash');
      }
      await dispatcher.recover();
    },
    async createWorkflow(input, caller) {
      const { workflow, replayed } = await createWorkflow(
        {
          store,
          blobs,
          dispatcher,
          engines,
          defaultEngine: options.defaultEngine,
          ...(options.disabledEngines && { disabledEngines: options.disabledEngines }),
          planWorkflow: options.planWorkflow,
          runsDirFor: options.runsDirFor,
          stagingArea,
          now,
          maxDirectoryBytes: limits.maxDirectoryBytes,
          ...(options.span && { span: options.span }),
          ...(limits.logCapBytes !== undefined && { logCapBytes: limits.logCapBytes }),
        },
        input,
        caller?.owner ?? ANONYMOUS_OWNER,
      );
      return { workflow: toWorkflow(workflow), replayed };
    },
    getWorkflow: async (workflowId, caller) => toWorkflow(await getRecord(workflowId, caller)),
    async getWorkflowState(workflowId, currentType, caller) {
      const state = await store.latestState(workflowId, ownerScopeOf(caller));
      if (!state) throw new WorkflowNotFoundError(workflowId);
      return { state, changed: currentType === undefined || currentType !== state.type };
    },
    async stopWorkflow(workflowId, reason, graceMs, signal, caller) {
      await getRecord(workflowId, caller);
      return dispatcher.stop(workflowId, reason, graceMs, signal);
    },
    watchState(workflowId, afterSequence, signal, watchOptions) {
      return watchStates(watchDeps, workflowId, afterSequence, signal, watchOptions);
    },
    watchLogs: (input, signal, caller) =>
      watchLogs(
        { store, tails, heartbeatIntervalMs: limits.heartbeatIntervalMs, chunkBytes: limits.downloadChunkBytes, pollIntervalMs: LOG_POLL_INTERVAL_MS, paceBytesPerSecond: LOG_PACE_BYTES_PER_SECOND, now },
        input,
        signal,
        caller,
      ),
    getProgress: async (workflowId, caller) => readProgress(await getRecord(workflowId, caller)),
    ...createBlobRequests(blobs, limits.maxUploadBytes),
    async openDownload(workflowId, path, offset, caller) {
      const wf = await getRecord(workflowId, caller);
      if (wf.state.type !== 'SUCCESS') {
        throw new FailedPreconditionError(`workflow '${workflowId}' is ${wf.state.type}; only a successful workflow has result files`, {
          workflow_id: workflowId,
          state: wf.state.type,
        });
      }
      const file = wf.state.files.find((f) => f.key === path);
      if (!file) throw new FileNotFoundError(path, `'${path}' is not an output file of workflow '${workflowId}'`);
      if (!Number.isSafeInteger(offset) || offset < 0 || offset > file.sizeBytes) {
        throw new OutOfRangeError(`offset ${offset} is outside the file (0..${file.sizeBytes})`, { size_bytes: String(file.sizeBytes) });
      }
      return { file, offset, chunks: verifiedChunks(blobs.read(file.sha256, offset, limits.downloadChunkBytes)) };
    },
    async listWorkflows(input, caller) {
      const badKeys = Object.keys(input.labels ?? {}).filter((key) => !LABEL_KEY.test(key));
      if (badKeys.length > 0) {
        throw new InvalidArgumentError(
          'invalid label filter',
          badKeys.map((key) => ({ field: `labels.${key}`, description: 'not a valid label key', reason: ViolationReason.INVALID_LABEL })),
        );
      }
      const pageSize = Math.min(Math.max(input.pageSize || DEFAULT_PAGE_SIZE, 1), limits.maxPageSize);
      const after = input.pageToken ? decodePageToken(input.pageToken) : undefined;
      const owner = ownerScopeOf(caller);
      const rows = await store.list({
        pageSize: pageSize + 1,
        ...(owner !== undefined && { owner }),
        ...(input.states && { states: input.states }),
        ...(input.labels && { labels: input.labels }),
        ...(input.engine && { engine: input.engine }),
        ...(after && { after }),
      });
      const workflows = rows.slice(0, pageSize).map(toWorkflow);
      const last = workflows.at(-1);
      const nextPageToken =
        rows.length > pageSize && last ? encodePageToken({ createdAt: last.state.createdAt.toISOString(), workflowId: last.workflowId }) : '';
      return { workflows, nextPageToken };
    },
    async engineInfo() {
      return Promise.all(
        [...engines.values()].map(async (engine) => {
          const health = await engineHealth.latest(engine);
          return {
            name: engine.name,
            serving: health.serving,
            ...(health.detail !== undefined && { detail: health.detail }),
            capabilities: { ...engine.capabilities },
          };
        }),
      );
    },
    async close() {
      await dispatcher.close();
      await feed.close();
    },
  };
  return {
    service,
    testing: {
      subscriberCount: (workflowId) => hub.subscriberCount(workflowId),
      activeCount: testing.activeCount,
      record: (workflowId) => store.get(workflowId),
    },
  };
}
