/**
 * Collects a successful job's declared output files into the blob store. flowServ only
 * discovers a missing output later and leaves the run stuck (FLOWSERV.md §12.6); here a missing
 * file, a non-regular file or a path that leaves the working directory (for example through a
 * symlink the job created) ends the workflow in ERROR with a message naming the file.
 *
 * Each file is read through a descriptor opened without following links (O_NOFOLLOW) on its
 * resolved path, and the descriptor's own path (/proc/self/fd) must be that resolved path: a job
 * that swaps a link between the check and the read (outputs are collected after the job's
 * processes are gone, but a job could leave a helper behind where that is not enforced) gets its
 * output refused, never a file outside its working directory stored.
 */
import { constants } from 'node:fs';
import { open, readlink, realpath, type FileHandle } from 'node:fs/promises';
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

/** Opens `real` without following links and stores it; returns a problem message instead when it is not safe. */
async function ingestOpened(real: string, key: string, blobs: BlobStore, files: OutputFileRecord[]): Promise<string | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return `output file '${key}' changed while it was being collected`;
  }
  try {
    if (!(await handle.stat()).isFile()) return `output '${key}' is not a regular file`;
    const opened = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => undefined);
    if (opened !== real) return `output file '${key}' changed while it was being collected`;
    const stored = await blobs.ingest(handle.createReadStream({ autoClose: false }));
    files.push({ key, sizeBytes: stored.sizeBytes, sha256: stored.sha256 });
    return undefined;
  } finally {
    await handle.close();
  }
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
    const problem = await ingestOpened(real, key, blobs, files);
    if (problem) messages.push(problem);
  }
  return messages.length > 0 ? { ok: false, messages } : { ok: true, files };
}
