import { describe, expect, it } from 'vitest';
import { checkJobDirs, fromHandle, toHandle } from '../../../../src/engines/local/local-handle.js';
import { EngineRejectedError } from '../../../../src/engines/types.js';

describe('local job handle', () => {
  const job = { pid: 4242, startTicks: 987654, submittedAt: new Date('2026-01-02T03:04:05.678Z'), workDir: '/w', controlDir: '/c' };

  it('round-trips through JSON, as the store keeps it', () => {
    const handle = toHandle(job);
    expect(handle).toEqual({
      engine: 'local',
      externalId: '4242',
      workDir: '/w',
      controlDir: '/c',
      data: { startTicks: 987654, submittedAt: '2026-01-02T03:04:05.678Z' },
    });
    expect(fromHandle(JSON.parse(JSON.stringify(handle)))).toEqual(job);
  });

  it('rejects handles that cannot identify a local job', () => {
    const good = toHandle(job);
    for (const bad of [
      { ...good, engine: 'slurm' },
      { ...good, externalId: '0' },
      { ...good, externalId: '12abc' },
      { ...good, data: {} },
      { ...good, data: { startTicks: '5' } },
      { ...good, controlDir: 'relative' },
    ]) {
      expect(() => fromHandle(bad)).toThrow(EngineRejectedError);
    }
  });

  it('accepts sibling job directories and rejects a control dir inside the work dir', () => {
    expect(() => checkJobDirs('/runs/1/work', '/runs/1/control')).not.toThrow();
    expect(() => checkJobDirs('/runs/1/work', '/runs/1/work-control')).not.toThrow();
    expect(() => checkJobDirs('/runs/1/work', '/runs/1/work/ctl')).toThrow(EngineRejectedError);
    expect(() => checkJobDirs('/runs/1/work', '/runs/1/work')).toThrow(EngineRejectedError);
  });
});
