/**
 * One grpc-js interceptor layer for the concerns that only watch calls (metrics, trace context):
 * each supplies a CallObserver per call, and a single ServerInterceptingCall drives them all.
 * Every interceptor layer costs an object graph and a hop per event on every call, so watching
 * concerns share one rather than stacking their own.
 */
import { ServerInterceptingCall, type Metadata, type ServerInterceptor, type ServerMethodDefinition, type StatusObject } from '@grpc/grpc-js';

/** A status as interceptors pass it on (its metadata may be missing). */
export type SentStatus = Omit<StatusObject, 'metadata'> & { readonly metadata?: Metadata | null | undefined };

/** What one concern sees of a call; every hook is optional. */
export interface CallObserver {
  /** Request headers, before later interceptors and the handler see them; may change them in place. */
  readonly receiveMetadata?: (metadata: Metadata) => void;
  readonly receiveMessage?: () => void;
  readonly sendMessage?: () => void;
  /** Response headers; may add to them in place. */
  readonly sendMetadata?: (metadata: Metadata) => void;
  /** The final status; returns the status to send on (e.g. with a trailer added). */
  readonly sendStatus?: (status: SentStatus) => SentStatus;
  /** The call ended by cancellation (client, deadline, connection) before a status was sent. */
  readonly cancel?: () => void;
}

/** Creates a concern's observer for one call of `method`. */
export type CallObserverFactory = (method: ServerMethodDefinition<unknown, unknown>) => CallObserver;

/** The interceptor driving `factories`' observers, in order, for every call. */
export function observersInterceptor(factories: readonly CallObserverFactory[]): ServerInterceptor {
  return (method, call) => {
    const observers = factories.map((create) => create(method));
    return new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, nextMetadata) => {
            for (const o of observers) o.receiveMetadata?.(metadata);
            nextMetadata(metadata);
          },
          onReceiveMessage: (message, nextMessage) => {
            for (const o of observers) o.receiveMessage?.();
            nextMessage(message);
          },
          onCancel: () => {
            for (const o of observers) o.cancel?.();
          },
        }),
      sendMetadata: (metadata, nextMetadata) => {
        for (const o of observers) o.sendMetadata?.(metadata);
        nextMetadata(metadata);
      },
      sendMessage: (message, nextMessage) => {
        for (const o of observers) o.sendMessage?.();
        nextMessage(message);
      },
      sendStatus: (status, nextStatus) => {
        let sent = status;
        for (const o of observers) sent = o.sendStatus?.(sent) ?? sent;
        nextStatus(sent);
      },
    });
  };
}
