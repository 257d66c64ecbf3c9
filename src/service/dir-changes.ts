/**
 * Waking a follower when files change in a job's control directory. fs.watch (inotify) makes a
 * line printed by a step reach a follower in milliseconds; a poll interval backs it up, because
 * change events are not delivered on every filesystem (an NFS export written by another node)
 * and a directory may not exist yet when following begins (a queued job).
 */
import { watch, type FSWatcher } from 'node:fs';

/** A change notifier over some directories; `close()` releases the watchers. */
export interface DirChanges {
  /**
   * Resolves when something changed in a watched directory since the last call, when `timeoutMs`
   * passed (at most the poll interval), or when `signal` aborts; whichever is first.
   */
  wait(timeoutMs: number, signal: AbortSignal): Promise<void>;
  close(): void;
}

/** Watches `dirs` (not recursively); directories that do not exist yet are retried on each wait. */
export function watchDirs(dirs: readonly string[], pollIntervalMs: number): DirChanges {
  const watchers = new Map<string, FSWatcher>();
  let dirty = false;
  let wake: (() => void) | undefined;
  let closed = false;
  const changed = (): void => {
    dirty = true;
    wake?.();
  };
  const ensureWatchers = (): void => {
    for (const dir of dirs) {
      if (watchers.has(dir)) continue;
      try {
        const watcher = watch(dir, { persistent: false }, changed);
        watcher.on('error', () => {
          watcher.close();
          watchers.delete(dir);
          changed();
        });
        watchers.set(dir, watcher);
        // Created now: whatever happened before is unseen, so look once more.
        dirty = true;
      } catch {
        // Not there yet (or not watchable): the poll interval covers it.
      }
    }
  };

  return {
    async wait(timeoutMs, signal) {
      if (closed || signal.aborted) return;
      ensureWatchers();
      if (dirty) {
        dirty = false;
        return;
      }
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, Math.max(0, Math.min(timeoutMs, pollIntervalMs)));
        signal.addEventListener('abort', done, { once: true });
        wake = done;
      });
      dirty = false;
    },
    close() {
      closed = true;
      wake?.();
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}
