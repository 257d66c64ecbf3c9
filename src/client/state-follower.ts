/**
 * Follows a workflow until its terminal state: WatchState, resumed with the last sequence seen
 * whenever the stream drops (exponential backoff, bounded by consecutive failures), or polling
 * GetWorkflowState when the server does not implement streaming. Each state is yielded once, in
 * sequence order; heartbeats pass through. A stream that stays silent past the heartbeat watchdog
 * (a frozen server, a node lost without a reset) is given up with its connection, and the watch
 * resumes on a new one: behind a Service, on another replica.
 */
import { status as Code } from '@grpc/grpc-js';
import { abortableSleep, backoffMs, cancelled, type RetryPolicy } from './call.js';
import { RemoteError, StreamSilentError, UnavailableError, UnimplementedError } from './errors.js';
import type { GrpcRemoteClient } from './grpc-remote-client.js';
import { watchOnce, type WatchEvent } from './watch-stream.js';

/** Options of followWorkflow. */
export interface FollowOptions {
  /** Yield only states after this sequence (default 0: all of them). */
  readonly afterSequence?: number;
  readonly signal?: AbortSignal;
  /** Poll interval when streaming is unavailable, in milliseconds (default 1000). */
  readonly pollIntervalMs?: number;
  /**
   * Reconnection policy: `maxAttempts` consecutive failed streams end following with the last
   * error (default 10 attempts, 100 ms doubling up to 5 s: about 25 s without a connection).
   */
  readonly reconnect?: Partial<RetryPolicy>;
  /** Forces polling (default: stream, poll only after UNIMPLEMENTED). */
  readonly poll?: boolean;
  /** Told about each reconnection (consecutive failure count, the error). */
  readonly onReconnect?: (failures: number, err: unknown) => void;
  /** Also yield step progress events (streaming only; polling yields states only). */
  readonly includeProgress?: boolean;
  /**
   * Heartbeat watchdog, in milliseconds: a stream with no message (heartbeats included) for this
   * long is taken for a lost server or connection and resumed on a fresh connection. Default:
   * twice the heartbeat interval the server announces; 0 turns the watchdog off.
   */
  readonly silenceTimeoutMs?: number;
}

/** Default reconnection policy of followWorkflow. */
export const DEFAULT_RECONNECT_POLICY: RetryPolicy = Object.freeze({ maxAttempts: 10, initialBackoffMs: 100, maxBackoffMs: 5_000, multiplier: 2 });

const RECONNECT_CODES: ReadonlySet<number> = new Set([Code.UNAVAILABLE, Code.INTERNAL, Code.UNKNOWN, Code.CANCELLED, Code.DEADLINE_EXCEEDED]);

function reconnectable(err: unknown, signal?: AbortSignal): boolean {
  return !signal?.aborted && err instanceof RemoteError && RECONNECT_CODES.has(err.code);
}

/** Yields the workflow's states (each once, in order) and heartbeats until a terminal state. */
export async function* followWorkflow(client: GrpcRemoteClient, workflowId: string, options: FollowOptions = {}): AsyncGenerator<WatchEvent> {
  const policy = { ...DEFAULT_RECONNECT_POLICY, ...options.reconnect };
  const signal = options.signal;
  let last = options.afterSequence ?? 0;
  let failures = 0;
  let polling = options.poll === true;
  const silence = polling ? undefined : client.silenceLimit(options.silenceTimeoutMs);
  while (!polling) {
    let failure: unknown;
    const channel = client.raw;
    try {
      for await (const event of watchOnce(channel, workflowId, last, undefined, signal, options.includeProgress === true, silence)) {
        failures = 0;
        if (event.kind !== 'state') {
          yield event;
          continue;
        }
        if (event.sequence <= last) continue;
        last = event.sequence;
        yield event;
        if (!event.state.isActive()) return;
      }
      failure = new UnavailableError('watch stream ended before a terminal state', Code.UNAVAILABLE);
    } catch (err) {
      if (err instanceof UnimplementedError) {
        polling = true;
        break;
      }
      if (!reconnectable(err, signal)) throw err;
      if (err instanceof StreamSilentError) client.abandonConnection(channel);
      failure = err;
    }
    failures++;
    if (failures >= policy.maxAttempts) throw failure;
    options.onReconnect?.(failures, failure);
    await abortableSleep(backoffMs(failures, policy), signal);
  }
  yield* pollStates(client, workflowId, last, options.pollIntervalMs ?? 1_000, signal);
}

async function* pollStates(
  client: GrpcRemoteClient,
  workflowId: string,
  after: number,
  intervalMs: number,
  signal?: AbortSignal,
): AsyncGenerator<WatchEvent> {
  let last = after;
  for (;;) {
    if (signal?.aborted) throw cancelled(signal);
    const s = await client.getState(workflowId, { ...(signal && { signal }) });
    if (s.sequence > last) {
      last = s.sequence;
      yield { kind: 'state', ...s };
      if (!s.state.isActive()) return;
    }
    await abortableSleep(intervalMs, signal);
  }
}
