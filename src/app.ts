/**
 * Assembles the whole server from a validated Config: the store the settings choose (SQLite in
 * the data dir, or PostgreSQL) and the blob store under the data dir, the configured engines, the transport-free WorkflowService, and the gRPC server with
 * health (one entry per engine) and reflection. The `serve` command (src/cli/serve.ts) calls
 * this with the config it loaded from flags and the process environment; tests call it with
 * their own config on port 0. What only some servers use (the Slurm engine, PostgreSQL and the
 * replica modules, Prometheus) is loaded only when configured: an idle SQLite server stays small.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config/load-config.js';
import { createLocalEngine } from './engines/local/local-engine.js';
import type { EngineAdapter } from './engines/types.js';
import { createRemoteWorkflowHandlers } from './server/handlers/remote-workflow-handlers.js';
import { createGrpcServer, type GrpcServer } from './server/grpc-server.js';
import { engineHealthProbe, storeHealthProbe } from './server/health.js';
import type { DrainResult } from './server/lifecycle.js';
import { createMetrics, type Metrics } from './metrics/metrics.js';
import { instrumentEngine } from './metrics/instrument-engine.js';
import { instrumentService } from './metrics/instrument-service.js';
import { instrumentStore } from './metrics/instrument-store.js';
import { createMetricsListener } from './metrics/metrics-listener.js';
import { createSecurity, type ReloadReport } from './server/security/security.js';
import { createEngineHealthCache } from './service/engine-health.js';
import { createPlanner, DEFAULT_MAX_DIRECTORY_ENTRIES } from './service/plan-workflow.js';
import { createWorkflowServiceWithTesting, type WorkflowService, type WorkflowServiceTesting } from './service/workflow-service.js';
import { processAreaName } from './util/process-area.js';
import { createBlobStore } from './store/blob-store.js';
import type { AnnouncementDrops } from './replicas/announcement-faults.js';
import { openStore } from './store/open-store.js';
import { traceEngine, traceStore } from './tracing/trace-decorators.js';
import type { Tracing } from './tracing/tracing-state.js';
import { componentLogger } from './logging/logger.js';
import { VERSION } from './version.js';

/** Things the composition root passes that are not configuration. */
export interface AppDeps {
  readonly logger: Logger;
  /** Environment handed to jobs whose steps declare no env (filtered by the caller). */
  readonly jobEnv?: NodeJS.ProcessEnv;
  /** Started OpenTelemetry tracing (src/tracing/start-tracing.ts); undefined when tracing is off. */
  readonly tracing?: Tracing;
  /** Fault injection for tests only (FLOWSERV_REMOTE_FAULT_DROP_ANNOUNCEMENTS): announcements to drop. */
  readonly dropAnnouncements?: AnnouncementDrops;
}

/** A running (or ready to run) server. */
export interface App {
  readonly service: WorkflowService;
  /** The service's test accessors (stored job handles, open subscriptions); nothing in src uses them. */
  readonly testing: WorkflowServiceTesting;
  readonly server: GrpcServer;
  readonly engines: ReadonlyMap<string, EngineAdapter>;
  /** Recovers unsettled workflows, then binds; resolves with the port. */
  start(): Promise<number>;
  /** Port of the metrics listener once started; undefined when metrics are off. */
  metricsPort(): number | undefined;
  /** Drains the gRPC server, stops following jobs (they keep running), closes the database. */
  stop(reason: string): Promise<DrainResult>;
  /**
   * Re-reads the TLS certificate/key/CA, token file and JWT key (SIGHUP). New connections get
   * the new certificate; open ones keep theirs. A part whose files are unusable keeps its old ones.
   */
  reloadSecurity(trigger: string): Promise<ReloadReport>;
}

/** Preferred size of a followed log's chunks, in bytes. */
const LOG_CHUNK_BYTES = 512 * 1024;

/**
 * The log chunk size for `config`: 512 KiB, but no more than half the largest message sent (the
 * rest is room for the command's text on a stream's first chunk) and no less than a download chunk.
 */
function logChunkBytes(config: Config): number {
  return Math.max(config.downloadChunkBytes, Math.min(LOG_CHUNK_BYTES, Math.floor(config.maxSendMessageBytes / 2)));
}

/** Local jobs live on one machine: with the shared PostgreSQL store they run only when pinned to their replica. */
function localEngineOn(config: Config): boolean {
  return config.store !== 'postgres' || config.localEngineMode === 'pinned';
}

/** Why CreateWorkflow on `local` is refused when localEngineOn is false (FAILED_PRECONDITION). */
const LOCAL_OFF =
  "engine 'local' is off with the PostgreSQL store: its jobs would end with the replica that runs them; " +
  'set FLOWSERV_REMOTE_LOCAL_ENGINE=pinned (--local-engine pinned) to run local workflows on the replica that accepts them';

/** Where each engine's run directories live: computed once for the engines and the service. */
function runsDirsOf(config: Config): { readonly local: string; readonly slurm: string } {
  return { local: join(config.dataDir, 'runs'), slurm: config.slurmRunsDir ?? join(config.dataDir, 'slurm-runs') };
}

/** Wraps an engine in the tracing and metrics decorators that are on. */
function observed(engine: EngineAdapter, deps: AppDeps, metrics: Metrics | undefined, submitCommand?: string): EngineAdapter {
  const traced = deps.tracing ? traceEngine(engine, deps.tracing) : engine;
  return metrics ? instrumentEngine(traced, metrics, submitCommand === undefined ? {} : { submitCommand }) : traced;
}

async function createEngines(
  config: Config,
  runsDirs: ReturnType<typeof runsDirsOf>,
  deps: AppDeps,
  metrics: Metrics | undefined,
): Promise<Map<string, EngineAdapter>> {
  const engines = new Map<string, EngineAdapter>();
  const env = deps.jobEnv ? { env: deps.jobEnv } : {};
  if (localEngineOn(config)) {
    const local = createLocalEngine({
      baseDir: runsDirs.local,
      sandbox: {
        mode: config.jobSandbox,
        ...(config.jobUser !== undefined && { jobUser: config.jobUser }),
        dataDir: config.dataDir,
        secrets: [config.authTokenFile, config.tlsKeyFile, config.authJwtKeyFile].filter((f): f is string => f !== undefined),
        readOnlyPaths: config.jobReadOnlyPaths,
        network: config.jobNetwork,
      },
      maxConcurrentJobs: config.localMaxConcurrentJobs,
      pollIntervalMs: config.localPollIntervalMs,
      logger: deps.logger,
      ...env,
    });
    engines.set('local', observed(local, deps, metrics, 'spawn'));
  }
  if (config.enableSlurm) {
    const { createSlurmEngine } = await import('./engines/slurm/slurm-engine.js');
    const slurm = createSlurmEngine({
      baseDir: runsDirs.slurm,
      pollIntervalMs: config.slurmPollIntervalMs,
      allowedExtraArgs: config.slurmExtraArgsAllowList,
      ...(config.slurmPartition !== undefined && { partition: config.slurmPartition }),
      logger: deps.logger,
      ...env,
      ...(metrics && {
        onCommandEnd: (command: string, seconds: number, ok: boolean) =>
          metrics.engineCommandSeconds.observe({ engine: 'slurm', command, result: ok ? 'ok' : 'error' }, seconds),
      }),
    });
    engines.set('slurm', observed(slurm, deps, metrics));
  }
  return engines;
}

/** Builds the app (loading the modules its settings need); nothing listens until start(). */
export async function createApp(config: Config, deps: AppDeps): Promise<App> {
  const { logger } = deps;
  const runsDirs = runsDirsOf(config);
  mkdirSync(runsDirs.local, { recursive: true });
  const store = await openStore(
    // The pool's sessions are named like the replica's own ones (replica-runtime.ts), by replica name.
    { store: config.store, dataDir: config.dataDir, databaseUrl: config.databaseUrl, applicationName: `flowserv-store:${config.replicaName}` },
    componentLogger(logger, 'store'),
  );
  // Metrics are off unless a port is configured; then prom-client is loaded and the store,
  // engines and service are wrapped in decorators that record them.
  const metrics = config.metricsPort === undefined ? undefined : createMetrics({ sources: store.stats, engines: config.engines });
  const engines = await createEngines(config, runsDirs, deps, metrics);
  // One health answer per engine for grpc.health and GetServiceInfo, refreshed on the probe interval.
  const engineHealth = createEngineHealthCache({ maxAgeMs: config.engineHealthIntervalMs });
  // This process's own part of the directories replicas may share (staging, upload temp files).
  const area = processAreaName(config.replicaName);
  const baseStore = deps.tracing ? traceStore(store.workflows, deps.tracing, store.kind === 'postgres' ? 'postgresql' : 'sqlite') : store.workflows;
  // Several replicas on one PostgreSQL database: leases, the cross-replica state feed and claims.
  // Slurm jobs can be followed by any replica; local ones (when pinned) only by their creator.
  const replicas =
    store.kind === 'postgres'
      ? (await import('./replicas/replica-runtime.js')).createReplicaRuntime({
          pool: store.pool!,
          databaseUrl: config.databaseUrl,
          name: config.replicaName,
          leaseTtlMs: config.leaseTtlMs,
          leaseRenewMs: config.leaseRenewMs,
          claimScanMs: config.claimScanMs,
          heartbeatIntervalMs: config.heartbeatIntervalMs,
          engines: engines.has('slurm') ? ['slurm'] : [],
          pinnedEngines: engines.has('local') ? ['local'] : [],
          logger,
          dropAnnouncements: deps.dropAnnouncements,
        })
      : undefined;
  const { service: plainService, testing } = createWorkflowServiceWithTesting({
    store: metrics ? instrumentStore(baseStore, metrics) : baseStore,
    blobs: createBlobStore(store.blobIndex, join(config.dataDir, 'blobs'), { area }),
    stagingArea: area,
    engines,
    ...(!localEngineOn(config) && { disabledEngines: new Map([['local', { message: LOCAL_OFF, setting: 'FLOWSERV_REMOTE_LOCAL_ENGINE' }]]) }),
    defaultEngine: config.defaultEngine,
    planWorkflow: createPlanner({ python: config.pythonCommand, maxDirectoryEntries: DEFAULT_MAX_DIRECTORY_ENTRIES }),
    runsDirFor: (engine) => (engine === 'slurm' ? runsDirs.slurm : runsDirs.local),
    limits: {
      maxUploadBytes: config.maxUploadBytes,
      uploadChunkBytes: config.uploadChunkBytes,
      downloadChunkBytes: config.downloadChunkBytes,
      logChunkBytes: logChunkBytes(config),
      heartbeatIntervalMs: config.heartbeatIntervalMs,
      maxPageSize: config.maxPageSize,
      maxOutputBytes: config.maxOutputBytes,
      maxDirectoryEntries: DEFAULT_MAX_DIRECTORY_ENTRIES,
      // A folder may total as much as the largest single upload.
      maxDirectoryBytes: config.maxUploadBytes,
      logCapBytes: config.logCapBytes,
    },
    logger,
    ...(deps.tracing && { span: <T>(name: string, fn: () => Promise<T>) => deps.tracing!.span(name, {}, fn) }),
    engineHealth,
    ...(replicas && {
      stateFeed: replicas.feed,
      replicas: replicas.coordination,
      pinnedEngines: engines.has('local') ? ['local'] : [],
      remoteStopGraceMs: config.maxStopGraceMs,
    }),
  });
  const service = metrics ? instrumentService(plainService, metrics) : plainService;
  const security = createSecurity(config, componentLogger(logger, 'server.security'));
  const handlers = createRemoteWorkflowHandlers(service, {
    version: VERSION,
    defaultEngine: config.defaultEngine,
    maxMessageBytes: config.maxReceiveMessageBytes,
    defaultStopGraceMs: config.stopGraceMs,
    maxStopGraceMs: config.maxStopGraceMs,
    callerOf: security.callerOf,
  });
  const server = createGrpcServer({
    config,
    logger: componentLogger(logger, 'server'),
    services: [handlers],
    healthProbes: [
      storeHealthProbe(store),
      ...[...engines.values()].map((engine) => engineHealthProbe({ name: engine.name, health: (signal) => engineHealth.probe(engine, signal) })),
    ],
    credentials: security.credentials,
    interceptors: security.interceptors,
    ...(metrics && { metrics }),
    ...(deps.tracing && { activeTrace: deps.tracing.activeTrace }),
  });
  const metricsListener =
    metrics &&
    createMetricsListener({
      registry: metrics.registry,
      host: config.metricsHost ?? config.host,
      port: config.metricsPort!,
      logger: componentLogger(logger, 'metrics'),
    });
  let metricsPort: number | undefined;
  let stopping: Promise<DrainResult> | undefined;
  return {
    service,
    testing,
    server,
    engines,
    async start() {
      await security.start();
      await store.prepare();
      await replicas?.start();
      await service.start();
      if (metricsListener) metricsPort = await metricsListener.start();
      return server.start();
    },
    metricsPort: () => metricsPort,
    reloadSecurity: (trigger) => security.reload(trigger),
    stop(reason) {
      stopping ??= (async () => {
        security.close();
        const result = await server.shutdown(reason);
        await metricsListener?.close();
        await service.close();
        await Promise.all([...engines.values()].map((e) => e.close()));
        await store.close();
        return result;
      })();
      return stopping;
    },
  };
}
