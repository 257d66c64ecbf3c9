/**
 * Runners this engine instance spawned itself. For them observe() waits for the exit their
 * spawner reports instead of polling: it is immediate, and the spawner reaps the runner (no
 * zombie). Jobs reattached after a restart, or whose spawner died, are polled.
 */
import type { LocalJob } from './local-handle.js';

/** The registry of runners spawned by one engine instance. */
export interface OwnedChildren {
  /** Tracks the job's runner until `exited` settles (it exited, or its exit can no longer be reported). */
  add(job: LocalJob, exited: Promise<void>): void;
  /**
   * A promise that settles when the job's runner exits, or undefined when this instance did not
   * spawn it (or it already exited). Matches on pid and start time, never on pid alone.
   */
  exited(job: LocalJob): Promise<void> | undefined;
  /** Number of runners still tracked. */
  readonly size: number;
  /** Stops tracking all runners (they keep running); pending `exited` promises settle. */
  clear(): void;
}

interface Entry {
  readonly startTicks: number;
  readonly exited: Promise<void>;
  readonly release: () => void;
}

/** Creates an empty registry. */
export function createOwnedChildren(): OwnedChildren {
  const entries = new Map<number, Entry>();
  return {
    add(job, runnerExited) {
      let release!: () => void;
      const exited = new Promise<void>((resolve) => {
        release = (): void => {
          if (entries.get(job.pid)?.exited === exited) entries.delete(job.pid);
          resolve();
        };
      });
      void runnerExited.then(release);
      entries.set(job.pid, { startTicks: job.startTicks, exited, release });
    },
    exited(job) {
      const entry = entries.get(job.pid);
      return entry !== undefined && entry.startTicks === job.startTicks ? entry.exited : undefined;
    },
    get size() {
      return entries.size;
    },
    clear() {
      for (const entry of [...entries.values()]) entry.release();
      entries.clear();
    },
  };
}
