/**
 * Whether local jobs can be confined here, for tests that need it (they skip with the reason
 * otherwise, and fail in CI, where scripts/install-bubblewrap.sh provides bubblewrap).
 */
import { chmodSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createJobSandbox, type JobSandboxKind } from '../../src/engines/local/job-sandbox.js';
import { scratch } from './fixtures.js';

/** The sandbox `auto` picks on this machine (runs its trial jobs once per call). */
export function autoSandboxKind(): JobSandboxKind {
  const dir = scratch('fsr-sandbox-');
  try {
    return createJobSandbox({ baseDir: join(dir, 'runs'), dataDir: dir }).kind;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Undefined when jobs can be confined (bwrap or namespaces); otherwise why not, for describeIfAvailable. */
export function confinementMissing(): string | undefined {
  return autoSandboxKind() === 'off' ? 'no job sandbox runs here (needs bubblewrap with user namespaces, or root for unshare)' : undefined;
}

/**
 * A folder where a test creates gate files that its jobs wait for (`while [ ! -f gate ]`). Jobs
 * are confined and see nothing of the host's /tmp, so the folder is readable by the job user and
 * `serverArgs` (`--job-read-only-paths`) mounts it read-only into each job's sandbox.
 */
export function jobGates(): { readonly dir: string; readonly serverArgs: readonly string[] } {
  const dir = scratch('fsr-gates-');
  chmodSync(dir, 0o755);
  return { dir, serverArgs: ['--job-read-only-paths', dir] };
}
