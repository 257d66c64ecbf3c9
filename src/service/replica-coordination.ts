/**
 * What the dispatcher needs from the replicas' coordination (several replicas on one database;
 * src/replicas implements it over PostgreSQL): its current lease, a claim on each workflow it
 * creates, and the claim scan that hands it the workflows nobody live follows. A single-node
 * dispatcher has none of this and takes every unsettled workflow at start.
 */
import type { FollowerFence as Fence } from '../store/workflow-store.js';

/** A workflow handed over by the claim scan. */
export interface ClaimedWorkflow {
  readonly workflowId: string;
  readonly fence: Fence;
  /** Aborted when the incarnation that claimed it loses its lease. */
  readonly lease: AbortSignal;
  /** The follower the row named before (a dead or departed replica), if any. */
  readonly previousFollower?: string;
}

/** The coordination of one replica. */
export interface ReplicaCoordination {
  /** This replica's current incarnation: its id (the follower it writes as) and lease signal. */
  current(): { readonly replicaId: string; readonly lease: AbortSignal };
  /**
   * Claims a row this replica has just inserted. Undefined when another replica's scan claimed
   * it first (it then submits and follows it): the creator must not.
   */
  claimNew(workflowId: string): Promise<Fence | undefined>;
  /** Starts the claim scan; each claimed workflow goes to `takeOver`. */
  startScan(takeOver: (claimed: ClaimedWorkflow) => Promise<void>): void;
  /** Graceful drain: stops scanning, releases this replica's claims, ends its lease. */
  close(): Promise<void>;
}
