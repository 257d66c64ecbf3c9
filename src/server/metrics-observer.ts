/**
 * gRPC server metrics in the grpc-ecosystem convention (go-grpc-prometheus): started, handled
 * by code, handling time, messages in and out, for every method the server serves (our
 * service, health, reflection) and every outcome, including statuses grpc-js or the security
 * gate send before a handler runs. It is the first call observer so it sees all of them. A
 * call only bumps numbers in its method's tally (src/metrics/grpc-tallies.ts); series are built
 * when Prometheus scrapes.
 */
import { status as Code } from '@grpc/grpc-js';
import { GRPC_CODE_NAMES, type MethodTally } from '../metrics/grpc-tallies.js';
import type { Metrics } from '../metrics/metrics.js';
import type { CallObserverFactory } from './call-observers.js';

/** The `grpc_code` label of a status code (Go's code names, which the ecosystem dashboards match on). */
export function grpcCodeName(code: number): string {
  return GRPC_CODE_NAMES[code] ?? 'Unknown';
}

/** The `grpc_type` label: unary, client_stream, server_stream or bidi_stream. */
export function grpcTypeOf(requestStream: boolean, responseStream: boolean): string {
  if (requestStream) return responseStream ? 'bidi_stream' : 'client_stream';
  return responseStream ? 'server_stream' : 'unary';
}

/** A method the server serves, for zero-initialising its series. */
export interface ServedMethod {
  readonly path: string;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
}

/**
 * Creates the observer; it runs in the outermost interceptor, before the access log and the
 * security gate.
 * Like go-grpc-prometheus' InitializeMetrics, every method in `methods` starts with all its
 * series at 0 (each status code included), so that `rate()` sees the first call and the first
 * error of each kind; a counter born at 1 shows no increase in Prometheus.
 */
export function metricsObserver(metrics: Metrics, methods: readonly ServedMethod[] = []): CallObserverFactory {
  const byPath = new Map<string, MethodTally>();
  const tallyOf = (method: ServedMethod): MethodTally => {
    let found = byPath.get(method.path);
    if (!found) {
      const [service = 'unknown', name = 'unknown'] = method.path.replace(/^\//, '').split('/');
      const labels = { grpc_type: grpcTypeOf(method.requestStream, method.responseStream), grpc_service: service, grpc_method: name };
      found = metrics.grpc.tally(labels, method.requestStream || method.responseStream);
      byPath.set(method.path, found);
    }
    return found;
  };
  for (const method of methods) tallyOf(method);

  return (method) => {
    const tally = tallyOf(method);
    const startedAt = performance.now();
    tally.started += 1;
    tally.open += 1;
    let done = false;
    const finish = (code: number) => {
      if (done) return;
      done = true;
      tally.open -= 1;
      metrics.grpc.observe(tally, (performance.now() - startedAt) / 1000);
      const index = code >= 0 && code < tally.handled.length ? code : Code.UNKNOWN;
      tally.handled[index]! += 1;
    };
    return {
      receiveMessage: () => {
        tally.received += 1;
      },
      sendMessage: () => {
        tally.sent += 1;
      },
      sendStatus: (status) => {
        finish(status.code);
        return status;
      },
      cancel: () => finish(Code.CANCELLED),
    };
  };
}
