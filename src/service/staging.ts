/**
 * Places a workflow's input files (static template files and file arguments) into its working
 * directory. Targets are confined to the directory: relative, no `..`, no empty or `.` segments,
 * no file that is also used as a folder. Files are copied from the content-addressed blob store
 * into a folder of the runs directory's incoming area, which is renamed into place only once the
 * workflow is recorded, so a failure never leaves a half-staged run directory.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { BlobStore } from '../store/blob-store.js';

/** One file to stage: its relative target and the blob holding its bytes. */
export interface StagedFile {
  readonly target: string;
  readonly sha256: string;
  /** The argument (parameter name) that placed it; absent for static files. */
  readonly argument?: string;
  /** The target folder of the folder argument it belongs to, if any. */
  readonly folder?: string;
}

/** Longest file or folder name Linux file systems accept (NAME_MAX), in bytes. */
export const NAME_MAX_BYTES = 255;

/** Why a target path is refused, or undefined when it is acceptable. */
export function checkRelativePath(path: string): string | undefined {
  if (path.length === 0) return 'path is empty';
  if (path.length > 1024) return 'path is longer than 1024 characters';
  if (path.includes('\0')) return 'path contains a NUL character';
  if (path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path)) return 'path must be relative';
  if (path.includes('\\')) return "path must use '/' as separator";
  const segments = path.split('/');
  if (segments.some((s) => s === '..')) return "path must not contain '..'";
  if (segments.some((s) => s === '' || s === '.')) return "path must not contain empty or '.' segments";
  if (segments.some((s) => Buffer.byteLength(s) > NAME_MAX_BYTES)) return `path has a segment longer than ${NAME_MAX_BYTES} bytes (the file system's name limit)`;
  return undefined;
}

/**
 * Finds targets that clash: the same target twice with different content, or a target that is
 * also a parent folder of another. Returns one message per clashing target. Static files that an
 * argument replaces must be removed first (see {@link applyReplacements}).
 */
export function findTargetConflicts(files: readonly StagedFile[]): Map<string, string> {
  const conflicts = new Map<string, string>();
  const byTarget = new Map<string, string>();
  for (const f of files) {
    const seen = byTarget.get(f.target);
    if (seen !== undefined && seen !== f.sha256) conflicts.set(f.target, `two different files target '${f.target}'`);
    byTarget.set(f.target, f.sha256);
  }
  for (const target of byTarget.keys()) {
    const parts = target.split('/');
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      if (byTarget.has(parent)) conflicts.set(parent, `'${parent}' is both a file and the folder of '${target}'`);
    }
  }
  return conflicts;
}

/**
 * flowServ's staging order (FLOWSERV.md §7.3): static files first, then file arguments, so an
 * argument whose target is a static file's path replaces that static file. Returns the files to
 * stage with the replaced static files left out.
 */
export function applyReplacements(staticFiles: readonly StagedFile[], argumentFiles: readonly StagedFile[]): StagedFile[] {
  const argumentTargets = new Set(argumentFiles.map((f) => f.target));
  return [...staticFiles.filter((f) => !argumentTargets.has(f.target)), ...argumentFiles];
}

/** Creates `dir` and its missing parents one plain mkdir at a time, so the error names the real cause (EROFS). */
async function mkdirEach(dir: string): Promise<void> {
  const parent = dirname(dir);
  if (parent !== dir && !existsSync(parent)) await mkdirEach(parent);
  await mkdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
  });
}

/**
 * Creates `workDir` holding exactly `files` (and the empty `directories`). The targets must have passed checkRelativePath and
 * findTargetConflicts. Identical duplicates are staged once. `workDir` must not exist and must lie inside a
 * folder that is still private to this creation (the runs directory's incoming area, see sweep-orphans.ts): the
 * caller removes that folder on failure and renames it into place only after the workflow is recorded.
 * With nothing to place, only that folder is made: the engines create the (empty) working directory when they
 * submit the job, so a workflow without inputs costs its creation one directory, not two.
 */
export async function stageWorkDir(
  workDir: string,
  files: readonly StagedFile[],
  blobs: BlobStore,
  directories: readonly string[] = [],
): Promise<void> {
  await mkdir(dirname(workDir), { recursive: true }).catch(async (err: NodeJS.ErrnoException) => {
    // A recursive mkdir on a read-only file system reports ENOENT; plain ones say EROFS.
    if (err.code !== 'ENOENT') throw err;
    await mkdirEach(dirname(workDir));
  });
  if (files.length === 0 && directories.length === 0) return;
  await mkdir(workDir);
  for (const dir of directories) await mkdir(join(workDir, ...dir.split('/')), { recursive: true });
  for (const f of files) {
    const dest = join(workDir, ...f.target.split('/'));
    await mkdir(dirname(dest), { recursive: true });
    await blobs.copyTo(f.sha256, dest);
  }
}
