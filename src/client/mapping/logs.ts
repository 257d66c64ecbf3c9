/** Protobuf log chunks and progress → plain client records. */
import type { LogChunk as LogChunkProto, LogStream } from '../../gen/flowserv/remote/v1/logs.js';
import type { WorkflowProgress as WorkflowProgressProto } from '../../gen/flowserv/remote/v1/progress.js';
import { durationMs } from '../../wire/duration.js';
import { logStreamFromProto } from '../../wire/log-streams.js';
import type { LogChunk, LogCursor, LogStreamName } from '../../model/logs.js';

export type { LogChunk, LogStreamName } from '../../model/logs.js';

/** Where to resume one stream of one command. */
export type LogOffset = LogCursor;

/** One step that has started. */
export interface StepProgress {
  readonly step: number;
  readonly name: string;
  readonly startedAt?: Date;
  /** Set once the step ended (with durationMs). */
  readonly exitCode?: number;
  readonly durationMs?: number;
}

/** Which step runs and how the earlier ones ended. */
export interface WorkflowProgress {
  readonly stepCount: number;
  /** The running step, if any. */
  readonly runningStep?: number;
  readonly steps: readonly StepProgress[];
}

/** The stream name of an enum value; a value this client does not know is a protocol error. */
export function streamName(stream: LogStream): LogStreamName {
  const name = logStreamFromProto(stream);
  if (!name) throw new Error(`server sent an unknown log stream ${stream}`);
  return name;
}

/** A chunk record. */
export function logChunkFromProto(c: LogChunkProto): LogChunk {
  return {
    step: c.stepIndex,
    command: c.commandIndex,
    ...(c.command !== '' && { commandText: c.command }),
    stream: streamName(c.stream),
    offset: c.offset,
    data: c.data,
    ...(c.truncated && { droppedBytes: c.droppedBytes }),
  };
}

/** A progress record. */
export function progressFromProto(p: WorkflowProgressProto): WorkflowProgress {
  return {
    stepCount: p.stepCount,
    ...(p.runningStepIndex !== undefined && { runningStep: p.runningStepIndex }),
    steps: p.steps.map((s) => ({
      step: s.stepIndex,
      name: s.name,
      ...(s.startedAt && { startedAt: s.startedAt }),
      ...(s.exitCode !== undefined && { exitCode: s.exitCode }),
      ...(s.duration && { durationMs: durationMs(s.duration) }),
    })),
  };
}
