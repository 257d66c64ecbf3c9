/**
 * One grpc-js interceptor layer for the concerns that only watch calls (metrics, trace context):
 * each supplies a CallObserver per call, and a single ServerInterceptingCall drives them all.
 * Every interceptor layer costs an object graph and a hop per event on every call, so watching
 * concerns share one rather than stacking their own.
 *
 * The layer is one object per call: a ServerInterceptingCall subclass that is its own listener,
 * with its hooks on the prototype. grpc-js's generic form (a responder and a listener of closures,
 * wrapped in two more objects) cost about a dozen closures and four objects per call, held for
 * the whole life of a stream; with 10,000 open WatchState streams that was most of what the layer
 * cost. Observers are synchronous, so nothing here ever waits or queues.
 */
import {
  Metadata,
  ServerInterceptingCall,
  type ServerInterceptor,
  type ServerMethodDefinition,
  type StatusObject,
} from '@grpc/grpc-js';

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

/** The call below this layer, as grpc-js hands it to an interceptor. */
type NextCall = ConstructorParameters<typeof ServerInterceptingCall>[0];
/** What grpc-js passes to `start`: the next layer's listener (its methods take no `next`). */
type NextListener = Parameters<NextCall['start']>[0];

/** The interceptor layer of one call: forwards every event, letting each observer see it first. */
class ObservedCall extends ServerInterceptingCall {
  private listener: NextListener | undefined;
  private metadataSent = false;

  constructor(
    private readonly below: NextCall,
    private readonly observers: readonly CallObserver[],
  ) {
    super(below);
  }

  override start(listener: NextListener): void {
    this.listener = listener;
    this.below.start(this as unknown as NextListener);
  }

  onReceiveMetadata(metadata: Metadata): void {
    for (const o of this.observers) o.receiveMetadata?.(metadata);
    this.listener!.onReceiveMetadata(metadata);
  }

  onReceiveMessage(message: unknown): void {
    for (const o of this.observers) o.receiveMessage?.();
    this.listener!.onReceiveMessage(message);
  }

  onReceiveHalfClose(): void {
    this.listener!.onReceiveHalfClose();
  }

  onCancel(): void {
    for (const o of this.observers) o.cancel?.();
    this.listener!.onCancel();
  }

  override sendMetadata(metadata: Metadata): void {
    this.metadataSent = true;
    for (const o of this.observers) o.sendMetadata?.(metadata);
    this.below.sendMetadata(metadata);
  }

  override sendMessage(message: unknown, callback: () => void): void {
    if (!this.metadataSent) this.sendMetadata(new Metadata());
    for (const o of this.observers) o.sendMessage?.();
    this.below.sendMessage(message, callback);
  }

  override sendStatus(status: StatusObject): void {
    let sent: SentStatus = status;
    for (const o of this.observers) sent = o.sendStatus?.(sent) ?? sent;
    this.below.sendStatus(sent as StatusObject);
  }
}

/** The interceptor driving `factories`' observers, in order, for every call. */
export function observersInterceptor(factories: readonly CallObserverFactory[]): ServerInterceptor {
  return (method, call) => new ObservedCall(call, factories.map((create) => create(method)));
}
