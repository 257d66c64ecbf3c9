/**
 * grpc.health.v1.Health: the overall status (""), one entry per served service, and one per
 * engine (`engine/local`, `engine/slurm`) refreshed from the engine's own health() on an interval.
 * Written on grpc-health-check's service definition with our own handlers (rather than its
 * HealthImplementation) because Watch must end cleanly when the server drains, and its streams
 * need `error` handlers.
 */
import { service as healthServiceDefinition } from 'grpc-health-check';
import type { Logger } from 'pino';
import { untilSettledOrAborted } from '../util/abort.js';
import type { EngineAdapter, EngineHealth } from '../engines/types.js';
import { ErrorReason, ServiceError } from '../errors.js';
import type { CallContext } from './call-context.js';
import type { ServiceRegistration } from './service-adapter.js';

/** Serving status as the health proto names it. */
export type ServingStatus = 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

/** The name of the overall server entry. */
export const OVERALL = '';

/** Something whose health is reported under `name`, probed every engineHealthIntervalMs. */
export interface HealthProbe {
  readonly name: string;
  check(signal: AbortSignal): Promise<EngineHealth>;
}

/** The probe of an engine: entry `engine/<name>`, backed by `EngineAdapter.health()`. */
export function engineHealthProbe(engine: Pick<EngineAdapter, 'name' | 'health'>): HealthProbe {
  return { name: `engine/${engine.name}`, check: (signal) => engine.health(signal) };
}

/**
 * The `store` entry: SERVING while the database answers a query (PostgreSQL on the network; for
 * SQLite, the open file), NOT_SERVING while it does not, so readiness can follow the database.
 */
export function storeHealthProbe(store: { ping(signal?: AbortSignal): Promise<void> }): HealthProbe {
  return {
    name: 'store',
    async check(signal) {
      await store.ping(signal);
      return { serving: true };
    },
  };
}

/** The health service plus the controls the server and composition root use. */
export interface HealthService {
  readonly registration: ServiceRegistration;
  /** Current status of `name`, or undefined when it is not registered. */
  get(name: string): ServingStatus | undefined;
  set(name: string, serving: boolean): void;
  /** Marks every entry NOT_SERVING (first step of a drain). */
  markAllNotServing(): void;
  /** Runs every probe once now, then every `intervalMs`, until stop(). */
  startProbing(): void;
  /** Runs every probe once; resolves when all statuses are updated. */
  probeNow(): Promise<void>;
  stopProbing(): void;
}

export interface HealthOptions {
  /** Entries that start SERVING (the overall "" entry is always added). */
  readonly services: readonly string[];
  readonly probes: readonly HealthProbe[];
  readonly intervalMs: number;
  readonly logger: Logger;
}

type Listener = (status: ServingStatus) => void;

export function createHealthService(options: HealthOptions): HealthService {
  const statuses = new Map<string, ServingStatus>([[OVERALL, 'SERVING']]);
  for (const name of options.services) statuses.set(name, 'SERVING');
  // Engines are NOT_SERVING until their first probe says otherwise.
  for (const probe of options.probes) statuses.set(probe.name, 'NOT_SERVING');
  const listeners = new Map<string, Set<Listener>>();
  const probeControl = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let draining = false;
  const probed = new Set<string>();

  const setStatus = (name: string, status: ServingStatus) => {
    if (statuses.get(name) === status) return;
    statuses.set(name, status);
    for (const listener of listeners.get(name) ?? []) listener(status);
  };

  const runProbe = async (probe: HealthProbe) => {
    let result: EngineHealth;
    try {
      result = await probe.check(AbortSignal.any([probeControl.signal, AbortSignal.timeout(options.intervalMs)]));
    } catch (err) {
      result = { serving: false, detail: err instanceof Error ? err.message : String(err) };
    }
    if (draining || probeControl.signal.aborted) return;
    const next: ServingStatus = result.serving ? 'SERVING' : 'NOT_SERVING';
    if (statuses.get(probe.name) !== next || !probed.has(probe.name)) {
      probed.add(probe.name);
      options.logger[result.serving ? 'info' : 'warn']({ entry: probe.name, status: next, detail: result.detail }, 'health changed');
    }
    setStatus(probe.name, next);
  };
  const probeNow = async () => {
    await Promise.all(options.probes.map(runProbe));
  };

  async function* watch(request: { service?: string }, ctx: CallContext): AsyncGenerator<{ status: ServingStatus }> {
    const name = request.service ?? '';
    const stop = ctx.streamSignal;
    const pending: ServingStatus[] = [statuses.get(name) ?? 'SERVICE_UNKNOWN'];
    let wake: (() => void) | undefined;
    const listener: Listener = (status) => {
      pending.push(status);
      wake?.();
    };
    let set = listeners.get(name);
    if (!set) listeners.set(name, (set = new Set()));
    set.add(listener);
    try {
      let last: ServingStatus | undefined;
      for (;;) {
        for (let status = pending.shift(); status !== undefined; status = pending.shift()) {
          if (status !== last) yield { status: (last = status) };
        }
        if (stop.aborted) return;
        await untilSettledOrAborted(new Promise<void>((resolve) => (wake = resolve)), stop);
        wake = undefined;
      }
    } finally {
      set.delete(listener);
    }
  }

  const implementation = {
    check: async (request: { service?: string }) => {
      const status = statuses.get(request.service ?? '');
      if (!status) {
        throw new ServiceError(ErrorReason.SERVICE_NOT_FOUND, `no health status for service '${request.service ?? ''}'`);
      }
      return { status };
    },
    watch,
    list: async () => ({ statuses: Object.fromEntries([...statuses].map(([name, status]) => [name, { status }])) }),
  };

  return {
    registration: { definition: healthServiceDefinition, implementation },
    get: (name) => statuses.get(name),
    set: (name, serving) => setStatus(name, serving ? 'SERVING' : 'NOT_SERVING'),
    markAllNotServing: () => {
      draining = true;
      for (const name of statuses.keys()) setStatus(name, 'NOT_SERVING');
    },
    startProbing: () => {
      if (timer || options.probes.length === 0) return;
      void probeNow();
      timer = setInterval(() => void probeNow(), options.intervalMs);
      timer.unref();
    },
    probeNow,
    stopProbing: () => {
      clearInterval(timer);
      timer = undefined;
      probeControl.abort();
    },
  };
}
