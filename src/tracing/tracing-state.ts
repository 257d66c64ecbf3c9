/**
 * The process's tracing, once started (see start-tracing.ts), as plain functions the rest of the
 * server can use without importing OpenTelemetry: a light module, so code paths that run with
 * tracing off load nothing of it.
 */
import type { TraceIds } from '../server/trace-context.js';

/** What the server uses of a started tracer. */
export interface Tracing {
  /** The active span's ids inside a traced call, or undefined outside one. */
  activeTrace(): TraceIds | undefined;
  /** Runs `fn` in a child span `name` of the active span (ended when `fn` settles, errors recorded). */
  span<T>(name: string, attributes: Readonly<Record<string, string>>, fn: () => Promise<T>): Promise<T>;
  /** Runs synchronous `fn` in a child span `name`. */
  spanSync<T>(name: string, attributes: Readonly<Record<string, string>>, fn: () => T): T;
  /** Flushes pending spans and stops the exporter. */
  shutdown(): Promise<void>;
}

let current: Tracing | undefined;

/** The started tracing, or undefined when tracing is off. */
export function getTracing(): Tracing | undefined {
  return current;
}

/** Records the started tracing (start-tracing.ts calls it once). */
export function setTracing(tracing: Tracing | undefined): void {
  current = tracing;
}
