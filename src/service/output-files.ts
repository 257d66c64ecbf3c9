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

/** An output opened for collection. */
interface OpenedOutput {
  readonly key: string;
  readonly handle: FileHandle;
  readonly sizeBytes: number;
}

/** Opens the output `key` without following links; a problem message when it is not safe to collect. */
async function openOutput(root: string, key: string): Promise<OpenedOutput | string> {
  let real: string;
  try {
    real = await realpath(join(root, ...key.split('/')));
  } catch {
    return `missing output file '${key}'`;
  }
  if (!isInside(root, real)) return `output file '${key}' resolves outside the working directory`;
  let handle: FileHandle;
  try {
    handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return `output file '${key}' changed while it was being collected`;
  }
  const stat = await handle.stat();
  const opened = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => undefined);
  const problem = !stat.isFile()
    ? `output '${key}' is not a regular file`
    : opened !== real
      ? `output file '${key}' changed while it was being collected`
      : undefined;
  if (problem === undefined) return { key, handle, sizeBytes: stat.size };
  await handle.close();
  return problem;
}

/**
 * Stores every declared output of `workDir` in `blobs`, or nothing: any problem, or outputs
 * totalling more than `maxBytes`, is reported and no output is stored.
 */
export async function collectOutputFiles(
  workDir: string,
  keys: readonly string[],
  blobs: BlobStore,
  maxBytes = Number.POSITIVE_INFINITY,
): Promise<CollectedOutputs> {
  const root = await realpath(workDir);
  const opened: OpenedOutput[] = [];
  const messages: string[] = [];
  try {
    for (const key of keys) {
      const result = await openOutput(root, key);
      if (typeof result === 'string') messages.push(result);
      else opened.push(result);
    }
    const total = opened.reduce((sum, o) => sum + o.sizeBytes, 0);
    if (total > maxBytes) messages.push(`output files total ${total} bytes, over this server's limit of ${maxBytes} bytes per workflow`);
    if (messages.length > 0) return { ok: false, messages };
    const files: OutputFileRecord[] = [];
    for (const o of opened) {
      const stored = await blobs.ingest(o.handle.createReadStream({ autoClose: false, end: Math.max(0, o.sizeBytes - 1) }), { sizeBytes: o.sizeBytes });
      files.push({ key: o.key, sizeBytes: stored.sizeBytes, sha256: stored.sha256 });
    }
    return { ok: true, files };
  } finally {
    await Promise.all(opened.map((o) => o.handle.close()));
  }
}
