import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { listLogFiles } from '../../../../src/engines/runner/job-logs.js';
import { collectMessages, readExitStatus, readStartedAt, writeJobRunner, writePerlRunner } from '../../../../src/engines/runner/job-runner.js';
import { PERL } from '../../../../src/engines/runner/log-cap-helper.js';
import type { JobSpec } from '../../../../src/engines/types.js';

const run = promisify(execFile);

function job(commands: string[], logCapBytes?: number): JobSpec {
  const base = mkdtempSync(join(tmpdir(), 'fsr-runner-'));
  mkdirSync(join(base, 'work'));
  return {
    workflowId: 'w1',
    workDir: join(base, 'work'),
    controlDir: join(base, 'control'),
    steps: [{ name: 'main', commands }],
    ...(logCapBytes !== undefined && { logCapBytes }),
  };
}

/** Which runner: the Perl runner, the shell runner with its Perl helper, or the shell runner's FIFO readers (no perl). */
type RunnerKind = 'perl' | 'sh' | 'fifo';

/** Runs the runner of `kind`; for `fifo` the shell runner is pointed at a perl that does not exist. */
async function runJob(spec: JobSpec, kind: RunnerKind = 'sh'): Promise<number> {
  const script = kind === 'perl' ? await writePerlRunner(spec) : await writeJobRunner(spec);
  if (kind === 'fifo') writeFileSync(script, readFileSync(script, 'utf8').replaceAll(PERL, '/nonexistent/perl'));
  try {
    await run(kind === 'perl' ? PERL : '/bin/sh', [script], { cwd: spec.workDir });
    return 0;
  } catch (err) {
    return (err as { code: number }).code;
  }
}

const CAPPED = [
  // 5000 bytes in one go, with a stderr line: the job must not be harmed (no SIGPIPE, no block).
  "head -c 5000 /dev/zero | tr '\\0' x; echo small >&2",
  // The budget is for the whole job: this command keeps what the first left.
  'printf 0123456789; echo done > finished.txt',
];

describe.each([
  ['the Perl runner', 'perl'],
  ['the shell runner and its Perl helper', 'sh'],
  ['the shell runner and FIFO readers (no perl)', 'fifo'],
] as const)('the job runner log cap through %s', (_name, kind) => {
  it('keeps the budget over the whole job, marks what it dropped, and never harms the job', async () => {
    const spec = job(CAPPED, 1003);
    expect(await runJob(spec, kind)).toBe(0);
    expect(existsSync(join(spec.workDir, 'finished.txt'))).toBe(true);
    expect(await readExitStatus(spec.controlDir)).toMatchObject({ code: 0, step: -1, command: -1 });
    const logs = await listLogFiles(spec.controlDir);
    expect(logs.map((f) => [f.step, f.command, f.stream, f.sizeBytes, f.droppedBytes])).toEqual([
      [0, 0, 'stdout', 1003, 3997],
      [0, 0, 'stderr', 6, undefined],
      [0, 1, 'stdout', 0, 10],
      [0, 1, 'stderr', 0, undefined],
    ]);
  });

  it('reports the failing command with its status and messages, and runs nothing after it', async () => {
    const spec = job(['echo out; echo err >&2; exit 3', 'touch never'], 1 << 20);
    expect(await runJob(spec, kind)).toBe(3);
    expect(await readExitStatus(spec.controlDir)).toMatchObject({ code: 3, step: 0, command: 0 });
    expect(await collectMessages(spec.controlDir)).toEqual(['out\n', 'err\n']);
    expect(existsSync(join(spec.workDir, 'never'))).toBe(false);
  });

  it('reports a command killed by a signal as sh does (128 + n)', async () => {
    const spec = job(['kill -9 $$'], 1 << 20);
    expect(await runJob(spec, kind)).toBe(137);
    expect(await readExitStatus(spec.controlDir)).toMatchObject({ code: 137, step: 0, command: 0 });
  });
});

describe.each([
  ['shell runner', 'sh', 'run.sh'],
  ['Perl runner', 'perl', 'run.pl'],
] as const)('the %s files', (_name, kind, script) => {
  it('keeps commands in the script (no command files), records in empty files, and the start as a file time', async () => {
    const spec = job([`printf '%s' "it's"`]);
    const before = Date.now();
    expect(await runJob(spec, kind)).toBe(0);
    const names = readdirSync(spec.controlDir).sort();
    expect(names.filter((n) => !/^pid\.\d+$/.test(n))).toEqual(['0-0.err', '0-0.out', '0.end.0', '0.start', 'exit-status', script, 'started']);
    expect(names.filter((n) => /^pid\.\d+$/.test(n))).toHaveLength(1);
    expect(readFileSync(join(spec.controlDir, '0-0.out'), 'utf8')).toBe("it's");
    // Nothing but the runner, its exit status and non-empty logs takes a disk block.
    for (const name of names.filter((n) => ![script, 'exit-status', '0-0.out'].includes(n))) {
      expect(statSync(join(spec.controlDir, name)).blocks, name).toBe(0);
    }
    const started = await readStartedAt(spec.controlDir);
    expect(started!.getTime()).toBeGreaterThanOrEqual(before - 1000);
  });

  it('reads an exit status only once its line is complete', async () => {
    const ctl = mkdtempSync(join(tmpdir(), 'fsr-ctl-'));
    const file = join(ctl, 'exit-status');
    const blank = `${' '.repeat(64)}\n`;
    const written = (line: string) => line + blank.slice(line.length);
    writeFileSync(file, blank);
    expect(await readExitStatus(ctl)).toBeUndefined();
    // A read racing the in-place write can see a prefix of the line followed by the blanks.
    writeFileSync(file, written('127 0 1'));
    expect(await readExitStatus(ctl)).toBeUndefined();
    writeFileSync(file, written('127 0 12\n'));
    expect(await readExitStatus(ctl)).toMatchObject({ code: 127, step: 0, command: 12 });
    // The whole-file form earlier runners wrote.
    writeFileSync(file, '0 -1 -1\n');
    expect(await readExitStatus(ctl)).toMatchObject({ code: 0, step: -1, command: -1 });
  });
});
