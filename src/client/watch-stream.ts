/**
 * One WatchState stream as an async generator of state, heartbeat and (when asked for) progress events. No reconnection
 * here (see state-follower.ts): the stream's status ends the generator, typed. Leaving the loop
 * early cancels the call in `finally`.
 */
import { Metadata } from '@grpc/grpc-js';
import type { RemoteWorkflowServiceClient, WatchStateResponse } from '../gen/flowserv/remote/v1/service.js';
import { cancelled, grpcOptions } from './call.js';
import { toRemoteError } from './errors.js';
import { progressFromProto, type WorkflowProgress } from './mapping/logs.js';
import { sequencedFromProto, type SequencedState } from './mapping/state.js';

/** A new state (in sequence order, each once per stream). */
export interface StateEvent extends SequencedState {
  readonly kind: 'state';
}

/** The server is alive and nothing changed since `lastSequence`. */
export interface HeartbeatEvent {
  readonly kind: 'heartbeat';
  readonly at: Date;
  readonly lastSequence: number;
}

/** Step progress (only on watches that asked for it): which step runs, how earlier ones ended. */
export interface ProgressEvent {
  readonly kind: 'progress';
  readonly progress: WorkflowProgress;
}

/** What a watch yields. */
export type WatchEvent = StateEvent | HeartbeatEvent | ProgressEvent;

/** Streams the states after `afterSequence` (0: from the first), then live ones, until the terminal state. */
export async function* watchOnce(
  raw: RemoteWorkflowServiceClient,
  workflowId: string,
  afterSequence: number,
  deadline: number | undefined,
  signal?: AbortSignal,
  includeProgress = false,
): AsyncGenerator<WatchEvent> {
  if (signal?.aborted) throw cancelled(signal);
  const request = { workflowId, afterSequence, ...(includeProgress && { includeProgress }) };
  const call = raw.watchState(request, new Metadata(), grpcOptions(deadline));
  const onAbort = (): void => call.cancel();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const msg of call as AsyncIterable<WatchStateResponse>) {
      const event = msg.event;
      if (event?.$case === 'state') yield { kind: 'state', ...sequencedFromProto(event.value) };
      else if (event?.$case === 'progress') yield { kind: 'progress', progress: progressFromProto(event.value) };
      else if (event?.$case === 'heartbeat') {
        yield { kind: 'heartbeat', at: event.value.time ?? new Date(), lastSequence: event.value.lastSequence };
      }
    }
  } catch (err) {
    throw toRemoteError(err, signal?.aborted === true);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    call.cancel();
  }
}
