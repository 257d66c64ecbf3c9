/**
 * One interrupt, one graceful shutdown. Ctrl-C on `npm start` sends SIGINT to the whole process
 * group (npm, tsx and node), and tsx relays its own copy to node, so the server receives the same
 * interrupt twice a few milliseconds apart. Signals that arrive within `coalesceMs` of the first
 * are that same interrupt and are ignored; only a later, separate signal forces the exit.
 */

/** What the gate does with each signal. */
export interface SignalGateOptions {
  /** Called once, on the first signal: start the graceful drain. */
  readonly onStop: (signal: NodeJS.Signals) => void;
  /** Called on a separate, later signal during the drain: exit now. */
  readonly onForce: (signal: NodeJS.Signals) => void;
  /** Called for a signal that is a copy of the first one (ignored). */
  readonly onDuplicate?: (signal: NodeJS.Signals, sinceFirstMs: number) => void;
  /** Signals this soon after the first count as the same interrupt, in ms. Default 1000. */
  readonly coalesceMs?: number;
  /** Clock in ms (tests). Default performance.now. */
  readonly now?: () => number;
}

/** Default of SignalGateOptions.coalesceMs: far above a relay's delay, far below a second Ctrl-C. */
export const DEFAULT_COALESCE_MS = 1000;

/** Returns the handler to install for SIGINT and SIGTERM. */
export function createSignalGate(options: SignalGateOptions): (signal: NodeJS.Signals) => void {
  const now = options.now ?? (() => performance.now());
  const coalesceMs = options.coalesceMs ?? DEFAULT_COALESCE_MS;
  let firstAt: number | undefined;
  return (signal) => {
    const at = now();
    if (firstAt === undefined) {
      firstAt = at;
      options.onStop(signal);
    } else if (at - firstAt < coalesceMs) {
      options.onDuplicate?.(signal, at - firstAt);
    } else {
      options.onForce(signal);
    }
  };
}
