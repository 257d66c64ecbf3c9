import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRunnerPid } from '../../../../src/engines/runner/control-dir.js';
import { listLogFiles, readStepRecords } from '../../../../src/engines/runner/job-logs.js';

describe('reading what the job runner records', () => {
  it('reads the flat layout: step ends with the code in the name, logs beside them, and the pid from a name', async () => {
    const ctl = mkdtempSync(join(tmpdir(), 'fsr-ctl-'));
    const at = (iso: string) => new Date(iso);
    const touch = (name: string, time: Date, text = '') => {
      writeFileSync(join(ctl, name), text);
      utimesSync(join(ctl, name), time, time);
    };
    touch('0.start', at('2026-12-01T10:00:00.000Z'));
    touch('0.end.0', at('2026-12-01T10:00:01.000Z'));
    touch('1.start', at('2026-12-01T10:00:02.000Z'));
    touch('1.end.7', at('2026-12-01T10:00:03.000Z'));
    touch('2.start', at('2026-12-01T10:00:04.000Z'));
    touch('0-0.out', at('2026-12-01T10:00:00.500Z'), 'hello\n');
    touch('0-0.err', at('2026-12-01T10:00:00.500Z'));
    touch('1-0.out', at('2026-12-01T10:00:02.500Z'), 'xy');
    touch('1-0.out.truncated', at('2026-12-01T10:00:03.000Z'), '5\n');
    touch('pid.4242', at('2026-12-01T10:00:00.000Z'));
    mkdirSync(join(ctl, 'work'));
    expect(await readStepRecords(ctl)).toEqual([
      { step: 0, startedAt: at('2026-12-01T10:00:00.000Z'), end: { exitCode: 0, at: at('2026-12-01T10:00:01.000Z') } },
      { step: 1, startedAt: at('2026-12-01T10:00:02.000Z'), end: { exitCode: 7, at: at('2026-12-01T10:00:03.000Z') } },
      { step: 2, startedAt: at('2026-12-01T10:00:04.000Z') },
    ]);
    expect((await listLogFiles(ctl)).map((f) => [f.step, f.command, f.stream, f.sizeBytes, f.droppedBytes])).toEqual([
      [0, 0, 'stdout', 6, undefined],
      [0, 0, 'stderr', 0, undefined],
      [1, 0, 'stdout', 2, 5],
    ]);
    expect(await readRunnerPid(ctl)).toBe(4242);
    expect(await readRunnerPid(join(ctl, 'missing'))).toBeUndefined();
  });

  it('reads the earlier layout: step files in steps/ with the code inside, a half-written end counting as running', async () => {
    const ctl = mkdtempSync(join(tmpdir(), 'fsr-ctl-'));
    const steps = join(ctl, 'steps');
    mkdirSync(steps);
    const at = (iso: string) => new Date(iso);
    const touch = (name: string, text: string, time: Date) => {
      writeFileSync(join(steps, name), text);
      utimesSync(join(steps, name), time, time);
    };
    touch('0.start', '', at('2026-12-01T10:00:00.000Z'));
    touch('0.end', '0\n', at('2026-12-01T10:00:01.500Z'));
    touch('1.start', '', at('2026-12-01T10:00:01.600Z'));
    touch('1.end', '', at('2026-12-01T10:00:02.000Z'));
    touch('10.start', '', at('2026-12-01T10:00:03.000Z'));
    touch('10.end', '3\n', at('2026-12-01T10:00:04.000Z'));
    touch('notes.txt', 'x', at('2026-12-01T10:00:05.000Z'));
    expect(await readStepRecords(ctl)).toEqual([
      { step: 0, startedAt: at('2026-12-01T10:00:00.000Z'), end: { exitCode: 0, at: at('2026-12-01T10:00:01.500Z') } },
      { step: 1, startedAt: at('2026-12-01T10:00:01.600Z') },
      { step: 10, startedAt: at('2026-12-01T10:00:03.000Z'), end: { exitCode: 3, at: at('2026-12-01T10:00:04.000Z') } },
    ]);
    expect(await readStepRecords(join(ctl, 'missing'))).toEqual([]);
  });

  it('reads the earlier layout: command logs in logs/ in execution order with the cap marks, ignoring other files', async () => {
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
