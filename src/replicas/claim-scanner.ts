/**
 * The claim scan of one replica: every `intervalMs`, while its lease is live, it claims unsettled
 * rows of the engines it follows that nobody live follows (a new row, one a dead or draining
 * replica left, a stop whose job is not yet confirmed gone) and hands each claim to the
 * dispatcher, which reattaches, adopts, finalizes or settles it as a restart would. A claim
 * comes with its fencing token; the dispatcher's writes for that workflow carry it.
 */
import type { Logger } from 'pino';
import { sleep } from '../util/abort.js';
import type { Claim, Claims } from './claims.js';
import type { Incarnation, Membership } from './membership.js';

/** Most rows claimed per statement; the scan repeats at once while it gets full batches. */
const BATCH = 100;

/** What the scanner needs. */
export interface ClaimScannerOptions {
  readonly membership: Membership;
  readonly claims: Claims;
  /** Engines whose jobs any replica can follow (Slurm). */
  readonly engines: readonly string[];
  /**
   * Engines whose jobs only their creating replica can reach (local jobs, pinned): only their
   * stranded rows (creator dead) are claimed, to be ended (default none).
   */
  readonly pinnedEngines?: readonly string[];
  /** Interval between scans, in ms (default 2000). */
  readonly intervalMs: number;
  readonly logger: Logger;
  /** Takes over one claimed workflow (when it fails, the claim is logged and released for the next scan). */
  readonly onClaimed: (claim: Claim, incarnation: Incarnation) => Promise<void>;
}

/** The running scanner. */
export interface ClaimScanner {
  /** Starts scanning (the first scan at once). */
  start(): void;
  /** One scan now; resolves with the number of rows claimed. */
  scan(): Promise<number>;
  /** Stops scanning and waits for the scan in flight. */
  close(): Promise<void>;
}

/** Creates the scanner (not started). */
export function createClaimScanner(options: ClaimScannerOptions): ClaimScanner {
  const { membership, claims, logger } = options;
  const lifetime = new AbortController();
  let loop: Promise<void> | undefined;
  let inFlight: Promise<number> | undefined;

  async function scanOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      if (!membership.live() || lifetime.signal.aborted) return total;
      const incarnation = membership.current();
      const got = [
        ...(await claims.claim(incarnation.replicaId, options.engines, BATCH)),
        ...(await claims.claim(incarnation.replicaId, options.pinnedEngines ?? [], BATCH, { strandedOnly: true })),
      ];
      total += got.length;
      for (const claim of got) {
        logger.info({ workflowId: claim.workflowId, epoch: claim.epoch, previousFollower: claim.previousFollower }, 'claimed a workflow to follow');
        await options.onClaimed(claim, incarnation).catch(async (err: unknown) => {
          logger.error({ err, workflowId: claim.workflowId }, 'taking over a claimed workflow failed; releasing it');
          await claims.release(incarnation.replicaId, claim.workflowId, claim.epoch).catch(() => undefined);
        });
      }
      if (got.length === 0) return total;
    }
  }

  const scan = (): Promise<number> => (inFlight ??= scanOnce().finally(() => (inFlight = undefined)));

  return {
    start() {
      loop ??= (async () => {
        while (!lifetime.signal.aborted) {
          await scan().catch((err: unknown) => logger.warn({ err }, 'claim scan failed; retrying at the next interval'));
          await sleep(options.intervalMs, lifetime.signal);
        }
      })();
    },
    scan,
    async close() {
      lifetime.abort();
      await loop;
      await inFlight?.catch(() => undefined);
    },
  };
}
