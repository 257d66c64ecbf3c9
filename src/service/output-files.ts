/**
 * Collects a successful job's declared output files into the blob store. flowServ only
 * discovers a missing output later and leaves the run stuck (FLOWSERV.md §12.6); here a missing
 * file, a non-regular file or a path that leaves the working directory (for example through a
 * symlink the job created) ends the workflow in ERROR with a message naming the file.
 */
import { lstat, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { BlobStore } from '../store/blob-store.js';
import type { OutputFileRecord } from '../store/records.js';

/** Either every output, stored, or the problems found. */
export type CollectedOutputs =
  | { readonly ok: true; readonly files: OutputFileRecord[] }
  | { readonly ok: false; readonly messages: string[] };

/** True when `child` is `parent` or lies below it. */
export function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** Stores every declared output of `workDir` in `blobs`; reports each problem. */
export async function collectOutputFiles(
  workDir: string,
  keys: readonly string[],
  blobs: BlobStore,
): Promise<CollectedOutputs> {
  const files: OutputFileRecord[] = [];
  const messages: string[] = [];
  const root = await realpath(workDir);
  for (const key of keys) {
    const path = join(root, ...key.split('/'));
    let real: string;
    try {
      real = await realpath(path);
    } catch {
      messages.push(`missing output file '${key}'`);
      continue;
    }
    if (!isInside(root, real)) {
      messages.push(`output file '${key}' resolves outside the working directory`);
      continue;
    }
    if (!(await lstat(real)).isFile()) {
      messages.push(`output '${key}' is not a regular file`);
      continue;
    }
    const stored = await blobs.ingestFile(real);
    files.push({ key, sizeBytes: stored.sizeBytes, sha256: stored.sha256 });
  }
  return messages.length > 0 ? { ok: false, messages } : { ok: true, files };
}
