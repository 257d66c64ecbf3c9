import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRetryQueue } from '../../../src/service/retry-queue.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('the retry queue', () => {
  it('doubles the delay of a key on every retry up to the cap, and starts over after a success', () => {
    const queue = createRetryQueue({ initialDelayMs: 10, maxDelayMs: 30, run: (task) => void task() });
    const ran: number[] = [];
    const retry = () => queue.schedule('k', () => void ran.push(Date.now()));
    const t0 = Date.now();
    for (const expected of [10, 20, 30, 30]) {
      const before = ran.length;
      retry();
      vi.advanceTimersByTime(expected - 1);
      expect(ran).toHaveLength(before);
      vi.advanceTimersByTime(1);
      expect(ran.length).toBe(before + 1);
    }
    expect(ran.map((t) => t - t0)).toEqual([10, 30, 60, 90]);
    queue.reset('k');
    retry();
    vi.advanceTimersByTime(10);
    expect(ran).toHaveLength(5);
  });

  it('queues a waiting key once, keeps keys apart, and runs nothing after close()', () => {
    const queue = createRetryQueue({ initialDelayMs: 10, maxDelayMs: 1000, run: (task) => void task() });
    const ran: string[] = [];
    queue.schedule('a', () => void ran.push('a1'));
    queue.schedule('a', () => void ran.push('a2'));
    queue.schedule('b', () => void ran.push('b'));
    vi.advanceTimersByTime(10);
    expect(ran.sort()).toEqual(['a1', 'b']);
    queue.schedule('a', () => void ran.push('a3'));
    queue.close();
    queue.schedule('c', () => void ran.push('c'));
    vi.advanceTimersByTime(10_000);
    expect(ran).toEqual(['a1', 'b']);
  });
});
