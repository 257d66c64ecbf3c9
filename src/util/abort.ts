/**
 * The one abort toolkit of the project (engines, watch hub, dispatcher, server handlers, client):
 * waits that end early when an AbortSignal fires, and signals linked to several parents. Each
 * helper removes its timers and listeners when it is done, so a long-lived signal (a server's
 * shutdown, an engine's or dispatcher's lifetime) does not collect listeners of finished work.
 * It imports nothing but Node's timers, so client code can use it too.
 */
import { setTimeout as delay } from 'node:timers/promises';

/** Waits `ms` milliseconds; resolves false (instead of throwing) when `signal` aborts first. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  try {
    await delay(ms, undefined, signal ? { signal } : undefined);
    return true;
  } catch (err) {
    if (signal?.aborted) return false;
    throw err;
  }
}

/** How waitUntil ended. */
export type WaitResult = 'settled' | 'timeout' | 'aborted';

/**
 * Waits for `promise` to settle, for at most `timeoutMs` (none when unset) and no longer than
 * `signal` allows, whichever comes first. Rejections of `promise` propagate.
 */
export async function waitUntil(promise: Promise<unknown>, options: { readonly timeoutMs?: number; readonly signal?: AbortSignal }): Promise<WaitResult> {
  const { timeoutMs, signal } = options;
  if (signal?.aborted) return 'aborted';
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const interrupted = new Promise<WaitResult>((resolve) => {
    if (timeoutMs !== undefined) timer = setTimeout(() => resolve('timeout'), timeoutMs);
    if (signal) {
      onAbort = () => resolve('aborted');
      signal.addEventListener('abort', onAbort, { once: true });
    }
  });
  try {
    return await Promise.race([promise.then(() => 'settled' as const), interrupted]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Waits for `promise` to settle; resolves true when it did and false when `signal` aborted
 * first. Rejections of `promise` propagate.
 */
export async function untilSettledOrAborted(promise: Promise<unknown>, signal: AbortSignal): Promise<boolean> {
  return (await waitUntil(promise, { signal })) === 'settled';
}

/**
 * A signal that aborts, with the parent's reason, as soon as any of `parents` does (unset
 * parents are skipped). Its listeners leave every parent when it aborts or on `dispose()`; call
 * dispose in `finally` so a long-lived parent does not accumulate listeners of finished work.
 */
export function linkSignals(...parents: (AbortSignal | undefined)[]): { readonly signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const present = parents.filter((p): p is AbortSignal => p !== undefined);
  const dispose = (): void => present.forEach((p) => p.removeEventListener('abort', onAbort));
  function onAbort(this: AbortSignal): void {
    controller.abort(this.reason);
    dispose();
  }
  for (const parent of present) {
    if (parent.aborted) {
      controller.abort(parent.reason);
      break;
    }
    parent.addEventListener('abort', onAbort, { once: true });
  }
  if (controller.signal.aborted) dispose();
  return { signal: controller.signal, dispose };
}
