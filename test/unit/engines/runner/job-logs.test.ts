import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listLogFiles, readStepRecords } from '../../../../src/engines/runner/job-logs.js';

describe('reading what the job runner records', () => {
  it('parses step starts and ends, skipping cut or malformed lines', async () => {
    const ctl = mkdtempSync(join(tmpdir(), 'fsr-ctl-'));
    writeFileSync(
      join(ctl, 'progress'),
      [
        'start 0 2026-12-01T10:00:00.000Z',
        'end 0 0 2026-12-01T10:00:01.500Z',
        'start 1 2026-12-01T10:00:01.600Z',
        'end 1 not-a-code 2026-12-01T10:00:02.000Z',
        'garbage',
        'end 7 0 2026-12-01T10:00:02.000Z',
        'start 2 2026-12-01T10:00:0', // cut while being written
      ].join('\n'),
    );
    expect(await readStepRecords(ctl)).toEqual([
      { step: 0, startedAt: new Date('2026-12-01T10:00:00.000Z'), end: { exitCode: 0, at: new Date('2026-12-01T10:00:01.500Z') } },
      { step: 1, startedAt: new Date('2026-12-01T10:00:01.600Z') },
    ]);
    expect(await readStepRecords(join(ctl, 'missing'))).toEqual([]);
  });

  it('lists command logs in execution order with the cap marks, ignoring FIFOs and other files', async () => {
    const ctl = mkdtempSync(join(tmpdir(), 'fsr-ctl-'));
    mkdirSync(join(ctl, 'logs'));
    for (const [name, text] of [['1-0.out', 'b'], ['0-1.err', 'ee'], ['0-1.out', 'xyz'], ['0-0.out', ''], ['runner.err', 'x'], ['0-1.out.truncated', '42\n']]) {
      writeFileSync(join(ctl, 'logs', name!), text!);
    }
    const files = await listLogFiles(ctl);
    expect(files.map((f) => [f.step, f.command, f.stream, f.sizeBytes, f.droppedBytes])).toEqual([
      [0, 0, 'stdout', 0, undefined],
      [0, 1, 'stdout', 3, 42],
      [0, 1, 'stderr', 2, undefined],
      [1, 0, 'stdout', 1, undefined],
    ]);
  });
});
