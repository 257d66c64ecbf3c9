/**
 * Engine metrics from a decorator around an EngineAdapter: the result of every health probe
 * (`flowserv_engine_serving`), and, for engines without scheduler commands of their own (local),
 * the duration and result of each job spawn (`submit`) as command `spawn`. Slurm's commands are
 * timed where they run (SlurmCli's onCommandEnd), so its submit is not counted twice.
 */
import type { EngineAdapter } from '../engines/types.js';
import { timed, type Metrics } from './metrics.js';

/** Options of instrumentEngine. */
export interface InstrumentEngineOptions {
  /** Record submit() as this command (e.g. `spawn` for local); unset: submit is not timed here. */
  readonly submitCommand?: string;
}

/** Returns an adapter that behaves exactly like `inner` and records its health and spawns. */
export function instrumentEngine(inner: EngineAdapter, metrics: Metrics, options: InstrumentEngineOptions = {}): EngineAdapter {
  const engine = inner.name;
  const serving = metrics.engineServing.labels({ engine });
  const { submitCommand } = options;
  return {
    ...inner,
    name: inner.name,
    capabilities: inner.capabilities,
    async health(signal) {
      try {
        const health = await inner.health(signal);
        serving.set(health.serving ? 1 : 0);
        return health;
      } catch (err) {
        serving.set(0);
        throw err;
      }
    },
    ...(submitCommand !== undefined && {
      submit: (job, signal) => timed(metrics.engineCommandSeconds, { engine, command: submitCommand }, () => inner.submit(job, signal)),
    }),
  };
}
