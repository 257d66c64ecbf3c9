/**
 * Every Prometheus metric the server exports, defined in one place so that the README table,
 * the recording rules and the code agree on names and labels. gRPC metrics follow the
 * grpc-ecosystem (go-grpc-prometheus) convention so that existing dashboards work unchanged;
 * our own metrics are prefixed `flowserv_`. Label values are bounded: method names, codes,
 * engine names, state names, command names, never a workflow id or a path.
 */
import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { loadPromClient } from './prom-client.js';
import { createGrpcTallies, type GrpcTallies } from './grpc-tallies.js';
import { registerScrapeGauges, type ScrapeSources } from './scrape-gauges.js';

export type { ScrapeSources } from './scrape-gauges.js';

/** Buckets for RPC latencies and short commands, in seconds (Prometheus' default buckets). */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Buckets for SQLite commits (fsync included), in seconds. */
const COMMIT_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
/** Buckets for queue waits and run durations, in seconds (1 s to 1 day). */
const WORKFLOW_BUCKETS = [1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 12 * 3600, 86_400];

/** The metric objects; created once per server by createMetrics. */
export interface Metrics {
  readonly registry: Registry;
  /** grpc_server_* and flowserv_grpc_server_streams_open, kept as plain numbers per method. */
  readonly grpc: GrpcTallies;
  readonly workflowsCreated: Counter<'engine' | 'replayed'>;
  readonly workflowTransitions: Counter<'from' | 'to' | 'engine'>;
  readonly workflowQueueWaitSeconds: Histogram<'engine'>;
  readonly workflowRunSeconds: Histogram<'engine' | 'state'>;
  readonly uploadedBytes: Counter;
  readonly downloadedBytes: Counter;
  readonly engineServing: Gauge<'engine'>;
  readonly engineCommandSeconds: Histogram<'engine' | 'command' | 'result'>;
  readonly storeTransactionSeconds: Histogram<'operation' | 'result'>;
  readonly fencedWritesRejected: Counter<'operation'>;
}

/** The transitions the store allows, for zero-initialising their counters. */
const TRANSITIONS: readonly (readonly [string, string])[] = [
  ['PENDING', 'RUNNING'],
  ['PENDING', 'SUCCESS'],
  ['PENDING', 'ERROR'],
  ['PENDING', 'CANCELED'],
  ['RUNNING', 'SUCCESS'],
  ['RUNNING', 'ERROR'],
  ['RUNNING', 'CANCELED'],
];

/** The store writes that carry a follower's fence, for zero-initialising their rejection counter. */
const FENCED_OPERATIONS = ['append_state', 'set_handle'] as const;

/** Options of createMetrics. */
export interface MetricsOptions {
  /** Feeds the gauges computed at scrape time; without it those gauges are absent (unit tests). */
  readonly sources?: ScrapeSources;
  /**
   * Configured engines: their workflow counters start at 0, so that `rate()` and `increase()`
   * see the first event (a series born at 1 shows no increase in Prometheus).
   */
  readonly engines?: readonly string[];
}

/**
 * Creates a registry with the process and Node runtime defaults (`process_*`, `nodejs_*`) and
 * every flowserv metric.
 */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const { sources, engines = [] } = options;
  const { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } = loadPromClient();
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics: Metrics = {
    registry,
    grpc: createGrpcTallies(registry, LATENCY_BUCKETS),
    workflowsCreated: new Counter({
      name: 'flowserv_workflows_created_total',
      help: 'CreateWorkflow calls that returned a workflow; replayed="true" when an idempotent retry got the original.',
      labelNames: ['engine', 'replayed'],
      registers: [registry],
    }),
    workflowTransitions: new Counter({
      name: 'flowserv_workflow_transitions_total',
      help: 'Workflow state transitions committed to the store.',
      labelNames: ['from', 'to', 'engine'],
      registers: [registry],
    }),
    workflowQueueWaitSeconds: new Histogram({
      name: 'flowserv_workflow_queue_wait_seconds',
      help: 'Time from creation to RUNNING (waiting for capacity and for the scheduler), in seconds.',
      labelNames: ['engine'],
      buckets: WORKFLOW_BUCKETS,
      registers: [registry],
    }),
    workflowRunSeconds: new Histogram({
      name: 'flowserv_workflow_run_duration_seconds',
      help: 'Time from RUNNING (or from creation when it never ran) to the final state, by final state, in seconds.',
      labelNames: ['engine', 'state'],
      buckets: WORKFLOW_BUCKETS,
      registers: [registry],
    }),
    uploadedBytes: new Counter({
      name: 'flowserv_upload_bytes_total',
      help: 'Bytes of files received and verified by UploadFile.',
      registers: [registry],
    }),
    downloadedBytes: new Counter({
      name: 'flowserv_download_bytes_total',
      help: 'Bytes of result files sent by DownloadFile.',
      registers: [registry],
    }),
    engineServing: new Gauge({
      name: 'flowserv_engine_serving',
      help: 'Whether the engine answered its last health probe as serving (1) or not (0).',
      labelNames: ['engine'],
      registers: [registry],
    }),
    engineCommandSeconds: new Histogram({
      name: 'flowserv_engine_command_duration_seconds',
      help: 'Duration of scheduler commands (sbatch, squeue, scontrol, scancel, sinfo) and local job spawns, by result (ok, error).',
      labelNames: ['engine', 'command', 'result'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    storeTransactionSeconds: new Histogram({
      name: 'flowserv_store_transaction_duration_seconds',
      help: 'Duration of SQLite write transactions including the commit (fsync), by operation and result.',
      labelNames: ['operation', 'result'],
      buckets: COMMIT_BUCKETS,
      registers: [registry],
    }),
    fencedWritesRejected: new Counter({
      name: 'flowserv_replica_fenced_writes_rejected_total',
      help: 'Follower writes (a state, a job handle) the database refused because another replica took the workflow over: this replica wrote with a stale claim after a pause or a lost lease.',
      labelNames: ['operation'],
      registers: [registry],
    }),
  };
  if (sources) registerScrapeGauges(registry, sources);
  for (const operation of FENCED_OPERATIONS) metrics.fencedWritesRejected.inc({ operation }, 0);
  for (const engine of engines) {
    for (const [from, to] of TRANSITIONS) metrics.workflowTransitions.inc({ from, to, engine }, 0);
    for (const replayed of ['true', 'false']) metrics.workflowsCreated.inc({ engine, replayed }, 0);
  }
  return metrics;
}

/** Observes `run()`'s duration into `histogram` with `result` ok or error; returns its result. */
export async function timed<T, L extends string>(
  histogram: Histogram<L>,
  labels: Partial<Record<L, string>>,
  run: () => Promise<T>,
): Promise<T> {
  const end = histogram.startTimer(labels);
  try {
    const value = await run();
    end({ result: 'ok' } as Partial<Record<L, string>>);
    return value;
  } catch (err) {
    end({ result: 'error' } as Partial<Record<L, string>>);
    throw err;
  }
}
