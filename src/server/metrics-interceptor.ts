/**
 * gRPC server metrics in the grpc-ecosystem convention (go-grpc-prometheus): started, handled
 * by code, handling time, messages in and out, for every method the server serves (our
 * service, health, reflection) and every outcome, including statuses grpc-js or the security
 * gate send before a handler runs. It is the outermost interceptor so it sees all of them.
 */
import { ServerInterceptingCall, status as Code, type ServerInterceptor } from '@grpc/grpc-js';
import type { Counter, Gauge, Histogram } from 'prom-client';
import type { Metrics } from '../metrics/metrics.js';

/** `grpc_code` label values: Go's `codes.Code.String()`, which the ecosystem dashboards match on. */
const CODE_NAMES: Readonly<Record<number, string>> = {
  [Code.OK]: 'OK',
  [Code.CANCELLED]: 'Canceled',
  [Code.UNKNOWN]: 'Unknown',
  [Code.INVALID_ARGUMENT]: 'InvalidArgument',
  [Code.DEADLINE_EXCEEDED]: 'DeadlineExceeded',
  [Code.NOT_FOUND]: 'NotFound',
  [Code.ALREADY_EXISTS]: 'AlreadyExists',
  [Code.PERMISSION_DENIED]: 'PermissionDenied',
  [Code.RESOURCE_EXHAUSTED]: 'ResourceExhausted',
  [Code.FAILED_PRECONDITION]: 'FailedPrecondition',
  [Code.ABORTED]: 'Aborted',
  [Code.OUT_OF_RANGE]: 'OutOfRange',
  [Code.UNIMPLEMENTED]: 'Unimplemented',
  [Code.INTERNAL]: 'Internal',
  [Code.UNAVAILABLE]: 'Unavailable',
  [Code.DATA_LOSS]: 'DataLoss',
  [Code.UNAUTHENTICATED]: 'Unauthenticated',
};

/** The `grpc_code` label of a status code. */
export function grpcCodeName(code: number): string {
  return CODE_NAMES[code] ?? 'Unknown';
}

/** The `grpc_type` label: unary, client_stream, server_stream or bidi_stream. */
export function grpcTypeOf(requestStream: boolean, responseStream: boolean): string {
  if (requestStream) return responseStream ? 'bidi_stream' : 'client_stream';
  return responseStream ? 'server_stream' : 'unary';
}

/** Children bound to one method's labels, so a call does no label hashing except for its code. */
interface MethodMetrics {
  readonly started: Counter.Internal;
  readonly received: Counter.Internal;
  readonly sent: Counter.Internal;
  readonly handling: Histogram.Internal<string>;
  readonly open: Gauge.Internal<string> | undefined;
  readonly handled: Map<number, Counter.Internal>;
  readonly labels: Readonly<Record<string, string>>;
}

/** A method the server serves, for zero-initialising its series. */
export interface ServedMethod {
  readonly path: string;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
}

/**
 * Creates the interceptor; register it first so it wraps the access log and the security gate.
 * Like go-grpc-prometheus' InitializeMetrics, every method in `methods` starts with all its
 * series at 0 (each status code included), so that `rate()` sees the first call and the first
 * error of each kind; a counter born at 1 shows no increase in Prometheus.
 */
export function metricsInterceptor(metrics: Metrics, methods: readonly ServedMethod[] = []): ServerInterceptor {
  const byPath = new Map<string, MethodMetrics>();
  const methodMetrics = (path: string, requestStream: boolean, responseStream: boolean): MethodMetrics => {
    let found = byPath.get(path);
    if (!found) {
      const [service = 'unknown', method = 'unknown'] = path.replace(/^\//, '').split('/');
      const labels = { grpc_type: grpcTypeOf(requestStream, responseStream), grpc_service: service, grpc_method: method };
      found = {
        labels,
        started: metrics.grpcStarted.labels(labels),
        received: metrics.grpcMsgReceived.labels(labels),
        sent: metrics.grpcMsgSent.labels(labels),
        handling: metrics.grpcHandlingSeconds.labels(labels),
        open: requestStream || responseStream ? metrics.grpcStreamsOpen.labels(labels) : undefined,
        handled: new Map(),
      };
      byPath.set(path, found);
    }
    return found;
  };

  for (const method of methods) {
    const m = methodMetrics(method.path, method.requestStream, method.responseStream);
    for (const code of Object.keys(CODE_NAMES)) handledFor(m, Number(code)).inc(0);
    m.started.inc(0);
    m.received.inc(0);
    m.sent.inc(0);
    m.open?.set(0);
  }

  function handledFor(m: MethodMetrics, code: number): Counter.Internal {
    let handled = m.handled.get(code);
    if (!handled) {
      handled = metrics.grpcHandled.labels({ ...m.labels, grpc_code: grpcCodeName(code) });
      m.handled.set(code, handled);
    }
    return handled;
  }

  return (method, call) => {
    const m = methodMetrics(method.path, method.requestStream, method.responseStream);
    const startedAt = performance.now();
    m.started.inc();
    m.open?.inc();
    let done = false;
    const finish = (code: number) => {
      if (done) return;
      done = true;
      m.open?.dec();
      m.handling.observe((performance.now() - startedAt) / 1000);
      handledFor(m, code).inc();
    };
    return new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMessage: (message, nextMessage) => {
            m.received.inc();
            nextMessage(message);
          },
          onCancel: () => finish(Code.CANCELLED),
        }),
      sendMessage: (message, nextMessage) => {
        m.sent.inc();
        nextMessage(message);
      },
      sendStatus: (status, nextStatus) => {
        finish(status.code);
        nextStatus(status);
      },
    });
  };
}
