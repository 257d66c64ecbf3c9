/** WatchLogs and progress: protobuf messages ↔ the service's log and progress records. */
import { InvalidArgumentError, ViolationReason, type FieldViolation } from '../../errors.js';
import type { LogChunk, LogStream } from '../../gen/flowserv/remote/v1/logs.js';
import type { WorkflowProgress } from '../../gen/flowserv/remote/v1/progress.js';
import type { WatchLogsRequest } from '../../gen/flowserv/remote/v1/service.js';
import type { LogChunkRecord, LogStreamName, WatchLogsInput } from '../../service/logs/log-types.js';
import type { WorkflowProgressRecord } from '../../service/progress.js';
import { durationFromMs } from '../../wire/duration.js';
import { logStreamFromProto, logStreamToProto } from '../../wire/log-streams.js';

function streamFromProto(stream: LogStream, field: string, violations: FieldViolation[]): LogStreamName {
  const name = logStreamFromProto(stream);
  if (name) return name;
  violations.push({ field, description: 'stream must be LOG_STREAM_STDOUT or LOG_STREAM_STDERR', reason: ViolationReason.INVALID_ENUM });
  return 'stdout';
}

/** The service's input for a WatchLogs request; throws InvalidArgumentError for bad enums. */
export function watchLogsRequestToDomain(req: WatchLogsRequest): WatchLogsInput {
  const violations: FieldViolation[] = [];
  const startOffsets = req.startOffsets.map((o, i) => ({
    step: o.stepIndex,
    command: o.commandIndex,
    stream: streamFromProto(o.stream, `start_offsets[${i}].stream`, violations),
    offset: o.offset,
  }));
  const streams = req.streams.map((s, i) => streamFromProto(s, `streams[${i}]`, violations));
  if (violations.length > 0) throw new InvalidArgumentError('invalid log request', violations);
  return {
    workflowId: req.workflowId,
    follow: req.follow,
    startOffsets,
    ...(req.stepIndex !== undefined && { step: req.stepIndex }),
    ...(streams.length > 0 && { streams }),
  };
}

/** A chunk record as the protobuf LogChunk. */
export function logChunkToProto(chunk: LogChunkRecord): LogChunk {
  return {
    stepIndex: chunk.step,
    commandIndex: chunk.command,
    command: chunk.commandText ?? '',
    stream: logStreamToProto(chunk.stream),
    offset: chunk.offset,
    data: chunk.data,
    truncated: chunk.droppedBytes !== undefined,
    droppedBytes: chunk.droppedBytes ?? 0,
  };
}

/** A progress record as the protobuf WorkflowProgress. */
export function progressToProto(progress: WorkflowProgressRecord): WorkflowProgress {
  return {
    stepCount: progress.stepCount,
    runningStepIndex: progress.runningStep,
    steps: progress.steps.map((s) => ({
      stepIndex: s.step,
      name: s.name,
      startedAt: s.startedAt,
      exitCode: s.exitCode,
      duration: s.durationMs === undefined ? undefined : durationFromMs(s.durationMs),
    })),
  };
}
