/**
 * Graceful drain of a grpc-js server: `tryShutdown` lets open calls finish (new calls get
 * UNAVAILABLE), and `forceShutdown` cancels whatever is still open once the grace period is over.
 * The steps before it (health NOT_SERVING, asking streams to end) are the server's, in
 * grpc-server.ts; this module only knows the grpc-js side.
 */
import type { Server } from '@grpc/grpc-js';

/** How a drain ended. */
export interface DrainResult {
  /** True when calls were still open after the grace period and were cancelled. */
  readonly forced: boolean;
  readonly durationMs: number;
}

/**
 * Stops accepting calls, waits up to `graceMs` for open ones to finish, then cancels the rest.
 * Resolves once the server is closed.
 */
export function drainServer(server: Pick<Server, 'tryShutdown' | 'forceShutdown'>, graceMs: number): Promise<DrainResult> {
  const startedAt = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const settle = (forced: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ forced, durationMs: Math.round(performance.now() - startedAt) });
    };
    const timer = setTimeout(() => {
      server.forceShutdown();
      settle(true);
    }, graceMs);
    server.tryShutdown(() => settle(false));
  });
}
