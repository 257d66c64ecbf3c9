/**
 * Waking followers when files change in a job's control directory. fs.watch (inotify) makes a
 * line printed by a step reach a follower in milliseconds; a poll interval backs it up, because
 * change events are not delivered on every filesystem (an NFS export written by another node)
 * and a directory may not exist yet when following begins (a queued job).
 *
 * All followers of one directory share one fs.watch: each watch costs the writing job work in
 * every write() (the kernel notifies each watch), so ten followers must not mean ten watches.
 */
import { watch, type FSWatcher } from 'node:fs';

/** A change notifier over some directories; `close()` releases its share of the watchers. */
export interface DirChanges {
  /**
   * Resolves when something changed in a watched directory since the last call, when `timeoutMs`
   * passed (at most the poll interval), or when `signal` aborts; whichever is first.
   */
  wait(timeoutMs: number, signal: AbortSignal): Promise<void>;
  /** Change events received so far: how busy the directories are (many writes, many events). */
  eventCount(): number;
  close(): void;
}

/** Hands out notifiers; one fs.watch per directory, however many notifiers follow it. */
export interface DirWatchers {
  /** Watches `dirs` (not recursively); directories that do not exist yet are retried on each wait. */
  watch(dirs: readonly string[], pollIntervalMs: number): DirChanges;
  /** Number of fs.watch handles open (for tests). */
  openCount(): number;
}

interface Shared {
  readonly watcher: FSWatcher;
  readonly listeners: Set<() => void>;
}

/** Creates a registry of shared directory watchers. */
export function createDirWatchers(): DirWatchers {
  const shared = new Map<string, Shared>();

  /** Subscribes `listener` to `dir`; false when the directory cannot be watched (yet). */
  function subscribe(dir: string, listener: () => void): boolean {
    let entry = shared.get(dir);
    if (!entry) {
      let watcher: FSWatcher;
      try {
        watcher = watch(dir, { persistent: false }, () => entry!.listeners.forEach((l) => l()));
      } catch {
        return false;
      }
      const created: Shared = { watcher, listeners: new Set() };
      entry = created;
      watcher.on('error', () => {
        watcher.close();
        if (shared.get(dir) === created) shared.delete(dir);
        // Subscribers look again, and re-subscribe on their next wait.
        created.listeners.forEach((l) => l());
        created.listeners.clear();
      });
      shared.set(dir, created);
    }
    entry.listeners.add(listener);
    return true;
  }

  function unsubscribe(dir: string, listener: () => void): void {
    const entry = shared.get(dir);
    if (!entry?.listeners.delete(listener) || entry.listeners.size > 0) return;
    entry.watcher.close();
    shared.delete(dir);
  }

  return {
    openCount: () => shared.size,
    watch(dirs, pollIntervalMs) {
      const subscribed = new Set<string>();
      let dirty = false;
      let events = 0;
      let wake: (() => void) | undefined;
      let closed = false;
      const changed = (): void => {
        dirty = true;
        events++;
        wake?.();
      };
      const ensureSubscribed = (): void => {
        for (const dir of dirs) {
          if (subscribed.has(dir) && shared.get(dir)?.listeners.has(changed)) continue;
          subscribed.delete(dir);
          if (subscribe(dir, changed)) {
            subscribed.add(dir);
            // Watching from now on: whatever happened before is unseen, so look once more.
            dirty = true;
          }
        }
      };
      return {
        async wait(timeoutMs, signal) {
          if (closed || signal.aborted) return;
          ensureSubscribed();
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
        eventCount: () => events,
        close() {
          closed = true;
          wake?.();
          for (const dir of subscribed) unsubscribe(dir, changed);
          subscribed.clear();
        },
      };
    },
  };
}
