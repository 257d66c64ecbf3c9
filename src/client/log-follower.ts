/**
 * WatchLogs for callers: an async generator of log chunks (and heartbeats) that resumes by
 * itself after a dropped connection or a stream silent past the heartbeat watchdog (on a new
 * connection), from the offsets it has received, so every byte is yielded exactly once. A caller that stops (or crashes) can resume later by passing the offsets it had
 * (`LogCursor.offsets()`) as `startOffsets`.
 */
import { Metadata, status as Code } from '@grpc/grpc-js';
import type { RemoteWorkflowServiceClient } from '../gen/flowserv/remote/v1/service.js';
import { logStreamToProto } from '../wire/log-streams.js';
import { abortableSleep, backoffMs, cancelled, grpcOptions, type RetryPolicy } from './call.js';
import { RemoteError, StreamSilentError } from './errors.js';
import { logChunkFromProto, type LogChunk, type LogOffset, type LogStreamName } from './mapping/logs.js';
import { heartbeatEvent, streamMessages, type SilenceLimit, type StreamSource } from './server-stream.js';
import { DEFAULT_RECONNECT_POLICY } from './state-follower.js';

/** Options of watchLogs. */
export interface WatchLogsOptions {
  /** Follow live until the workflow ends (default true); false reads what is written and ends. */
  readonly follow?: boolean;
  /** Only this step (0-based). */
  readonly step?: number;
  /** Only these streams (default both). */
  readonly streams?: readonly LogStreamName[];
  /** Resume points from an earlier call; streams not listed start at 0. */
  readonly startOffsets?: readonly LogOffset[];
  readonly signal?: AbortSignal;
  /** Reconnection policy after a dropped stream (default that of followWorkflow). */
  readonly reconnect?: Partial<RetryPolicy>;
  /** Told about each reconnection (consecutive failure count, the error). */
  readonly onReconnect?: (failures: number, err: unknown) => void;
  /** Heartbeat watchdog in milliseconds, as in followWorkflow (default twice the announced heartbeat; 0: off). */
  readonly silenceTimeoutMs?: number;
}

/** A log event: output, or the server saying it is alive while nothing is written. */
export type LogEvent =
  | ({ readonly kind: 'chunk' } & LogChunk)
  | { readonly kind: 'heartbeat'; readonly at: Date; readonly lastSequence: number };

/** The offsets received so far, per stream of each command. */
export class LogCursor {
  private readonly byKey = new Map<string, LogOffset>();

  constructor(start: readonly LogOffset[] = []) {
    for (const o of start) this.byKey.set(LogCursor.key(o), o);
  }

  private static key(o: Pick<LogOffset, 'step' | 'command' | 'stream'>): string {
    return `${o.step}/${o.command}/${o.stream}`;
  }

  /** Records a received chunk. */
  advance(chunk: LogChunk): void {
    this.byKey.set(LogCursor.key(chunk), { step: chunk.step, command: chunk.command, stream: chunk.stream, offset: chunk.offset + chunk.data.length });
  }

  /** Where each stream stands; pass as `startOffsets` to resume. */
  offsets(): LogOffset[] {
    return [...this.byKey.values()];
  }
}

const RECONNECT_CODES: ReadonlySet<number> = new Set([Code.UNAVAILABLE, Code.INTERNAL, Code.UNKNOWN, Code.DEADLINE_EXCEEDED]);

async function* watchLogsOnce(
  raw: RemoteWorkflowServiceClient,
  workflowId: string,
  options: WatchLogsOptions,
  cursor: LogCursor,
  silence: SilenceLimit,
  signal?: AbortSignal,
): AsyncGenerator<LogEvent> {
  if (signal?.aborted) throw cancelled(signal);
  const request = {
    workflowId,
    follow: options.follow ?? true,
    startOffsets: cursor.offsets().map((o) => ({ stepIndex: o.step, commandIndex: o.command, stream: logStreamToProto(o.stream), offset: o.offset })),
    ...(options.step !== undefined && { stepIndex: options.step }),
    streams: (options.streams ?? []).map(logStreamToProto),
  };
  const call = raw.watchLogs(request, new Metadata(), grpcOptions(undefined));
  for await (const msg of streamMessages(call, signal, silence)) {
    const event = msg.event;
    if (event?.$case === 'chunk') {
      const chunk = logChunkFromProto(event.value);
      cursor.advance(chunk);
      yield { kind: 'chunk', ...chunk };
    } else if (event?.$case === 'heartbeat') {
      yield heartbeatEvent(event.value);
    }
  }
}

/**
 * Yields the workflow's output from `startOffsets` (each byte once, in offset order per stream),
 * reconnecting from the offsets received when the stream drops, until the server ends the
 * stream (the workflow has ended and all was sent, or without follow: all written so far).
 * `cursor` (optional) receives every chunk, so a caller can save where it stood.
 */
export async function* watchLogs(source: StreamSource, workflowId: string, options: WatchLogsOptions = {}, cursor = new LogCursor(options.startOffsets)): AsyncGenerator<LogEvent> {
  const policy = { ...DEFAULT_RECONNECT_POLICY, ...options.reconnect };
  const silence = source.silenceLimit(options.silenceTimeoutMs);
  let failures = 0;
  for (;;) {
    const channel = source.raw;
    try {
      for await (const event of watchLogsOnce(channel, workflowId, options, cursor, silence, options.signal)) {
        failures = 0;
        yield event;
      }
      return;
    } catch (err) {
      if (options.signal?.aborted || !(err instanceof RemoteError) || !RECONNECT_CODES.has(err.code)) throw err;
      if (err instanceof StreamSilentError) source.abandonConnection(channel);
      failures++;
      if (failures >= policy.maxAttempts) throw err;
      options.onReconnect?.(failures, err);
      await abortableSleep(backoffMs(failures, policy), options.signal);
    }
  }
}
