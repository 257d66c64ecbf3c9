/**
 * The test run's temporary root (vitest `globalSetup`): every test file's own root
 * (temp-root.setup.ts) lies under it, because TMPDIR points there before the workers start. At the
 * end of the run, a process still working under it escaped its file's reaping (started after the
 * file ended, or in a folder the file did not own): it is killed and the run fails, naming it.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeProcesses, killProcessesUsing } from './processes.js';

export default function setup(): () => Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'fsr-vitest-'));
  chmodSync(root, 0o755);
  const before = process.env.TMPDIR;
  process.env.TMPDIR = root;
  return async () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    const { killed } = await killProcessesUsing(root);
    try {
      rmSync(root, { recursive: true, force: true, maxRetries: 3 });
    } catch (err) {
      process.stderr.write(`could not remove ${root}: ${(err as Error).message}\n`);
    }
    if (killed.length > 0) throw new Error(`processes left running under ${root} after every test file ended (killed now):\n${describeProcesses(killed)}`);
  };
}
