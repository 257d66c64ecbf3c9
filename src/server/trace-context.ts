/**
 * W3C Trace Context for every call: the caller's `traceparent` header is accepted (or, when it
 * is missing or malformed, a new trace is started), the call gets a span id of its own, and the
 * normalized `traceparent` (this call as the parent) replaces the request header, so the call's
 * logger, the job's environment and any OpenTelemetry instrumentation below read one value.
 * The answer carries it back as `traceresponse` (W3C Trace Context Level 2): in the response
 * headers, or in the trailers of an answer that has no headers (an early error).
 */
import { randomFillSync } from 'node:crypto';
import { Metadata } from '@grpc/grpc-js';
import type { CallObserver, CallObserverFactory, SentStatus } from './call-observers.js';

/** The request header (W3C Trace Context). */
export const TRACEPARENT = 'traceparent';
/** The response header (W3C Trace Context Level 2). */
export const TRACERESPONSE = 'traceresponse';

/** The parts of a traceparent header. */
export interface TraceIds {
  /** 32 lowercase hex digits, not all zero. */
  readonly traceId: string;
  /** 16 lowercase hex digits, not all zero: the parent span (the caller's, or this call's). */
  readonly spanId: string;
  /** 2 hex digits; bit 0 = sampled. */
  readonly flags: string;
}

const HEADER = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/**
 * Parses a traceparent value per W3C Trace Context: version 00 exactly, later versions by
 * their first four fields; version ff, all-zero ids and uppercase hex are invalid.
 */
export function parseTraceparent(value: unknown): TraceIds | undefined {
  if (typeof value !== 'string' || value.length > 512) return undefined;
  const match = HEADER.exec(value.trim());
  if (!match) return undefined;
  const [, version, traceId, spanId, flags, rest] = match as unknown as [string, string, string, string, string, string | undefined];
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId, flags };
}

/** `00-<trace id>-<span id>-<flags>`. */
export function formatTraceparent(ids: TraceIds): string {
  return `00-${ids.traceId}-${ids.spanId}-${ids.flags}`;
}

/** Random bytes drawn per refill of the id pool: one system call serves 256 span ids. */
const POOL_BYTES = 2048;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let poolOffset = POOL_BYTES;

/**
 * `bytes` random bytes as lowercase hex, from a pool refilled by one `randomFillSync` per
 * POOL_BYTES: every call gets ids, and a system call per id cost more than the rest of the trace
 * handling. The bytes are as random as `randomBytes`; none is handed out twice.
 */
function randomHex(bytes: number): string {
  if (poolOffset + bytes > POOL_BYTES) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const hex = pool.toString('hex', poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return hex;
}

/** A random span id (8 bytes, hex). */
export function newSpanId(): string {
  return randomHex(8);
}

/** A random trace id (16 bytes, hex). */
export function newTraceId(): string {
  return randomHex(16);
}

/** The trace context a call runs in: the caller's trace with a new span, or a new trace (not sampled). */
export function callTraceOf(incoming: unknown): TraceIds {
  const parent = parseTraceparent(incoming);
  return { traceId: parent?.traceId ?? newTraceId(), spanId: newSpanId(), flags: parent?.flags ?? '00' };
}

/**
 * The ids each call's request header was last set from (see setCallTrace), so that the call
 * scope and the access log read them without parsing the header again. Keyed by the call's
 * request metadata, which lives as long as the call.
 */
const idsOfCall = new WeakMap<Metadata, TraceIds>();

/** Sets the call's normalized `traceparent` request header to `ids` (and remembers them). */
export function setCallTrace(metadata: Metadata, ids: TraceIds): void {
  metadata.set(TRACEPARENT, formatTraceparent(ids));
  idsOfCall.set(metadata, ids);
}

/** The call's trace context as the normalized request header left it (see traceObserver). */
export function traceOfMetadata(metadata: Metadata): TraceIds | undefined {
  return idsOfCall.get(metadata) ?? parseTraceparent(metadata.get(TRACEPARENT)[0]);
}

/** Options of traceObserver. */
export interface TraceObserverOptions {
  /**
   * OpenTelemetry tracing is on: its instrumentation must see the caller's own header (so its
   * server span is the child of the caller's span), and it names the call's span itself; the
   * call scope then writes that span into the header. Without it this interceptor does both.
   */
  readonly openTelemetry?: boolean;
}

/**
 * One call's trace observer. A class rather than an object of closures: its hooks live on the
 * prototype, so an open stream holds one small object for it.
 */
class TraceObserver implements CallObserver {
  private request: Metadata | undefined;
  private fallback: string | undefined;
  private headersSent = false;

  constructor(private readonly openTelemetry: boolean) {}

  private current(): string | undefined {
    return (this.request?.get(TRACEPARENT)[0] as string | undefined) ?? this.fallback;
  }

  receiveMetadata(metadata: Metadata): void {
    this.request = metadata;
    const incoming = metadata.get(TRACEPARENT)[0];
    if (this.openTelemetry) {
      if (parseTraceparent(incoming) === undefined) metadata.remove(TRACEPARENT);
      this.fallback = formatTraceparent(callTraceOf(undefined));
    } else {
      setCallTrace(metadata, callTraceOf(incoming));
    }
  }

  sendMetadata(metadata: Metadata): void {
    this.headersSent = true;
    const value = this.current();
    if (value !== undefined) metadata.set(TRACERESPONSE, value);
  }

  sendStatus(status: SentStatus): SentStatus {
    const value = this.current();
    if (this.headersSent || value === undefined) return status;
    const trailers = status.metadata?.clone() ?? new Metadata();
    trailers.set(TRACERESPONSE, value);
    return { ...status, metadata: trailers };
  }
}

/** Creates the observer; it runs before the access log so that every log line has the trace id. */
export function traceObserver(options: TraceObserverOptions = {}): CallObserverFactory {
  const openTelemetry = options.openTelemetry === true;
  return () => new TraceObserver(openTelemetry);
}
