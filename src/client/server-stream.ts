/**
 * The messages of one server-streaming call as an async generator: the caller's signal cancels
 * the call, a failed stream ends the generator with the typed RemoteError, and leaving the loop
 * early (or any end) cancels the call in `finally`. WatchState and WatchLogs read through it.
 *
 * A silence watchdog guards the wait for each message: a server that is frozen, or a peer that
 * vanished without a reset, leaves a stream open but silent, which TCP alone notices only after
 * many minutes. When no message (heartbeats included) arrives within the limit, the call is
 * cancelled and the generator ends with a StreamSilentError (UNAVAILABLE), which the followers
 * treat like a dropped connection. Time the caller spends between messages does not count.
 */
import type { ClientReadableStream } from '@grpc/grpc-js';
import type { RemoteWorkflowServiceClient } from '../gen/flowserv/remote/v1/service.js';
import { StreamSilentError, toRemoteError } from './errors.js';

/**
 * The silence limit of a stream in milliseconds, read before each wait so that a limit learnt
 * while the stream runs applies to the next wait; 0 or less disables the watchdog.
 */
export type SilenceLimit = () => number;

/**
 * What a reconnecting follower needs of the client: the channel to open the next stream on, a
 * way to give up a connection a silent stream ran on, and the silence limit to watch with.
 */
export interface StreamSource {
  readonly raw: RemoteWorkflowServiceClient;
  abandonConnection(stale: RemoteWorkflowServiceClient): void;
  silenceLimit(configuredMs?: number): SilenceLimit;
}

/** Yields each message `call` receives until its status; errors are typed RemoteErrors. */
export async function* streamMessages<M>(call: ClientReadableStream<M>, signal?: AbortSignal, silenceLimit?: SilenceLimit): AsyncGenerator<M> {
  const onAbort = (): void => call.cancel();
  signal?.addEventListener('abort', onAbort, { once: true });
  let silentFor = 0;
  const messages = (call as AsyncIterable<M>)[Symbol.asyncIterator]();
  try {
    for (;;) {
      const limit = silenceLimit?.() ?? 0;
      const watchdog =
        limit > 0
          ? setTimeout(() => {
              silentFor = limit;
              call.cancel();
            }, limit)
          : undefined;
      let next: IteratorResult<M>;
      try {
        next = await messages.next();
      } finally {
        clearTimeout(watchdog);
      }
      if (next.done === true) return;
      yield next.value;
    }
  } catch (err) {
    if (silentFor > 0 && signal?.aborted !== true) throw new StreamSilentError(silentFor);
    throw toRemoteError(err, signal?.aborted === true);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    call.cancel();
  }
}

/** A heartbeat event from its protobuf message (a missing time reads as now). */
export function heartbeatEvent(beat: { time?: Date | undefined; lastSequence: number }): { kind: 'heartbeat'; at: Date; lastSequence: number } {
  return { kind: 'heartbeat', at: beat.time ?? new Date(), lastSequence: beat.lastSequence };
}
