/**
 * Cheap checks of a job's logs while it prints in bulk. A full listing reads the control
 * directory and takes a stat of every log (several trips through libuv's thread pool, each
 * waking the server); while a command prints in bulk, the file that grew at the last check is
 * the one that grows, so the shared reader (log-tail.ts) takes a stat of it alone, and lists the
 * directory again only now and then (new commands, truncation marks) or once it stops growing.
 */
import { stat } from 'node:fs/promises';
import type { LogFileInfo } from '../../engines/runner/job-logs.js';

/** A fingerprint of a listing: what a follower could read or be told differs when it changes. */
export function fingerprint(files: readonly LogFileInfo[]): string {
  return files.map((f) => `${f.path}:${f.sizeBytes}:${f.droppedBytes ?? ''}`).join('|');
}

/** Paths of the files of `after` that are new or larger than in `before`. */
export function grownPaths(before: readonly LogFileInfo[], after: readonly LogFileInfo[]): Set<string> {
  const sizes = new Map(before.map((f) => [f.path, f.sizeBytes]));
  return new Set(after.filter((f) => f.sizeBytes > (sizes.get(f.path) ?? -1)).map((f) => f.path));
}

/**
 * `files` with the sizes of those at `paths` taken again (one stat each, together), or undefined
 * when one of them cannot be read (the caller lists the directory instead).
 */
export async function restat(files: readonly LogFileInfo[], paths: ReadonlySet<string>): Promise<LogFileInfo[] | undefined> {
  const fresh = await Promise.all(
    files.map(async (f) => {
      if (!paths.has(f.path)) return f;
      const info = await stat(f.path).catch(() => undefined);
      return info ? { ...f, sizeBytes: info.size } : undefined;
    }),
  );
  return fresh.every((f) => f !== undefined) ? (fresh as LogFileInfo[]) : undefined;
}
