/** The engine health shared by grpc.health and GetServiceInfo: one probe at a time, answers reused for maxAgeMs. */
import { describe, expect, it } from 'vitest';
import type { EngineAdapter, EngineHealth } from '../../../src/engines/types.js';
import { createEngineHealthCache } from '../../../src/service/engine-health.js';
import { createFakeEngine } from '../../support/fake-engine.js';

/** A fake engine whose health() answers are set by the test, counted, and can be held open. */
function countedEngine() {
  let calls = 0;
  let hold: Promise<void> = Promise.resolve();
  let answer: EngineHealth = { serving: true };
  const engine: EngineAdapter = {
    ...createFakeEngine({ name: 'x' }),
    async health() {
      calls += 1;
      await hold;
      return answer;
    },
  };
  return {
    engine,
    calls: () => calls,
    setHealth(next: EngineHealth) {
      answer = next;
    },
    holdUntil(release: Promise<void>) {
      hold = release;
    },
  };
}

describe('engine health cache', () => {
  it('joins a probe that is already running instead of starting a second', async () => {
    const x = countedEngine();
    let release!: () => void;
    x.holdUntil(new Promise((r) => (release = r)));
    const cache = createEngineHealthCache({ maxAgeMs: 1000 });
    const first = cache.probe(x.engine);
    const second = cache.latest(x.engine);
    release();
    expect(await Promise.all([first, second])).toEqual([{ serving: true }, { serving: true }]);
    expect(x.calls()).toBe(1);
  });

  it('answers reads from the last probe while it is fresh, and probes again once it is older than maxAgeMs', async () => {
    const x = countedEngine();
    let clock = 0;
    const cache = createEngineHealthCache({ maxAgeMs: 1000, now: () => clock });
    await cache.probe(x.engine);
    x.setHealth({ serving: false, detail: 'scheduler down' });
    clock = 1000;
    expect(await cache.latest(x.engine)).toEqual({ serving: true });
    clock = 1001;
    expect(await cache.latest(x.engine)).toEqual({ serving: false, detail: 'scheduler down' });
    expect(x.calls()).toBe(2);
  });

  it('shows readers what the last interval probe found, without probing itself', async () => {
    const x = countedEngine();
    const cache = createEngineHealthCache({ maxAgeMs: 60_000 });
    await cache.probe(x.engine);
    x.setHealth({ serving: false, detail: 'drained' });
    await cache.probe(x.engine);
    expect(await cache.latest(x.engine)).toEqual({ serving: false, detail: 'drained' });
    expect(x.calls()).toBe(2);
  });

  it('known() gives the last answer without probing, and nothing once it is older than twice maxAgeMs', async () => {
    const x = countedEngine();
    let clock = 0;
    const cache = createEngineHealthCache({ maxAgeMs: 1000, now: () => clock });
    expect(cache.known('x')).toBeUndefined();
    x.setHealth({ serving: false, detail: 'scheduler down' });
    await cache.probe(x.engine);
    clock = 2000;
    expect(cache.known('x')).toEqual({ serving: false, detail: 'scheduler down' });
    clock = 2001;
    expect(cache.known('x')).toBeUndefined();
    expect(x.calls()).toBe(1);
  });

  it('turns a failing probe into NOT serving with its message', async () => {
    const broken: EngineAdapter = { ...createFakeEngine(), health: async (): Promise<EngineHealth> => { throw new Error('ping timed out'); } };
    const cache = createEngineHealthCache({ maxAgeMs: 1000 });
    expect(await cache.latest(broken)).toEqual({ serving: false, detail: 'ping timed out' });
  });
});
