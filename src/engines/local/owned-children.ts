/**
 * Runners this engine instance spawned itself. For them observe() waits on the ChildProcess
 * `exit` event instead of polling: it is immediate, and Node reaps the runner (no zombie).
 * Jobs reattached after a restart are not here and are polled.
 */
import type { ChildProcess } from 'node:child_process';
import type { LocalJob } from './local-handle.js';

/** The registry of runners spawned by one engine instance. */
export interface OwnedChildren {
  /** Tracks `child` (already spawned, pid known) until it exits. */
  add(job: LocalJob, child: ChildProcess): void;
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
    add(job, child) {
      let release!: () => void;
      const exited = new Promise<void>((resolve) => {
        const onExit = (): void => {
          child.off('exit', onExit);
          if (entries.get(job.pid)?.exited === exited) entries.delete(job.pid);
          resolve();
        };
        release = onExit;
        child.on('exit', onExit);
      });
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
