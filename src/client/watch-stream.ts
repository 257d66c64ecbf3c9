/**
 * One WatchState stream as an async generator of state, heartbeat and (when asked for) progress events. No reconnection
 * here (see state-follower.ts): the stream's status ends the generator, typed. Leaving the loop
 * early cancels the call in `finally`.
 */
import { Metadata } from '@grpc/grpc-js';
import type { RemoteWorkflowServiceClient } from '../gen/flowserv/remote/v1/service.js';
import { cancelled, grpcOptions } from './call.js';
import { progressFromProto, type WorkflowProgress } from './mapping/logs.js';
import { sequencedFromProto, type SequencedState } from './mapping/state.js';
import { heartbeatEvent, streamMessages, type SilenceLimit } from './server-stream.js';

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

/**
 * Streams the states after `afterSequence` (0: from the first), then live ones, until the terminal
 * state; with `silenceLimit`, a stream silent for longer ends with StreamSilentError.
 */
export async function* watchOnce(
  raw: RemoteWorkflowServiceClient,
  workflowId: string,
  afterSequence: number,
  deadline: number | undefined,
  signal?: AbortSignal,
  includeProgress = false,
  silenceLimit?: SilenceLimit,
): AsyncGenerator<WatchEvent> {
  if (signal?.aborted) throw cancelled(signal);
  const request = { workflowId, afterSequence, ...(includeProgress && { includeProgress }) };
  const call = raw.watchState(request, new Metadata(), grpcOptions(deadline));
  for await (const msg of streamMessages(call, signal, silenceLimit)) {
    const event = msg.event;
    if (event?.$case === 'state') yield { kind: 'state', ...sequencedFromProto(event.value) };
    else if (event?.$case === 'progress') yield { kind: 'progress', progress: progressFromProto(event.value) };
    else if (event?.$case === 'heartbeat') yield heartbeatEvent(event.value);
  }
}
