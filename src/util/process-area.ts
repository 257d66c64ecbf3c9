/**
 * Scratch areas of one server process inside directories that several replicas share (the
 * runs directories' incoming area, the blob store's `tmp/`): each process writes only under
 * `<dir>/<replica name>@<random>/`, a name no other process uses. Start-up cleanup then never
 * touches what a live replica is staging or uploading:
 *
 * - an area of the same replica name belongs to an earlier process of this replica (the pod
 *   restarted; one process per replica name), so it is surely dead: everything in it is a leftover;
 * - an area of another replica name may belong to a live replica: only entries untouched for
 *   STALE_AFTER_MS are leftovers (of a replica that died and never came back under that name,
 *   as after a rescheduled pod); a staging or an upload in progress touches its files far more
 *   often than that.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Entries of another replica's area untouched for this long (1 h) are leftovers of a dead process. */
export const STALE_AFTER_MS = 60 * 60 * 1000;

/** Separates the replica name from the per-process part; never in a sanitised replica name. */
const SEPARATOR = '@';

/**
 * A new area name for this process: the replica name (characters other than letters, digits,
 * `.`, `_` and `-` replaced by `_`, so it is one safe path segment) plus a random suffix.
 */
export function processAreaName(replicaName: string): string {
  const safe = replicaName.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100) || '_';
  return `${safe}${SEPARATOR}${randomBytes(4).toString('hex')}`;
}

/** The replica name part of an area name, or undefined when `name` is no area name. */
export function replicaOfArea(name: string): string | undefined {
  const at = name.lastIndexOf(SEPARATOR);
  return at > 0 && /^[0-9a-f]{8}$/.test(name.slice(at + 1)) ? name.slice(0, at) : undefined;
}

/** Another process's area found under a shared directory. */
export interface ForeignArea {
  readonly path: string;
  /** True for an earlier process of this replica: all of it may go. */
  readonly ownerGone: boolean;
}

/**
 * Areas under `dir` other than `ownArea` (entries that are no area names are left out). Reads
 * synchronously: it runs once, at start-up, before anything is served.
 */
export function foreignAreas(dir: string, ownArea: string): ForeignArea[] {
  const own = replicaOfArea(ownArea);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const replica = replicaOfArea(name);
    if (name === ownArea || replica === undefined) return [];
    return [{ path: join(dir, name), ownerGone: replica === own }];
  });
}

/** Whether `path` last changed more than STALE_AFTER_MS before `nowMs` (a vanished path is not stale: nothing to do). */
export function isStale(path: string, nowMs: number): boolean {
  const info = statSync(path, { throwIfNoEntry: false });
  return info !== undefined && nowMs - info.mtimeMs > STALE_AFTER_MS;
}
