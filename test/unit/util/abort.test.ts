import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { linkSignals, sleep, untilSettledOrAborted, waitUntil } from '../../../src/util/abort.js';

const never = new Promise<never>(() => undefined);

describe('the abort toolkit', () => {
  it('linkSignals aborts with the first parent reason and leaves no listener on any parent', () => {
    const a = new AbortController();
    const b = new AbortController();
    const linked = linkSignals(a.signal, undefined, b.signal);
    expect(getEventListeners(a.signal, 'abort')).toHaveLength(1);
    b.abort(new Error('shutting down'));
    expect(linked.signal.aborted).toBe(true);
    expect((linked.signal.reason as Error).message).toBe('shutting down');
    expect(getEventListeners(a.signal, 'abort')).toHaveLength(0);
    expect(getEventListeners(b.signal, 'abort')).toHaveLength(0);
  });

  it('linkSignals: dispose() removes the listeners of work that ended first; an aborted parent aborts at once', () => {
    const lifetime = new AbortController();
    for (let i = 0; i < 20; i++) linkSignals(lifetime.signal).dispose();
    expect(getEventListeners(lifetime.signal, 'abort')).toHaveLength(0);
    lifetime.abort('closed');
    const late = linkSignals(new AbortController().signal, lifetime.signal);
    expect(late.signal.reason).toBe('closed');
  });

  it('waitUntil tells settled, timeout and aborted apart, and cleans up its timer and listener', async () => {
    const ac = new AbortController();
    expect(await waitUntil(Promise.resolve(1), { timeoutMs: 10_000, signal: ac.signal })).toBe('settled');
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
    expect(await waitUntil(never, { timeoutMs: 5, signal: ac.signal })).toBe('timeout');
    const waiting = waitUntil(never, { signal: ac.signal });
    ac.abort();
    expect(await waiting).toBe('aborted');
    await expect(waitUntil(Promise.reject(new Error('boom')), {})).rejects.toThrow('boom');
    expect(await untilSettledOrAborted(never, ac.signal)).toBe(false);
  });

  it('sleep resolves true after the delay and false when aborted first', async () => {
    expect(await sleep(1)).toBe(true);
    const ac = new AbortController();
    const sleeping = sleep(10_000, ac.signal);
    ac.abort();
    expect(await sleeping).toBe(false);
  });
});
