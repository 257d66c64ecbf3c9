import { existsSync, mkdirSync, mkdtempSync, readdirSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { incomingDirOf, sweepOrphans } from '../../../src/service/sweep-orphans.js';
import { processAreaName } from '../../../src/util/process-area.js';

const hex = (c: string) => c.repeat(32);
const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000);

/** A runs directory with an incoming area, as a server that has started once leaves it. */
function runsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sweep-'));
  mkdirSync(join(dir, '.incoming'));
  return dir;
}

function stage(runs: string, area: string, workflowId: string, ageHours?: number): string {
  const staged = incomingDirOf(runs, area, workflowId);
  mkdirSync(join(staged, 'work'), { recursive: true });
  if (ageHours !== undefined) utimesSync(staged, hoursAgo(ageHours), hoursAgo(ageHours));
  return staged;
}

describe('sweepOrphans with several replicas on one runs directory', () => {
  it('settles whole what earlier processes of this replica left: unrecorded removed, recorded moved into place', async () => {
    const runs = runsDir();
    const earlier = processAreaName('pod-a');
    const unrecorded = stage(runs, earlier, hex('1'));
    stage(runs, earlier, hex('2'));
    const me = processAreaName('pod-a');
    const result = await sweepOrphans(runs, async (id) => id === hex('2'), { area: me });
    expect(result.removed).toEqual([unrecorded]);
    expect(result.restored).toEqual([join(runs, hex('2'))]);
    expect(existsSync(join(runs, hex('2'), 'work'))).toBe(true);
    expect(readdirSync(join(runs, '.incoming'))).toEqual([me]); // the earlier process's part is gone, this one's is ready
  });

  it('leaves what another replica is staging, recorded or not, and settles only its entries untouched for an hour', async () => {
    const runs = runsDir();
    const other = processAreaName('pod-b');
    const inFlight = stage(runs, other, hex('3'));
    const recordedInFlight = stage(runs, other, hex('4')); // recorded, about to be renamed by its replica
    const abandoned = stage(runs, other, hex('5'), 2);
    const abandonedRecorded = stage(runs, other, hex('6'), 2);
    const result = await sweepOrphans(runs, async (id) => id === hex('4') || id === hex('6'), { area: processAreaName('pod-a') });
    expect(existsSync(inFlight)).toBe(true);
    expect(existsSync(recordedInFlight)).toBe(true);
    expect(existsSync(join(runs, hex('4')))).toBe(false);
    expect(result.removed).toEqual([abandoned]);
    expect(result.restored).toEqual([join(runs, hex('6'))]);
    expect(existsSync(abandonedRecorded)).toBe(false);
  });

  it('removes another replica\'s part only once it is empty and untouched for an hour', async () => {
    const runs = runsDir();
    const idle = join(runs, '.incoming', processAreaName('pod-c'));
    const dead = join(runs, '.incoming', processAreaName('pod-d'));
    mkdirSync(idle);
    mkdirSync(dead);
    utimesSync(dead, hoursAgo(2), hoursAgo(2));
    const busyButOld = join(stage(runs, processAreaName('pod-e'), hex('7')), '..');
    utimesSync(busyButOld, hoursAgo(2), hoursAgo(2));
    await sweepOrphans(runs, async () => false, { area: processAreaName('pod-a') });
    expect(existsSync(idle)).toBe(true);
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(join(busyButOld, hex('7')))).toBe(true); // its entry is fresh: its replica is alive
  });

  it('settles staged directories of the single-process layout whole', async () => {
    const runs = runsDir();
    const flat = join(runs, '.incoming', hex('8'));
    mkdirSync(join(flat, 'work'), { recursive: true });
    const result = await sweepOrphans(runs, async () => false, { area: processAreaName('pod-a') });
    expect(result.removed).toEqual([flat]);
  });
});
