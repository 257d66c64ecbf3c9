/**
 * Removing a benchmark's temporary folders. Jobs outlive the server that started them (by design:
 * a restart loses nothing), so a job still running when a benchmark stops its server would go on
 * after the run, waiting on its gate or writing into a folder being removed: everything still
 * working under the folder is killed first (the reaper the tests' teardown uses).
 */
import { rm } from 'node:fs/promises';
import { killProcessesUsing } from '../test/support/processes.js';

/** Kills what still works under `dir`, then removes it (retrying while the last writers let go). */
export async function removeDataDir(dir: string): Promise<void> {
  await killProcessesUsing(dir);
  await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
}
