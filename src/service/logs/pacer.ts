/**
 * A byte budget for sending logs while a job runs: refilled at a steady rate up to a burst, so
 * lines and small bursts go at once and bulk output goes at the rate. One budget serves all the
 * followers of a job (the shared reader holds it), so ten followers take from the job no more
 * CPU for sending than one does; they catch up at full speed once the workflow has ended.
 */

/** Takes bytes from the budget. */
export interface Pacer {
  /** Takes `bytes`; returns how long the taker should wait before sending more, in ms (0: none). */
  take(bytes: number): number;
}

/** A budget of `burstBytes` refilled at `bytesPerSecond` (> 0). */
export function createPacer(bytesPerSecond: number, burstBytes: number, now: () => number = Date.now): Pacer {
  let tokens = burstBytes;
  let at = now();
  return {
    take(bytes) {
      const t = now();
      tokens = Math.min(burstBytes, tokens + ((t - at) / 1000) * bytesPerSecond) - bytes;
      at = t;
      return tokens >= 0 ? 0 : (-tokens / bytesPerSecond) * 1000;
    },
  };
}
