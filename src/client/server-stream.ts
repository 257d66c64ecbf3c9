/**
 * The messages of one server-streaming call as an async generator: the caller's signal cancels
 * the call, a failed stream ends the generator with the typed RemoteError, and leaving the loop
 * early (or any end) cancels the call in `finally`. WatchState and WatchLogs read through it.
 */
import type { ClientReadableStream } from '@grpc/grpc-js';
import { toRemoteError } from './errors.js';

/** Yields each message `call` receives until its status; errors are typed RemoteErrors. */
export async function* streamMessages<M>(call: ClientReadableStream<M>, signal?: AbortSignal): AsyncGenerator<M> {
  const onAbort = (): void => call.cancel();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const msg of call as AsyncIterable<M>) yield msg;
  } catch (err) {
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
