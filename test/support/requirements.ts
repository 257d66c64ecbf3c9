/**
 * Tests that need something outside Node (a Slurm controller, Debian's python3-grpcio) skip
 * locally with a clear message when it is absent. CI sets FLOWSERV_TEST_REQUIRE_ALL=1, which turns
 * every such skip into a failure, so nothing is silently left out there.
 */
import { describe, it } from 'vitest';

/** True when CI demands that every optional dependency be present. */
export const requireAll = process.env.FLOWSERV_TEST_REQUIRE_ALL === '1';

/**
 * Runs `describe(name, body)` when `missing` is undefined. Otherwise, locally, skips the suite
 * and prints why; under FLOWSERV_TEST_REQUIRE_ALL=1 registers one failing test naming the reason.
 */
export function describeIfAvailable(name: string, missing: string | undefined, body: () => void): void {
  if (missing === undefined) {
    describe(name, body);
  } else if (requireAll) {
    describe(name, () => {
      it('has what it needs (required in CI)', () => {
        throw new Error(`required in CI but unavailable: ${missing}`);
      });
    });
  } else {
    console.warn(`[skip] ${name}: ${missing}`);
    describe.skip(`${name} (skipped: ${missing})`, body);
  }
}
