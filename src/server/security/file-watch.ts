/**
 * Notices when files change by polling their `stat` (size, mtime, inode), not with fs.watch:
 * certificate and token files are usually replaced by renaming a new file over the old one, or
 * by Kubernetes swapping a symlinked directory, and fs.watch follows the old inode and misses
 * both. Polling the path sees every kind of replacement and costs one stat per file per interval.
 */
import { stat } from 'node:fs/promises';

/** A running watch; `close()` stops the timer. */
export interface FileWatch {
  close(): void;
}

async function fingerprint(file: string): Promise<string> {
  try {
    const s = await stat(file);
    return `${s.size}:${s.mtimeMs}:${s.ino}`;
  } catch (err) {
    return `missing:${(err as NodeJS.ErrnoException).code ?? 'error'}`;
  }
}

/**
 * Calls `onChange` (at most one run at a time) when any of `files` looks different from the
 * last state `onChange` accepted, every `intervalMs`. The first check only records the current
 * state. When `onChange` resolves false (say, a half-written file), the change counts as not yet
 * seen and is retried on the next check. The timer is unref'd so that it never keeps the process
 * alive. `intervalMs` 0 watches nothing.
 */
export function watchFiles(files: readonly string[], intervalMs: number, onChange: () => Promise<boolean>): FileWatch {
  if (intervalMs <= 0 || files.length === 0) return { close() {} };
  let last: string | undefined;
  let running = false;
  const check = async () => {
    if (running) return;
    running = true;
    try {
      const now = (await Promise.all(files.map(fingerprint))).join('|');
      if (last === undefined || now === last || (await onChange())) last = now;
    } finally {
      running = false;
    }
  };
  void check();
  const timer = setInterval(() => void check(), intervalMs);
  timer.unref();
  return { close: () => clearInterval(timer) };
}
