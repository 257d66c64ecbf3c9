/**
 * Start-up cleanup of what a crash can leave behind in a runs directory. CreateWorkflow stages a
 * run directory under the runs directory's incoming area (`.incoming/<id>`), records the workflow,
 * and only then renames the directory into place (`<id>`). So every crash leftover sits in the
 * incoming area, whose size is bounded by the creations in flight at the crash, never by history:
 * start-up reads that one folder instead of every run directory. An entry whose workflow was never
 * recorded (no client was told about it) is removed; one whose workflow was recorded is moved into
 * place, so the workflow runs as accepted.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Ids of workflow directories this sweep may consider; a 32-hex name, as the service creates. */
const WORKFLOW_DIR = /^[0-9a-f]{32}$/;

/** Name of the incoming area inside a runs directory (not a workflow id, so never clashes with one). */
const INCOMING = '.incoming';

/** Where a workflow's run directory is staged before its workflow is recorded. */
export function incomingDirOf(runsDir: string, workflowId: string): string {
  return join(runsDir, INCOMING, workflowId);
}

/** What a sweep did, for the log. */
export interface SweepResult {
  /** Leftovers of creations that were never recorded, removed. */
  readonly removed: string[];
  /** Run directories of recorded workflows moved out of the incoming area. */
  readonly restored: string[];
}

/**
 * The layout before the incoming area (staging beside each run directory) could leave leftovers
 * anywhere in the runs directory; this full scan runs once, on the first start that finds no
 * incoming area.
 */
async function sweepLegacyLayout(runsDir: string, isKnown: (workflowId: string) => Promise<boolean>, removed: string[]): Promise<void> {
  const entries = await readdir(runsDir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isDirectory() || !WORKFLOW_DIR.test(entry.name)) continue;
    const dir = join(runsDir, entry.name);
    if (!(await isKnown(entry.name))) {
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
}

/** Settles the leftovers under `runsDir` (see the module comment); runs before the server accepts calls. */
export async function sweepOrphans(runsDir: string, isKnown: (workflowId: string) => Promise<boolean>): Promise<SweepResult> {
  const result: SweepResult = { removed: [], restored: [] };
  const incoming = join(runsDir, INCOMING);
  if (!existsSync(incoming)) {
    await sweepLegacyLayout(runsDir, isKnown, result.removed);
    await mkdir(incoming, { recursive: true });
    return result;
  }
  for (const name of await readdir(incoming)) {
    const staged = join(incoming, name);
    if (WORKFLOW_DIR.test(name) && (await isKnown(name)) && !existsSync(join(runsDir, name))) {
      await rename(staged, join(runsDir, name));
      result.restored.push(join(runsDir, name));
    } else {
      await rm(staged, { recursive: true, force: true });
      result.removed.push(staged);
    }
  }
  return result;
}
