/**
 * Start-up cleanup of what a crash can leave behind in a runs directory: half-staged working
 * directories (`<id>/work.staging-…`, never renamed into place) and run directories whose
 * workflow was never recorded (the process died between staging and the database insert, so no
 * client was ever told about them). Runs once before the server accepts calls.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Ids of workflow directories this sweep may consider; a 32-hex name, as the service creates. */
const WORKFLOW_DIR = /^[0-9a-f]{32}$/;

/** Removes leftovers under `runsDir`; returns the removed paths (for the log). */
export async function sweepOrphans(runsDir: string, isKnown: (workflowId: string) => boolean): Promise<string[]> {
  const removed: string[] = [];
  const entries = await readdir(runsDir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isDirectory() || !WORKFLOW_DIR.test(entry.name)) continue;
    const dir = join(runsDir, entry.name);
    if (!isKnown(entry.name)) {
      await rm(dir, { recursive: true, force: true });
      removed.push(dir);
      continue;
    }
    for (const inner of await readdir(dir).catch(() => [] as string[])) {
      if (!inner.includes('.staging-')) continue;
      await rm(join(dir, inner), { recursive: true, force: true });
      removed.push(join(dir, inner));
    }
  }
  return removed;
}
