/**
 * The coordination of one replica among several on a PostgreSQL database, as the dispatcher
 * sees it (service/replica-coordination.ts): the lease (membership.ts), the claims (claims.ts)
 * and the claim scan (claim-scanner.ts), put together. Closing is the graceful drain: stop
 * scanning, release this replica's claims on followable engines (the others take them at their
 * next scan instead of after the lease TTL), and delete the lease.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import type { ClaimedWorkflow, ReplicaCoordination } from '../service/replica-coordination.js';
import { createClaimScanner, type ClaimScanner } from './claim-scanner.js';
import { createClaims } from './claims.js';
import type { Membership } from './membership.js';

/** What the coordination needs. */
export interface ReplicationOptions {
  readonly pool: pg.Pool;
  /** Started (registered) membership of this process. */
  readonly membership: Membership;
  /** Engines any replica can follow (Slurm). */
  readonly engines: readonly string[];
  /** Engines pinned to their creating replica (local, when allowed). */
  readonly pinnedEngines: readonly string[];
  /** Claim scan interval, in ms. */
  readonly scanIntervalMs: number;
  readonly logger: Logger;
}

/** Creates the coordination; the scan starts with startScan(). */
export function createReplication(options: ReplicationOptions): ReplicaCoordination {
  const { membership, logger } = options;
  const claims = createClaims(options.pool);
  let scanner: ClaimScanner | undefined;
  return {
    current() {
      const { replicaId, signal } = membership.current();
      return { replicaId, lease: signal };
    },
    async claimNew(workflowId) {
      const { replicaId } = membership.current();
      const claim = await claims.claimNew(replicaId, workflowId);
      return claim && { follower: replicaId, epoch: claim.epoch };
    },
    startScan(takeOver) {
      scanner ??= createClaimScanner({
        membership,
        claims,
        engines: options.engines,
        pinnedEngines: options.pinnedEngines,
        intervalMs: options.scanIntervalMs,
        logger,
        onClaimed: (claim, incarnation) => {
          const claimed: ClaimedWorkflow = {
            workflowId: claim.workflowId,
            fence: { follower: incarnation.replicaId, epoch: claim.epoch },
            lease: incarnation.signal,
            ...(claim.previousFollower !== undefined && { previousFollower: claim.previousFollower }),
          };
          return takeOver(claimed);
        },
      });
      scanner.start();
    },
    async close() {
      await scanner?.close();
      if (!membership.registered()) return;
      const { replicaId } = membership.current();
      try {
        const released = await claims.releaseAll(replicaId, options.engines);
        logger.info({ replicaId, released }, 'released this replica\'s claims for the other replicas');
      } catch (err) {
        logger.warn({ err }, 'could not release the claims; the other replicas take them when the lease expires');
      }
      await membership.close();
    },
  };
}
