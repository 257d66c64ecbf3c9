import { describe, expect, it } from 'vitest';
import { createPacer } from '../../../../src/service/logs/pacer.js';

describe('log send budget', () => {
  it('lets a burst through at once, then asks for waits at the rate, refilled by time', () => {
    let t = 0;
    const pacer = createPacer(1000, 500, () => t);
    expect(pacer.take(300)).toBe(0);
    expect(pacer.take(200)).toBe(0);
    expect(pacer.take(100)).toBe(100);
    t += 100;
    expect(pacer.take(100)).toBe(100);
    t += 10_000;
    expect(pacer.take(500)).toBe(0);
  });

  it('shared by several takers, gives each the rate divided among them', () => {
    let t = 0;
    const pacer = createPacer(1000, 0, () => t);
    // Ten followers each send 100 bytes in one round: the last one waits for all ten.
    const waits = Array.from({ length: 10 }, () => pacer.take(100));
    expect(waits[0]).toBe(100);
    expect(waits[9]).toBe(1000);
  });
});
