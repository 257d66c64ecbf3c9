/**
 * Small helpers that wait for something or for an AbortSignal, whichever comes first, and
 * always remove their timers and listeners, so an aborted observer leaves nothing behind.
 */
import { setTimeout as delay } from 'node:timers/promises';

/** Waits `ms` milliseconds; resolves false (instead of throwing) when `signal` aborts first. */
export async function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await delay(ms, undefined, { signal });
    return true;
  } catch (err) {
    if (signal.aborted) return false;
    throw err;
  }
}

/**
 * Waits for `promise` to settle; resolves true when it did and false when `signal` aborted
 * first. Rejections of `promise` propagate.
 */
export async function untilSettledOrAborted(promise: Promise<unknown>, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<false>((resolve) => {
    onAbort = () => resolve(false);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([promise.then(() => true as const), aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort!);
  }
}

/**
 * An AbortController that also aborts when any of `parents` does. `dispose()` removes the
 * listeners it put on the parents; call it in `finally` so a long-lived parent (the engine's
 * close signal) does not accumulate listeners of finished observers.
 */
export function linkSignals(...parents: AbortSignal[]): { readonly signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort();
  for (const parent of parents) {
    if (parent.aborted) controller.abort();
    else parent.addEventListener('abort', onAbort, { once: true });
  }
  return {
    signal: controller.signal,
    dispose: () => parents.forEach((p) => p.removeEventListener('abort', onAbort)),
  };
}
