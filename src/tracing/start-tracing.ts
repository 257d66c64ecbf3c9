/**
 * Starts OpenTelemetry tracing: the Node SDK configured by the standard `OTEL_*` variables
 * (OTLP exporter, endpoint, protocol, sampler, service name, …) with the gRPC instrumentation,
 * which gives one SERVER span per RPC, its parent taken from the caller's `traceparent`.
 * It must run before @grpc/grpc-js is loaded: the instrumentation patches the module as it is
 * imported, through the ESM loader hook registered here. src/main.ts imports this module only
 * when tracing is configured, so a server without OTEL_* variables loads none of it.
 */
import { register } from 'node:module';
import { isSpanContextValid, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { VERSION } from '../version.js';
import { setTracing, type Tracing } from './tracing-state.js';

type Env = Readonly<Record<string, string | undefined>>;

function ended<T>(span: Span, fn: () => T): T {
  try {
    const value = fn();
    if (value instanceof Promise) {
      return value.then(
        (v: unknown) => {
          span.end();
          return v;
        },
        (err: unknown) => {
          span.recordException(err as Error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
          span.end();
          throw err;
        },
      ) as T;
    }
    span.end();
    return value;
  } catch (err) {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
    span.end();
    throw err;
  }
}

/** Starts the SDK and records the process's Tracing; call once, before anything imports grpc-js. */
export function startTracing(env: Env): Tracing {
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME ?? 'flowserv-remote',
    instrumentations: [new GrpcInstrumentation()],
  });
  sdk.start();
  const tracer = trace.getTracer('flowserv-remote', VERSION);
  const tracing: Tracing = {
    activeTrace() {
      const context = trace.getActiveSpan()?.spanContext();
      if (!context || !isSpanContextValid(context)) return undefined;
      return { traceId: context.traceId, spanId: context.spanId, flags: context.traceFlags.toString(16).padStart(2, '0') };
    },
    span: (name, attributes, fn) => tracer.startActiveSpan(name, { attributes: attributes as Attributes }, (span) => ended(span, fn)),
    spanSync: (name, attributes, fn) => tracer.startActiveSpan(name, { attributes: attributes as Attributes }, (span) => ended(span, fn)),
    shutdown: () => sdk.shutdown(),
  };
  setTracing(tracing);
  return tracing;
}
