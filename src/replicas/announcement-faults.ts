/**
 * A fault-injection hook for tests of the cross-replica state feed: the notifier drops some of
 * its announcements instead of sending them, as if the replica had died between a commit and its
 * NOTIFY. The other replicas must still deliver the state, at their next check against the log
 * (postgres-state-feed.ts). Off unless the environment variable is set; never set it in
 * production. Each dropped announcement is counted and logged ('fault hook: announcement
 * dropped', with the workflow id and sequence), so a test can tell the drop really happened.
 *
 *   FLOWSERV_REMOTE_FAULT_DROP_ANNOUNCEMENTS=<count>             the next <count> announcements
 *   FLOWSERV_REMOTE_FAULT_DROP_ANNOUNCEMENTS=<count>@<sequence>  the next <count> announcements
 *                                                                of a state with that sequence
 */

/** The environment variable of the hook. */
export const FAULT_DROP_ANNOUNCEMENTS_ENV = 'FLOWSERV_REMOTE_FAULT_DROP_ANNOUNCEMENTS';

/** The hook's value is malformed (the server refuses to start, as for a bad setting). */
export class FaultHookError extends Error {}

/** Which announcements still to drop. */
export interface AnnouncementDrops {
  /** True when the announcement of a state with `sequence` is to be dropped (and counts it). */
  take(sequence: number): boolean;
}

/**
 * Parses the hook's value; undefined when unset or empty. A malformed value throws, so a
 * misspelled hook fails the start instead of silently testing nothing.
 */
export function announcementDrops(value: string | undefined): AnnouncementDrops | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const match = /^(\d+)(?:@(\d+))?$/.exec(value.trim());
  if (!match) throw new FaultHookError(`${FAULT_DROP_ANNOUNCEMENTS_ENV} must be <count> or <count>@<sequence>, got '${value}'`);
  let left = Number(match[1]);
  const only = match[2] === undefined ? undefined : Number(match[2]);
  return {
    take(sequence) {
      if (left <= 0 || (only !== undefined && sequence !== only)) return false;
      left--;
      return true;
    },
  };
}
