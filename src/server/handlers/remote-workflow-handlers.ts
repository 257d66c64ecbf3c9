/**
 * RemoteWorkflowService handlers: each maps its request to the transport-free WorkflowService
 * and the result back; errors travel untouched to the one status function. Streams are async
 * generators (the service adapter handles backpressure and cleanup); the long-lived WatchState
 * also ends cleanly when the server starts draining.
 */
import { RemoteWorkflowServiceService } from '../../gen/flowserv/remote/v1/service.js';
import type { UploadFileRequest, WatchStateResponse } from '../../gen/flowserv/remote/v1/service.js';
import { InvalidArgumentError, ShuttingDownError, ViolationReason, type FieldViolation } from '../../errors.js';
import { checkRelativePath } from '../../service/staging.js';
import type { WorkflowService } from '../../service/workflow-service.js';
import { defineService, type ServiceRegistration } from '../service-adapter.js';
import { createRequestToDomain } from '../mapping/requests.js';
import { encodedStateAnswer, encodedStateEvent, outputFileToProto, stateToProto, workflowToProto } from '../mapping/workflow.js';
import { durationFromMs, optionalDurationMs } from '../../wire/duration.js';
import { confinementToProto, stateTypeFromProto } from '../../wire/enums.js';
import { formatTraceparent } from '../trace-context.js';
import { encodedLogChunk, progressToProto, watchLogsRequestToDomain } from '../mapping/logs.js';
import { PreEncoded } from '../pre-encoded.js';
import { MappedStream } from '../mapped-stream.js';
import type { WatchEvent } from '../../service/types.js';
import type { CallerOf } from '../security/callers.js';

/** Settings the handlers report or apply. */
export interface HandlerSettings {
  readonly version: string;
  readonly defaultEngine: string;
  readonly maxMessageBytes: number;
  /** Grace period of a StopWorkflow that names none, in ms. */
  readonly defaultStopGraceMs: number;
  /** Longest grace period a caller may ask for, in ms. */
  readonly maxStopGraceMs: number;
  /**
   * Who a call is from (Security.callerOf). Every workflow operation passes it on, so a caller
   * reaches only its own workflows (an admin, or anyone without authentication, all of them).
   */
  readonly callerOf: CallerOf;
}

function required(value: string, field: string): string {
  if (value === '') throw new InvalidArgumentError(`${field} is required`, [{ field, description: `${field} must not be empty`, reason: ViolationReason.REQUIRED }]);
  return value;
}

/** What any workflow id this server hands out looks like (ids are 32 hex characters). */
const POSSIBLE_WORKFLOW_ID = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * The request's workflow id; one that no workflow can have (too long, odd characters) is
 * refused here, before it could be echoed in any message.
 */
function workflowIdOf(value: string): string {
  required(value, 'workflow_id');
  if (!POSSIBLE_WORKFLOW_ID.test(value)) {
    throw new InvalidArgumentError('workflow_id is not a workflow id', [
      { field: 'workflow_id', description: 'a workflow id is 1-64 characters of letters, digits, _ . -', reason: ViolationReason.INVALID_WORKFLOW_ID },
    ]);
  }
  return value;
}

async function* uploadChunks(rest: AsyncIterator<UploadFileRequest>, maxChunkBytes: number): AsyncGenerator<Uint8Array> {
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    const content = next.value.content;
    if (content?.$case !== 'chunk') {
      throw new InvalidArgumentError('only the first message may carry the header', [
        { field: 'content.header', description: 'header sent again after the first message', reason: ViolationReason.DUPLICATE_HEADER },
      ]);
    }
    if (content.value.length > maxChunkBytes) {
      throw new InvalidArgumentError('upload chunk too large', [
        {
          field: 'content.chunk',
          description: `a chunk of ${content.value.length} bytes is larger than Limits.upload_chunk_bytes (${maxChunkBytes})`,
          reason: ViolationReason.CHUNK_TOO_LARGE,
        },
      ]);
    }
    yield content.value;
  }
}

/** One WatchState event as its response message. */
function watchEventToWire(event: WatchEvent): WatchStateResponse | PreEncoded {
  // A published state reaches every watcher as the same object: encoded once for all of them.
  if (event.kind === 'state') return new PreEncoded(encodedStateEvent(event.state));
  if (event.kind === 'progress') return { event: { $case: 'progress', value: progressToProto(event.progress) } };
  return { event: { $case: 'heartbeat', value: { time: event.at, lastSequence: event.lastSequence } } };
}

/** Builds the RemoteWorkflowService registration over `service`. */
export function createRemoteWorkflowHandlers(service: WorkflowService, settings: HandlerSettings): ServiceRegistration {
  const { callerOf } = settings;
  return defineService(RemoteWorkflowServiceService, {
    async createWorkflow(req, ctx) {
      const input = { ...createRequestToDomain(req), traceparent: formatTraceparent(ctx.trace) };
      const { workflow, replayed } = await service.createWorkflow(input, callerOf(ctx.metadata));
      return { workflow: workflowToProto(workflow), replayed };
    },

    async getWorkflowState(req, ctx) {
      const current = req.currentState ? stateTypeFromProto(req.currentState.type) : undefined;
      const { state, changed } = await service.getWorkflowState(workflowIdOf(req.workflowId), current, callerOf(ctx.metadata));
      // Sent as it is (see PreEncoded): one encoding per latest state, not one per call.
      return new PreEncoded(encodedStateAnswer(state, changed));
    },

    async stopWorkflow(req, ctx) {
      const askedMs = optionalDurationMs(req.gracePeriod);
      if (askedMs !== undefined && (askedMs < 0 || askedMs > settings.maxStopGraceMs)) {
        throw new InvalidArgumentError('invalid grace period', [
          { field: 'grace_period', description: `grace period must be between 0 and ${settings.maxStopGraceMs} ms`, reason: ViolationReason.OUT_OF_BOUNDS },
        ]);
      }
      const workflowId = workflowIdOf(req.workflowId);
      const state = await service.stopWorkflow(workflowId, req.reason, askedMs ?? settings.defaultStopGraceMs, ctx.signal, callerOf(ctx.metadata));
      return { state: stateToProto(state) };
    },

    watchState(req, ctx) {
      const workflowId = workflowIdOf(req.workflowId);
      const caller = callerOf(ctx.metadata);
      // A negative after_sequence is refused by the service (INVALID_ARGUMENT), before any event.
      return new MappedStream(service.watchState(workflowId, req.afterSequence, ctx.streamSignal, { includeProgress: req.includeProgress === true, caller }), watchEventToWire);
    },

    async *watchLogs(req, ctx) {
      workflowIdOf(req.workflowId);
      const caller = callerOf(ctx.metadata);
      for await (const event of await service.watchLogs(watchLogsRequestToDomain(req), ctx.streamSignal, caller)) {
        yield event.kind === 'chunk'
          ? new PreEncoded(encodedLogChunk(event.chunk))
          : { event: { $case: 'heartbeat' as const, value: { time: event.at, lastSequence: event.lastSequence } } };
      }
      // Cut short by the drain: OK would tell the caller it has everything; UNAVAILABLE says resume.
      if (ctx.shutdownSignal.aborted && !ctx.signal.aborted) throw new ShuttingDownError();
    },

    async uploadFile(requests, ctx) {
      const it = requests[Symbol.asyncIterator]();
      const first = await it.next();
      if (first.done || first.value.content?.$case !== 'header') {
        throw new InvalidArgumentError('the first message must carry the header', [
          { field: 'content.header', description: 'first message must be an UploadFileHeader with sha256 and size_bytes', reason: ViolationReason.MISSING_HEADER },
        ]);
      }
      const header = first.value.content.value;
      const result = await service.uploadFile(uploadChunks(it, service.limits.uploadChunkBytes), { sha256: header.sha256, sizeBytes: header.sizeBytes }, ctx.signal);
      return { sha256: result.sha256, sizeBytes: result.sizeBytes, alreadyPresent: result.alreadyPresent };
    },

    async findFiles(req) {
      return { presentSha256s: await service.findFiles(req.sha256s) };
    },

    async *downloadFile(req, ctx) {
      const workflowId = workflowIdOf(req.workflowId);
      const violations: FieldViolation[] = [];
      const pathProblem = req.path === '' ? undefined : checkRelativePath(req.path);
      if (pathProblem) violations.push({ field: 'path', description: `${pathProblem}: an output key is a relative path`, reason: ViolationReason.INVALID_PATH });
      if (req.offset < 0) violations.push({ field: 'offset', description: 'offset must not be negative', reason: ViolationReason.OUT_OF_BOUNDS });
      if (violations.length > 0) throw new InvalidArgumentError('invalid download request', violations);
      const source = await service.openDownload(workflowId, required(req.path, 'path'), req.offset, callerOf(ctx.metadata));
      const file = outputFileToProto(source.file);
      let offset = source.offset;
      let first = true;
      for await (const chunk of source.chunks) {
        yield { file: first ? file : undefined, offset, chunk };
        offset += chunk.length;
        first = false;
      }
      if (first) yield { file, offset, chunk: new Uint8Array(0) };
    },

    async getWorkflow(req, ctx) {
      const workflowId = workflowIdOf(req.workflowId);
      const caller = callerOf(ctx.metadata);
      const workflow = workflowToProto(await service.getWorkflow(workflowId, caller));
      return { workflow: { ...workflow, progress: progressToProto(await service.getProgress(workflowId, caller)) } };
    },

    async listWorkflows(req, ctx) {
      const states = req.states.map((s, i) => {
        const type = stateTypeFromProto(s);
        if (!type) throw new InvalidArgumentError('invalid state filter', [{ field: `states[${i}]`, description: 'unknown workflow state type', reason: ViolationReason.INVALID_ENUM }]);
        return type;
      });
      if (req.pageSize < 0) throw new InvalidArgumentError('invalid page size', [{ field: 'page_size', description: 'page size must not be negative', reason: ViolationReason.OUT_OF_BOUNDS }]);
      const page = await service.listWorkflows({
        pageSize: req.pageSize,
        ...(req.pageToken && { pageToken: req.pageToken }),
        ...(states.length > 0 && { states }),
        ...(Object.keys(req.labels).length > 0 && { labels: req.labels }),
        ...(req.engine && { engine: req.engine }),
      }, callerOf(ctx.metadata));
      return { workflows: page.workflows.map(workflowToProto), nextPageToken: page.nextPageToken };
    },

    async getServiceInfo() {
      const engines = await service.engineInfo();
      const { limits } = service;
      return {
        version: settings.version,
        defaultEngine: settings.defaultEngine,
        engines: engines.map((e) => {
          const { confinement, separateJobUser, ...flags } = e.capabilities;
          return {
            name: e.name,
            serving: e.serving,
            capabilities: { ...flags, jobConfinement: confinementToProto(confinement), separateJobUser: separateJobUser ?? false },
          };
        }),
        limits: {
          maxMessageBytes: settings.maxMessageBytes,
          maxUploadBytes: limits.maxUploadBytes,
          uploadChunkBytes: limits.uploadChunkBytes,
          downloadChunkBytes: limits.downloadChunkBytes,
          heartbeatInterval: durationFromMs(limits.heartbeatIntervalMs),
          maxDirectoryEntries: limits.maxDirectoryEntries,
          maxDirectoryBytes: limits.maxDirectoryBytes,
          logCapBytes: limits.logCapBytes ?? 0,
        },
      };
    },
  });
}
