/**
 * One log line per RPC, written by a grpc-js server interceptor so that it records the status
 * actually sent, including the ones grpc-js produces itself (oversized message, deadline, cancel).
 */
import { ServerInterceptingCall, status as Code, type Metadata, type ServerInterceptor } from '@grpc/grpc-js';
import type { Level, Logger } from 'pino';
import { workflowIdOf } from './call-context.js';
import { traceOfMetadata } from './trace-context.js';

/** Log level of a call's line; health checks and reflection are frequent and go to `debug`. */
export function accessLogLevel(rpc: string): Level {
  return rpc.startsWith('grpc.health.') || rpc.startsWith('grpc.reflection.') ? 'debug' : 'info';
}

/**
 * Logs `{rpc, code, durationMs, traceId?, spanId?, workflowId?, peer}` with message `rpc` once per
 * call, when the status is sent or the call is cancelled, whichever comes first. `workflowId` comes
 * from the first request or response message that has one. `spanId` is the call's own span (new
 * for every call, never the caller's): the handler's logger carries the same one, so a handler's
 * lines join to this line. Calls whose level is off are not intercepted.
 */
export function accessLogInterceptor(logger: Logger): ServerInterceptor {
  // The rpc name and level of each method path, worked out once rather than on every call.
  const methods = new Map<string, { readonly rpc: string; readonly level: Level }>();
  return (method, call) => {
    let known = methods.get(method.path);
    if (!known) {
      const rpc = method.path.replace(/^\//, '');
      methods.set(method.path, (known = { rpc, level: accessLogLevel(rpc) }));
    }
    const { rpc, level } = known;
    // A line nobody would see costs nothing: the call passes through untouched.
    // (grpc-js chains interceptors by plain composition, so the inner call is a valid result.)
    if (!logger.isLevelEnabled(level)) return call as ServerInterceptingCall;
    const startedAt = performance.now();
    let workflowId: string | undefined;
    let metadata: Metadata | undefined;
    let logged = false;
    const log = (code: Code, details?: string) => {
      if (logged) return;
      logged = true;
      const durationMs = Math.round((performance.now() - startedAt) * 1000) / 1000;
      const line: Record<string, unknown> = { rpc, code: Code[code] ?? code, durationMs, peer: call.getPeer() };
      // Read at the end: the handler's call scope may have put OpenTelemetry's span into the header.
      const trace = metadata && traceOfMetadata(metadata);
      if (trace !== undefined) {
        line.traceId = trace.traceId;
        line.spanId = trace.spanId;
      }
      if (workflowId !== undefined) line.workflowId = workflowId;
      if (code !== Code.OK && details) line.details = details;
      logger[level](line, 'rpc');
    };
    return new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (received, nextMetadata) => {
            metadata = received;
            nextMetadata(received);
          },
          onReceiveMessage: (message, nextMessage) => {
            workflowId ??= workflowIdOf(message);
            nextMessage(message);
          },
          onCancel: () => log(Code.CANCELLED),
        }),
      sendMessage: (message, nextMessage) => {
        workflowId ??= workflowIdOf(message);
        nextMessage(message);
      },
      sendStatus: (status, nextStatus) => {
        log(status.code, status.details);
        nextStatus(status);
      },
    });
  };
}
