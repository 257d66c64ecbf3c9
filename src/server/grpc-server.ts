/**
 * The gRPC server: our services behind the handler adapter, plus health and reflection, one
 * access-log line per call, and a graceful shutdown. createApp (src/app.ts, called by the `serve`
 * command) builds it; nothing else in the project creates a grpc-js Server.
 */
import { setMaxListeners } from 'node:events';
import { Server, ServerCredentials, type ServerInterceptor, type ServerOptions } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { Config } from '../config/load-config.js';
import type { Metrics } from '../metrics/metrics.js';
import { accessLogInterceptor } from './access-log.js';
import type { ActiveTrace } from './call-context.js';
import { observersInterceptor } from './call-observers.js';
import { metricsObserver } from './metrics-observer.js';
import { traceObserver } from './trace-context.js';
import { createHealthService, type HealthProbe, type HealthService } from './health.js';
import { drainServer, type DrainResult } from './lifecycle.js';
import { createReflectionServices, loadDescriptorSet } from './reflection.js';
import { enforceHandshakeTimeout } from './handshake-timeout.js';
import { tolerantDefinition } from './malformed-request.js';
import { acceptPreEncoded } from './pre-encoded.js';
import { adaptService, type ServiceRegistration } from './service-adapter.js';

/** The settings the server itself uses. */
export type GrpcServerConfig = Pick<
  Config,
  | 'host'
  | 'port'
  | 'maxReceiveMessageBytes'
  | 'maxSendMessageBytes'
  | 'keepaliveTimeMs'
  | 'keepaliveTimeoutMs'
  | 'handshakeTimeoutMs'
  | 'maxConnectionIdleMs'
  | 'maxConnectionAgeMs'
  | 'maxConnectionAgeGraceMs'
  | 'keepalivePermitWithoutCalls'
  | 'shutdownGraceMs'
  | 'engineHealthIntervalMs'
  | 'maxConcurrentStreams'
>;

export interface GrpcServerOptions {
  readonly config: GrpcServerConfig;
  /** Component logger of the server; per-call loggers are its children. */
  readonly logger: Logger;
  /** Our services (RemoteWorkflowService); health and reflection are added here. */
  readonly services: readonly ServiceRegistration[];
  /** Extra health entries probed every `engineHealthIntervalMs` (one per engine). */
  readonly healthProbes?: readonly HealthProbe[];
  /** Descriptor set served by reflection; defaults to the one shipped in src/gen. */
  readonly descriptorSet?: Uint8Array;
  /** Defaults to insecure (plaintext); createApp passes the (reloadable) TLS credentials here. */
  readonly credentials?: ServerCredentials;
  /**
   * Interceptors run after the access log (so it records the statuses they send) and before
   * every handler: the security gate (authentication, authorization, rate limits).
   */
  readonly interceptors?: readonly ServerInterceptor[];
  /** When set, every call is counted and timed (grpc_server_* metrics) by the outermost interceptor. */
  readonly metrics?: Metrics;
  /**
   * Set when OpenTelemetry tracing is on: the active span's ids inside a handler. Without it the
   * server still accepts `traceparent` and answers `traceresponse` with a span id of its own.
   */
  readonly activeTrace?: ActiveTrace;
}

export interface GrpcServer {
  /** Binds `host:port` (0 = any free port), starts health probing; resolves with the bound port. */
  start(): Promise<number>;
  /**
   * Drains: health NOT_SERVING, `shutdownSignal` aborted (streams end), tryShutdown, then
   * forceShutdown after `shutdownGraceMs`. Idempotent; every call gets the same promise.
   */
  shutdown(reason: string): Promise<DrainResult>;
  /** Aborted when shutdown begins; every call context carries it as `shutdownSignal`. */
  readonly shutdownSignal: AbortSignal;
  readonly health: HealthService;
}

/** `flowserv.remote.v1.RemoteWorkflowService` from a definition's method paths. */
export function serviceNameOf(registration: ServiceRegistration): string {
  const first = Object.values(registration.definition)[0];
  if (!first) throw new Error('service definition has no methods');
  return first.path.split('/')[1]!;
}

export function createGrpcServer(options: GrpcServerOptions): GrpcServer {
  const { config, logger } = options;
  const shutdownController = new AbortController();
  // Every open stream links its call signal to this one (and unlinks when it ends): no cap.
  setMaxListeners(0, shutdownController.signal);
  const baseOptions: ServerOptions = {
    'grpc.max_receive_message_length': config.maxReceiveMessageBytes,
    'grpc.max_send_message_length': config.maxSendMessageBytes,
    'grpc.keepalive_time_ms': config.keepaliveTimeMs,
    'grpc.keepalive_timeout_ms': config.keepaliveTimeoutMs,
    'grpc.keepalive_permit_without_calls': config.keepalivePermitWithoutCalls ? 1 : 0,
    'grpc.max_concurrent_streams': config.maxConcurrentStreams,
    ...(config.maxConnectionIdleMs > 0 && { 'grpc.max_connection_idle_ms': config.maxConnectionIdleMs }),
    ...(config.maxConnectionAgeMs > 0 && { 'grpc.max_connection_age_ms': config.maxConnectionAgeMs }),
    ...(config.maxConnectionAgeGraceMs > 0 && { 'grpc.max_connection_age_grace_ms': config.maxConnectionAgeGraceMs }),
  };
  const ownNames = options.services.map(serviceNameOf);
  const health = createHealthService({
    services: ownNames,
    probes: options.healthProbes ?? [],
    intervalMs: config.engineHealthIntervalMs,
    logger,
  });
  const reflection = createReflectionServices({
    descriptorSet: options.descriptorSet ?? loadDescriptorSet(),
    serviceNames: [...ownNames, 'grpc.health.v1.Health'],
  });
  const registrations = [...options.services, health.registration, ...reflection];
  const served = registrations.flatMap((r) => Object.values(r.definition));
  const serverOptions: ServerOptions = {
    ...baseOptions,
    interceptors: [
      observersInterceptor([
        ...(options.metrics ? [metricsObserver(options.metrics, served)] : []),
        traceObserver({ openTelemetry: options.activeTrace !== undefined }),
      ]),
      accessLogInterceptor(logger),
      ...(options.interceptors ?? []),
    ],
  };
  const server = new Server(serverOptions);
  const deps = { logger, shutdownSignal: shutdownController.signal, ...(options.activeTrace && { activeTrace: options.activeTrace }) };
  for (const registration of registrations) {
    server.addService(acceptPreEncoded(tolerantDefinition(registration.definition)), adaptService(registration, deps));
  }

  let shutdownPromise: Promise<DrainResult> | undefined;
  return {
    shutdownSignal: shutdownController.signal,
    health,
    async start() {
      const host = config.host.includes(':') && !config.host.startsWith('[') ? `[${config.host}]` : config.host;
      const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync(`${host}:${config.port}`, options.credentials ?? ServerCredentials.createInsecure(), (err, bound) =>
          err ? reject(err) : resolve(bound),
        ),
      );
      enforceHandshakeTimeout(server, config.handshakeTimeoutMs, logger);
      health.startProbing();
      logger.info({ host: config.host, port }, 'listening');
      return port;
    },
    shutdown(reason) {
      shutdownPromise ??= (async () => {
        logger.info({ reason, shutdownGraceMs: config.shutdownGraceMs }, 'shutting down');
        health.stopProbing();
        health.markAllNotServing();
        shutdownController.abort(new Error(`server shutting down: ${reason}`));
        const result = await drainServer(server, config.shutdownGraceMs);
        logger.info(result, result.forced ? 'stopped after cancelling open calls' : 'stopped');
        return result;
      })();
      return shutdownPromise;
    },
  };
}
