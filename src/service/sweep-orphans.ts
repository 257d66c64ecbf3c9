/**
 * Start-up cleanup of what a crash can leave behind in a runs directory. CreateWorkflow stages a
 * run directory under the runs directory's incoming area, in this process's own part of it
 * (`.incoming/<replica>@<random>/<id>`, see src/util/process-area.ts), records the workflow, and
 * only then renames the directory into place (`<id>`). So every crash leftover sits in the
 * incoming area, whose size is bounded by the creations in flight at the crash, never by history:
 * start-up reads that one folder instead of every run directory. A leftover whose workflow was
 * never recorded (no client was told about it) is removed; one whose workflow was recorded is
 * moved into place, so the workflow runs as accepted.
 *
 * Several replicas may share the runs directory (Slurm run directories on a shared volume). What
 * another replica is staging right now must survive this replica's start: the parts of earlier
 * processes of this replica are settled whole, those of other replicas only in entries untouched
 * for an hour, and staged directories of the single-process layout (`.incoming/<id>`) whole.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { foreignAreas, isStale, replicaOfArea } from '../util/process-area.js';

/** Ids of workflow directories this sweep may consider; a 32-hex name, as the service creates. */
const WORKFLOW_DIR = /^[0-9a-f]{32}$/;

/** Name of the incoming area inside a runs directory (not a workflow id, so never clashes with one). */
const INCOMING = '.incoming';

/** Where this process (area `area`) stages a workflow's run directory before the workflow is recorded. */
export function incomingDirOf(runsDir: string, area: string, workflowId: string): string {
  return join(runsDir, INCOMING, area, workflowId);
}

/** Options of sweepOrphans. */
export interface SweepOptions {
  /** This process's area name (processAreaName): its own staging, never swept. */
  readonly area: string;
  /** The clock, in epoch ms (default Date.now), for the age of other replicas' entries. */
  readonly now?: () => number;
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

/** Moves a staged directory of a recorded workflow into place, or removes it. */
async function settle(name: string, staged: string, runsDir: string, isKnown: (workflowId: string) => Promise<boolean>, result: SweepResult): Promise<void> {
  if (WORKFLOW_DIR.test(name) && (await isKnown(name)) && !existsSync(join(runsDir, name))) {
    await rename(staged, join(runsDir, name));
    result.restored.push(join(runsDir, name));
  } else {
    await rm(staged, { recursive: true, force: true });
    result.removed.push(staged);
  }
}

/** Settles the leftovers under `runsDir` (see the module comment); runs before the server accepts calls. */
export async function sweepOrphans(runsDir: string, isKnown: (workflowId: string) => Promise<boolean>, options: SweepOptions): Promise<SweepResult> {
  const result: SweepResult = { removed: [], restored: [] };
  const incoming = join(runsDir, INCOMING);
  const now = options.now ?? Date.now;
  if (!existsSync(incoming)) {
    await sweepLegacyLayout(runsDir, isKnown, result.removed);
    await mkdir(join(incoming, options.area), { recursive: true });
    return result;
  }
  for (const name of await readdir(incoming)) {
    // Areas are handled below; anything else is of the single-process layout (or a stray file).
    if (replicaOfArea(name) === undefined) await settle(name, join(incoming, name), runsDir, isKnown, result);
  }
  for (const area of foreignAreas(incoming, options.area)) {
    for (const name of await readdir(area.path).catch(() => [] as string[])) {
      const staged = join(area.path, name);
      if (area.ownerGone || isStale(staged, now())) await settle(name, staged, runsDir, isKnown, result);
    }
    // Only an empty area goes, and only one its owner cannot be using (staging recreates its own).
    if (area.ownerGone || isStale(area.path, now())) await rmdir(area.path).catch(() => undefined);
  }
  await mkdir(join(incoming, options.area), { recursive: true });
  return result;
}
