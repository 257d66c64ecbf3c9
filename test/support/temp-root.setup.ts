/**
 * Runs before every test file of the main project (vitest `setupFiles`). The file gets a
 * temporary root of its own: TMPDIR points there, so every scratch folder, data directory and job
 * run directory the file creates lies under it, and so do those of the servers and benchmark
 * processes it spawns (they inherit the variable). After the file's own teardown, every process
 * still working under the root is killed: the jobs of servers the file stopped or SIGKILLed (jobs
 * outlive their server by design), gated jobs a failed test never released, a forgotten server.
 * A process that survives its kill fails the file; the root is removed.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { describeProcesses, killProcessesUsing } from './processes.js';

// Readable by the job user: jobs run as another user when the tests run as root.
const root = mkdtempSync(join(tmpdir(), 'fsr-file-'));
chmodSync(root, 0o755);
const before = process.env.TMPDIR;
process.env.TMPDIR = root;

// The fixtures come first (vitest wants them destructured); the file's suite second.
afterAll(async ({}, suite) => {
  const file = (suite as { filepath?: string }).filepath ?? 'the test file';
  if (before === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = before;
  const { killed, survivors } = await killProcessesUsing(root);
  // Not a failure (a test that SIGKILLs its server leaves its jobs by design), but worth seeing.
  if (killed.length > 0) process.stderr.write(`killed ${killed.length} processes ${file} left running under ${root}:\n${describeProcesses(killed)}\n`);
  try {
    rmSync(root, { recursive: true, force: true, maxRetries: 3 });
  } catch (err) {
    // A file system a test mounted and could not unmount: its own failure says why.
    process.stderr.write(`could not remove ${root}: ${(err as Error).message}\n`);
  }
  if (survivors.length > 0) throw new Error(`processes ${file} left under ${root} survived SIGKILL:\n${describeProcesses(survivors)}`);
});
