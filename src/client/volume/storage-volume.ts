/**
 * flowServ's StorageVolume contract (FLOWSERV.md §8) and its copy semantics, shared by every
 * volume type. Keys are relative and `/`-separated; `walk` returns keys relative to the volume
 * root and one entry for a single file (the behaviour of flowServ's fs volume).
 */
import type { IOHandle } from './io-handle.js';

/** `{type, id, args: [{key, value}]}`, flowServ's volume serialization. */
export interface VolumeDoc {
  readonly type: string;
  readonly id: string;
  readonly args: readonly { readonly key: string; readonly value: string }[];
}

/** A file-system-like store for workflow files. */
export interface StorageVolume {
  /** Unique id (defaults to a new uuid4 hex). */
  readonly identifier: string;
  /** Releases connections; a no-op for local volumes. */
  close(): void;
  /** Copies files or folders to `store`; see {@link copyFiles}. Returns the destination keys. */
  copy(src: string | readonly string[] | null | undefined, store: StorageVolume, dst?: string | null): Promise<string[]>;
  /** Deletes a file or folder; a missing key is a no-op. */
  delete(key: string): Promise<void>;
  /** Short text for display. */
  describe(): string;
  /** Removes the volume's base directory itself. */
  erase(): Promise<void>;
  /** A volume rooted at the sub-folder `key` (null identifier: a new uuid). */
  getStoreForFolder(key: string, identifier?: string | null): StorageVolume;
  /** The file at `key`; throws UnknownFileError when it does not exist. */
  load(key: string): IOHandle;
  /** Creates a folder (and its parents); idempotent. */
  mkdir(path: string): Promise<void>;
  /** Writes `file` at `dst`, creating parent folders. */
  store(file: IOHandle, dst: string): Promise<void>;
  /** Serialization for {@link VolumeDoc}-based factories. */
  toDict(): VolumeDoc;
  /**
   * Files under `src`: one entry for a file, all files below a folder (recursively, empty
   * folders skipped), [] for a missing path; null or '' means the whole volume.
   */
  walk(src?: string | null): Promise<[string, IOHandle][]>;
}

/** Joins key segments with `/`, ignoring empty ones. */
export function joinKey(...parts: (string | null | undefined)[]): string {
  return parts.filter((p): p is string => p !== undefined && p !== null && p !== '').join('/');
}

/**
 * flowServ's `copy_files`. For each source path: if its walk gives exactly one entry whose key
 * is the path, it is a file, stored at `dst` if given, else at the same key. Otherwise it is a
 * folder: the `path/` prefix is stripped from every key and the rest placed under `dst` if given,
 * else at the root (`copy('examples')` gives `B.json`, `data/data.json`). A null (or '') source
 * copies the whole volume keeping the keys (under `dst` when given). Returns the destination keys.
 */
export async function copyFiles(
  src: string | readonly string[] | null | undefined,
  source: StorageVolume,
  target: StorageVolume,
  dst?: string | null,
): Promise<string[]> {
  const paths: (string | null)[] = src === null || src === undefined ? [null] : typeof src === 'string' ? [src] : [...src];
  const copied: string[] = [];
  for (const raw of paths) {
    const path = raw === null || raw === '' ? null : raw.replace(/\/+$/, '');
    const files = await source.walk(path);
    if (path !== null && files.length === 1 && files[0]![0] === path) {
      const key = dst ? dst : path;
      await target.store(files[0]![1], key);
      copied.push(key);
      continue;
    }
    const prefix = path === null ? '' : `${path}/`;
    for (const [key, file] of files) {
      const rel = key.startsWith(prefix) ? key.slice(prefix.length) : key;
      const out = joinKey(dst, rel);
      await target.store(file, out);
      copied.push(out);
    }
  }
  return copied;
}
