/**
 * What a handler gets besides its request: cancellation as AbortSignals, a per-call logger and
 * the caller's metadata. It turns grpc-js's events into the two questions a handler asks:
 * "is the caller still there?" (`signal`) and "is the server draining?" (`shutdownSignal`).
 */
import type { Metadata } from '@grpc/grpc-js';
import type { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { callTraceOf, setCallTrace, traceOfMetadata, type TraceIds } from './trace-context.js';

/** Handed to every handler. */
export interface CallContext {
  /** Full method path without the leading slash, e.g. `flowserv.remote.v1.RemoteWorkflowService/WatchState`. */
  readonly rpc: string;
  /**
   * Aborted when the call is over for the caller: client cancel, deadline, lost connection, or a
   * forced shutdown. Handlers pass it to every wait. It never stops a workflow.
   */
  readonly signal: AbortSignal;
  /**
   * Aborted when the server starts draining (SIGTERM). Long-lived streams (WatchState, Health.Watch)
   * must then end cleanly with OK so that the drain finishes within the grace period; unary calls
   * may ignore it and complete; streams wait on `streamSignal`, which covers both.
   */
  readonly shutdownSignal: AbortSignal;
  /**
   * Aborted when `signal` or `shutdownSignal` is (with its reason): what a long-lived stream
   * passes to its waits. It is the call's one extra AbortController, and the server's drain
   * reaches all open ones through a single listener, so a stream holds no listener of its own
   * on the shutdown signal.
   */
  readonly streamSignal: AbortSignal;
  /**
   * Child logger bound to `{rpc, peer, traceId, spanId, workflowId?}`; `spanId` is this call's own
   * span, the one its access-log line carries too, so the handler's lines join to that line.
   */
  readonly logger: Logger;
  /**
   * The call's W3C trace context: the caller's trace id (or a new one) and this call's span id
   * (OpenTelemetry's server span when tracing is on). `formatTraceparent(trace)` is the header
   * a job started by this call gets as TRACEPARENT.
   */
  readonly trace: TraceIds;
  /** Request headers. */
  readonly metadata: Metadata;
  /** The caller's address as grpc-js reports it (`ipv4:127.0.0.1:53422`). */
  readonly peer: string;
}

/** Reads `workflowId` (or `workflow.workflowId`) from a decoded message, for logs. */
export function workflowIdOf(message: unknown): string | undefined {
  if (message === null || typeof message !== 'object') return undefined;
  const direct = (message as { workflowId?: unknown }).workflowId;
  if (typeof direct === 'string' && direct !== '') return direct;
  const nested = (message as { workflow?: { workflowId?: unknown } }).workflow?.workflowId;
  return typeof nested === 'string' && nested !== '' ? nested : undefined;
}

/** The grpc-js call surface a context needs (all four call kinds have it). */
interface GrpcCall extends EventEmitter {
  readonly metadata: Metadata;
  /** Set by grpc-js when the call is cancelled (and, like the event, at the end of every call). */
  readonly cancelled: boolean;
  getPeer(): string;
}

/** The active OpenTelemetry span's ids inside a handler, when tracing is on. */
export type ActiveTrace = () => TraceIds | undefined;

/** A context plus the hook the adapter calls once it has ended the call. */
export interface CallScope {
  readonly ctx: CallContext;
  /** Marks the call finished: from now on grpc-js's `cancelled` event is not a cancel. */
  finish(): void;
  /** The caller left before the call finished (ctx.signal's state, without making the signal). */
  cancelledByCaller(): boolean;
}

/**
 * The open streams' signals of one server, aborted together when its shutdown signal fires:
 * one listener for all of them instead of one per stream.
 */
class DrainGroup {
  readonly open = new Set<LazyCallContext>();

  constructor(shutdownSignal: AbortSignal) {
    shutdownSignal.addEventListener('abort', () => {
      for (const ctx of this.open) ctx.drain(shutdownSignal.reason);
      this.open.clear();
    }, { once: true });
  }
}

const drainGroups = new WeakMap<AbortSignal, DrainGroup>();

function drainGroupOf(shutdownSignal: AbortSignal): DrainGroup {
  let group = drainGroups.get(shutdownSignal);
  if (!group) drainGroups.set(shutdownSignal, (group = new DrainGroup(shutdownSignal)));
  return group;
}

/**
 * One call's context, built for the common case of a unary call that neither waits nor logs:
 * the AbortController, the trace ids, the peer string and the child logger are made on first
 * use, and the getters live on the prototype, so a call costs one object. The `cancelled`
 * listener too is added on the first use of a signal; until then grpc-js's `cancelled` flag
 * answers whether the caller left.
 */
class LazyCallContext implements CallContext, CallScope {
  private controller: AbortController | undefined;
  private streamController: AbortController | undefined;
  private cancelled = false;
  private finished = false;
  private following = false;
  private traceIds: TraceIds | undefined;
  private peerName: string | undefined;
  private callLogger: Logger | undefined;

  constructor(
    private readonly call: GrpcCall,
    readonly rpc: string,
    private readonly rootLogger: Logger,
    readonly shutdownSignal: AbortSignal,
    private readonly request: unknown,
  ) {}

  /** From the first use of a signal on, grpc-js's `cancelled` event aborts the signals. */
  private followCancel(): void {
    if (this.following) return;
    this.following = true;
    if (this.call.cancelled && !this.finished) this.cancelled = true;
    else this.call.on('cancelled', () => this.onCancelled());
  }

  private onCancelled(): void {
    if (this.finished || this.cancelled) return;
    this.cancelled = true;
    if (this.controller || this.streamController) {
      const reason = this.cancelReason();
      this.controller?.abort(reason);
      this.streamController?.abort(reason);
    }
    if (this.streamController) drainGroupOf(this.shutdownSignal).open.delete(this);
  }

  get ctx(): CallContext {
    return this;
  }

  finish(): void {
    this.finished = true;
    if (this.streamController) drainGroupOf(this.shutdownSignal).open.delete(this);
  }

  cancelledByCaller(): boolean {
    // Not following yet: the flag still says whether the cancel came before finish() (the
    // adapter asks right after finishing, before grpc-js can end the call).
    return this.cancelled || (!this.following && this.call.cancelled);
  }

  get signal(): AbortSignal {
    this.followCancel();
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.cancelled) this.controller.abort(this.cancelReason());
    }
    return this.controller.signal;
  }

  get streamSignal(): AbortSignal {
    this.followCancel();
    if (!this.streamController) {
      this.streamController = new AbortController();
      if (this.cancelled) this.streamController.abort(this.cancelReason());
      else if (this.shutdownSignal.aborted) this.streamController.abort(this.shutdownSignal.reason);
      else if (!this.finished) drainGroupOf(this.shutdownSignal).open.add(this);
    }
    return this.streamController.signal;
  }

  /** The server started draining (DrainGroup): ends the stream's waits. */
  drain(reason: unknown): void {
    this.streamController?.abort(reason);
  }

  get trace(): TraceIds {
    return (this.traceIds ??= traceOfMetadata(this.call.metadata) ?? callTraceOf(undefined));
  }

  get peer(): string {
    return (this.peerName ??= this.call.getPeer());
  }

  get metadata(): Metadata {
    return this.call.metadata;
  }

  get logger(): Logger {
    if (!this.callLogger) {
      const workflowId = workflowIdOf(this.request);
      const { rpc, peer } = this;
      const { traceId, spanId } = this.trace;
      this.callLogger = this.rootLogger.child(workflowId === undefined ? { rpc, peer, traceId, spanId } : { rpc, peer, traceId, spanId, workflowId });
    }
    return this.callLogger;
  }

  private cancelReason(): Error {
    return new Error(`${this.rpc}: call cancelled by the client, its deadline, or a forced shutdown`);
  }
}

/**
 * Creates the context of one call. grpc-js emits `cancelled` at the end of every call
 * (grpc-node#2771), so it only aborts `signal` while the call is still unfinished.
 */
export function createCallScope(
  call: GrpcCall,
  rpc: string,
  logger: Logger,
  shutdownSignal: AbortSignal,
  request?: unknown,
  activeTrace?: ActiveTrace,
): CallScope {
  const active = activeTrace?.();
  // The trace interceptor normalized the header; OpenTelemetry's span, when there is one, is the call's span.
  if (active) setCallTrace(call.metadata, active);
  return new LazyCallContext(call, rpc, logger, shutdownSignal, request);
}
