/**
 * The last known health of each engine, shared by the grpc.health entries (`engine/<name>`,
 * probed on their interval) and GetServiceInfo, so the two never disagree and an engine probe
 * (a scheduler round trip for Slurm) is not run twice. A probe already running is joined, not
 * repeated; an answer older than `maxAgeMs` is refreshed on the next read.
 */
import type { EngineAdapter, EngineHealth } from '../engines/types.js';

/** Shared engine health; see the module comment. */
export interface EngineHealthCache {
  /** Probes `engine` now (or joins a probe already running) and remembers the answer. Never rejects. */
  probe(engine: EngineAdapter, signal?: AbortSignal): Promise<EngineHealth>;
  /** The last answer when it is at most `maxAgeMs` old, otherwise a fresh probe's. Never rejects. */
  latest(engine: EngineAdapter): Promise<EngineHealth>;
  /**
   * The last answer for the engine named `name` if it is at most twice `maxAgeMs` old, without
   * probing (undefined otherwise): what a caller that must not wait for a probe can go by.
   */
  known(name: string): EngineHealth | undefined;
}

/** Options of createEngineHealthCache. */
export interface EngineHealthCacheOptions {
  /** How long an answer is reused by latest(), in ms; the health entries' probe interval in the app. */
  readonly maxAgeMs: number;
  /** Clock in ms (tests). Default Date.now. */
  readonly now?: () => number;
}

interface Entry {
  at: number;
  health?: EngineHealth;
  running?: Promise<EngineHealth> | undefined;
}

/** Creates an empty cache: the first read of an engine probes it. */
export function createEngineHealthCache(options: EngineHealthCacheOptions): EngineHealthCache {
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();

  function probe(engine: EngineAdapter, signal?: AbortSignal): Promise<EngineHealth> {
    let entry = entries.get(engine.name);
    if (!entry) entries.set(engine.name, (entry = { at: Number.NEGATIVE_INFINITY }));
    if (entry.running) return entry.running;
    const current = entry;
    const running = engine
      .health(signal)
      .catch((err: unknown): EngineHealth => ({ serving: false, detail: err instanceof Error ? err.message : String(err) }))
      .then((health) => {
        current.health = health;
        current.at = now();
        current.running = undefined;
        return health;
      });
    current.running = running;
    return running;
  }

  function latest(engine: EngineAdapter): Promise<EngineHealth> {
    const entry = entries.get(engine.name);
    if (entry?.health && now() - entry.at <= options.maxAgeMs) return Promise.resolve(entry.health);
    return probe(engine);
  }

  function known(name: string): EngineHealth | undefined {
    const entry = entries.get(name);
    return entry?.health && now() - entry.at <= 2 * options.maxAgeMs ? entry.health : undefined;
  }

  return { probe, latest, known };
}
