/**
 * The gRPC server metrics as plain numbers per method, turned into Prometheus series only when
 * scraped. prom-client's labelled counters hash and validate their labels on every increment
 * (several microseconds per call for the five gRPC metrics); a call here only bumps fields of
 * an object found once per method, which keeps metrics off the unary hot path.
 */
import type { MetricValue, MetricValueWithName, Registry } from 'prom-client';

/** Labels of every gRPC series. */
export interface GrpcLabels {
  readonly grpc_type: string;
  readonly grpc_service: string;
  readonly grpc_method: string;
}

/** One method's counts; the interceptor updates the fields directly. */
export interface MethodTally {
  readonly labels: GrpcLabels;
  readonly streaming: boolean;
  started: number;
  received: number;
  sent: number;
  open: number;
  /** Completed calls by status code (0..16). */
  readonly handled: number[];
  /** Handling-time observations per bucket (not cumulative), plus one for +Inf. */
  readonly buckets: number[];
  sum: number;
  count: number;
}

/** The tallies of every method seen (or registered up front). */
export interface GrpcTallies {
  /** The tally of `labels`' method, created at 0 on first use. */
  tally(labels: GrpcLabels, streaming: boolean): MethodTally;
  /** Records one handling time, in seconds. */
  observe(tally: MethodTally, seconds: number): void;
}

/** Status codes 0..16 and the names Go's `codes.Code.String()` gives them (the `grpc_code` label). */
export const GRPC_CODE_NAMES: readonly string[] = [
  'OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists', 'PermissionDenied',
  'ResourceExhausted', 'FailedPrecondition', 'Aborted', 'OutOfRange', 'Unimplemented', 'Internal', 'Unavailable',
  'DataLoss', 'Unauthenticated',
];

type Kind = 'counter' | 'gauge';

/** A metric the registry reads through `get()`, built from the tallies at scrape time. */
function scraped(registry: Registry, name: string, help: string, type: Kind | 'histogram', values: () => MetricValue<string>[]): void {
  registry.registerMetric({
    name,
    help,
    get: async () => ({ name, help, type, aggregator: 'sum', values: values() }),
  } as unknown as Parameters<Registry['registerMetric']>[0]);
}

/**
 * Creates the tallies and registers the five grpc-ecosystem metrics plus the open-streams gauge
 * in `registry`, all read from the tallies when scraped.
 */
export function createGrpcTallies(registry: Registry, bounds: readonly number[]): GrpcTallies {
  const methods = new Map<string, MethodTally>();
  const all = () => [...methods.values()];
  const simple = (read: (t: MethodTally) => number, only?: (t: MethodTally) => boolean) => () =>
    all().filter((t) => !only || only(t)).map((t) => ({ labels: { ...t.labels }, value: read(t) }));
  scraped(registry, 'grpc_server_started_total', 'Total number of RPCs started on the server.', 'counter', simple((t) => t.started));
  scraped(registry, 'grpc_server_handled_total', 'Total number of RPCs completed on the server, regardless of success or failure.', 'counter', () =>
    all().flatMap((t) => t.handled.map((value, code) => ({ labels: { ...t.labels, grpc_code: GRPC_CODE_NAMES[code]! }, value }))),
  );
  scraped(registry, 'grpc_server_msg_received_total', 'Total number of RPC stream messages received on the server.', 'counter', simple((t) => t.received));
  scraped(registry, 'grpc_server_msg_sent_total', 'Total number of gRPC stream messages sent by the server.', 'counter', simple((t) => t.sent));
  scraped(
    registry,
    'flowserv_grpc_server_streams_open',
    'Streaming calls (WatchState, DownloadFile, UploadFile, Health.Watch, reflection) open now.',
    'gauge',
    simple((t) => t.open, (t) => t.streaming),
  );
  const name = 'grpc_server_handling_seconds';
  scraped(registry, name, 'Histogram of response latency (seconds) of gRPC that had been application-level handled by the server.', 'histogram', () =>
    all().flatMap((t): MetricValueWithName<string>[] => {
      let cumulative = 0;
      const buckets = t.buckets.map((n, i) => {
        cumulative += n;
        return { metricName: `${name}_bucket`, labels: { ...t.labels, le: i < bounds.length ? bounds[i]! : '+Inf' }, value: cumulative };
      });
      return [
        ...buckets,
        { metricName: `${name}_sum`, labels: { ...t.labels }, value: t.sum },
        { metricName: `${name}_count`, labels: { ...t.labels }, value: t.count },
      ];
    }),
  );
  return {
    tally(labels, streaming) {
      const key = `${labels.grpc_service}/${labels.grpc_method}`;
      let found = methods.get(key);
      if (!found) {
        found = {
          labels,
          streaming,
          started: 0,
          received: 0,
          sent: 0,
          open: 0,
          handled: GRPC_CODE_NAMES.map(() => 0),
          buckets: [...bounds.map(() => 0), 0],
          sum: 0,
          count: 0,
        };
        methods.set(key, found);
      }
      return found;
    },
    observe(t, seconds) {
      let i = 0;
      while (i < bounds.length && seconds > bounds[i]!) i++;
      t.buckets[i]! += 1;
      t.sum += seconds;
      t.count += 1;
    },
  };
}
