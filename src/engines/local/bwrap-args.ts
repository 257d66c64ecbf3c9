/**
 * The bubblewrap (`bwrap`) command line that confines one local job. The job gets a new root
 * built from scratch: the system's programs and libraries and /etc read-only (plus any folder
 * the operator adds), a fresh /dev, a private /proc (its own processes only), an empty /tmp, and
 * its own working and control directories read-write at their real paths, so the runner and the
 * server agree on every path. Nothing else of the host exists inside: not the data directory (the
 * database, the blob store, other runs), not the server's secrets (a secret that lies under a
 * read-only folder, such as a token file in /etc, is covered by an empty file), not /root or
 * /home. Its own user, PID, IPC and UTS namespaces; the network is shared unless turned off.
 * The runner is PID 1 of the job's PID namespace (`--as-pid-1`): when it exits the kernel ends
 * every process the job left behind, as with the `unshare` fallback (job-namespace.ts).
 */
import { lstatSync, readlinkSync, statSync } from 'node:fs';
import { relative, isAbsolute } from 'node:path';

/** Where Debian's bubblewrap package installs the program. */
export const BWRAP = '/usr/bin/bwrap';

/** The system folders a job sees read-only when they exist: programs, libraries, configuration. */
export const SYSTEM_READ_ONLY_PATHS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/etc'] as const;

/** What bwrapArgs needs to know about the host, resolved once (see resolveHostLayout). */
export interface HostLayout {
  /** `[path, target]` of top-level folders that are symbolic links (/bin → usr/bin on merged-/usr systems). */
  readonly links: ReadonlyArray<readonly [string, string]>;
  /** Existing folders (or files) to bind read-only. */
  readonly readOnly: readonly string[];
  /** Secrets (files or folders) inside a read-only folder: covered inside the sandbox. */
  readonly covered: ReadonlyArray<{ readonly path: string; readonly directory: boolean }>;
}

function isInside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Looks at the host once: which system folders exist (and which are links), and which of the
 * `hidden` paths (data directory, token file, TLS key, …) a read-only folder would expose.
 */
export function resolveHostLayout(extraReadOnly: readonly string[], hidden: readonly string[]): HostLayout {
  const links: Array<readonly [string, string]> = [];
  const readOnly: string[] = [];
  for (const path of [...SYSTEM_READ_ONLY_PATHS, ...extraReadOnly]) {
    try {
      if (lstatSync(path).isSymbolicLink() && SYSTEM_READ_ONLY_PATHS.includes(path as never)) links.push([path, readlinkSync(path)]);
      else readOnly.push(path);
    } catch {
      // not on this system
    }
  }
  const covered: Array<{ path: string; directory: boolean }> = [];
  for (const path of hidden) {
    if (!readOnly.some((root) => isInside(path, root))) continue;
    try {
      covered.push({ path, directory: statSync(path).isDirectory() });
    } catch {
      // nothing there to hide
    }
  }
  return { links, readOnly, covered };
}

/** One job's directories and the sandbox choices. */
export interface BwrapJob {
  readonly workDir: string;
  readonly controlDir: string;
  /** False: no network at all inside (not even the host's loopback). */
  readonly network: boolean;
}

/** The bwrap arguments before the program to run (which follows a `--`). */
export function bwrapArgs(host: HostLayout, job: BwrapJob): string[] {
  // No --die-with-parent: it would end the job with the process that started bwrap (the spawner,
  // the server), and a job must outlive both.
  const args = ['--unshare-user', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try', '--as-pid-1'];
  if (!job.network) args.push('--unshare-net');
  // Later mounts go on top of earlier ones: /tmp first, so that a read-only folder under it stays.
  args.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp');
  for (const path of host.readOnly) args.push('--ro-bind', path, path);
  for (const [path, target] of host.links) args.push('--symlink', target, path);
  for (const { path, directory } of host.covered) args.push(...(directory ? ['--tmpfs', path] : ['--ro-bind', '/dev/null', path]));
  // The control directory first: the working directory may lie inside it (then re-bound, harmless).
  args.push('--bind', job.controlDir, job.controlDir, '--bind', job.workDir, job.workDir, '--chdir', job.workDir);
  return args;
}
