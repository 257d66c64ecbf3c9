/**
 * The latest state of the workflows read or written most recently, for the SQLite store's
 * latestState (GetWorkflowState, the check at the start of every WatchState): a hit answers
 * without a query and without decoding the state's JSON, which were the largest part of the
 * service's own work per GetWorkflowState.
 *
 * It is only correct because one process owns the SQLite database and every state change goes
 * through its store: an entry is dropped when a transition is queued and again once the
 * transition is durable (or failed), and the next read fills it from the database; so once a
 * write is acknowledged no reader gets a state older than it. Entries are shared, read-only records.
 */
import type { StateRecord } from './records.js';

/** A cached latest state and the owner it is filtered by. */
export interface CachedLatest {
  readonly owner: string;
  readonly state: StateRecord;
}

/** Bounded map of workflow id → latest state; the least recently used entry goes first. */
export class LatestStateCache {
  private readonly entries = new Map<string, CachedLatest>();

  constructor(private readonly capacity = 10_000) {}

  get(workflowId: string): CachedLatest | undefined {
    const entry = this.entries.get(workflowId);
    if (entry) {
      // Map order is insertion order: re-inserting marks it as recently used.
      this.entries.delete(workflowId);
      this.entries.set(workflowId, entry);
    }
    return entry;
  }

  set(workflowId: string, owner: string, state: StateRecord): void {
    this.entries.delete(workflowId);
    this.entries.set(workflowId, { owner, state });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  /** Forgets a workflow whose state is about to change (or whose change failed). */
  forget(workflowId: string): void {
    this.entries.delete(workflowId);
  }
}
