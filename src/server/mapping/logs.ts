/** WatchLogs and progress: protobuf messages ↔ the service's log and progress records. */
import { InvalidArgumentError, ViolationReason, type FieldViolation } from '../../errors.js';
import { LogChunk, type LogStream } from '../../gen/flowserv/remote/v1/logs.js';
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

/** Encoded WatchLogs chunk messages, per chunk record: a record shared by followers is encoded once. */
const encodedChunks = new WeakMap<LogChunkRecord, Buffer>();

/** Protobuf tags: WatchLogsResponse.chunk (field 1) and LogChunk.data (field 6), both length-delimited. */
const CHUNK_TAG = (1 << 3) | 2;
const DATA_TAG = (6 << 3) | 2;

function varintLength(n: number): number {
  let length = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    length++;
  }
  return length;
}

function writeVarint(out: Buffer, at: number, n: number): number {
  while (n >= 0x80) {
    out[at++] = (n % 0x80) | 0x80;
    n = Math.floor(n / 0x80);
  }
  out[at++] = n;
  return at;
}

/**
 * The WatchLogsResponse carrying `chunk`, encoded once per record object. The chunk's small
 * fields go through the generated encoder; its data is appended as the last field (protobuf
 * fields may come in any order), so the bytes are copied once instead of at every step of the
 * generic writer.
 */
export function encodedLogChunk(chunk: LogChunkRecord): Buffer {
  let bytes = encodedChunks.get(chunk);
  if (bytes) return bytes;
  const head = LogChunk.encode({ ...logChunkToProto(chunk), data: new Uint8Array(0) }).finish();
  const data = chunk.data;
  const dataField = data.length === 0 ? 0 : 1 + varintLength(data.length) + data.length;
  const inner = head.length + dataField;
  bytes = Buffer.allocUnsafe(1 + varintLength(inner) + inner);
  let at = writeVarint(bytes, 1, inner);
  bytes[0] = CHUNK_TAG;
  bytes.set(head, at);
  at += head.length;
  if (dataField > 0) {
    bytes[at++] = DATA_TAG;
    at = writeVarint(bytes, at, data.length);
    bytes.set(data, at);
  }
  encodedChunks.set(chunk, bytes);
  return bytes;
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
