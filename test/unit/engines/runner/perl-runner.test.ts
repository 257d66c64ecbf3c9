import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { listLogFiles } from '../../../../src/engines/runner/job-logs.js';
import { collectMessages, readExitStatus, writeJobRunner, writePerlRunner } from '../../../../src/engines/runner/job-runner.js';
import { PERL } from '../../../../src/engines/runner/log-cap-helper.js';
import { perlQuote } from '../../../../src/engines/runner/perl-runner.js';
import type { JobSpec } from '../../../../src/engines/types.js';
import { waitFor } from '../local/helpers.js';

const run = promisify(execFile);
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

function spec(steps: JobSpec['steps'], extra: Partial<JobSpec> = {}): JobSpec {
  const base = mkdtempSync(join(tmpdir(), 'fsr-perl-runner-'));
  mkdirSync(join(base, 'work'));
  return { workflowId: 'w1', workDir: join(base, 'work'), controlDir: join(base, 'control'), steps, ...extra };
}

/** Runs the job with the shell runner or the Perl runner; its exit code. */
async function runWith(kind: 'sh' | 'perl', job: JobSpec): Promise<number> {
  const script = kind === 'perl' ? await writePerlRunner(job) : await writeJobRunner(job);
  try {
    await run(kind === 'perl' ? PERL : '/bin/sh', [script], { cwd: tmpdir(), env: { PATH: '/usr/bin:/bin', KEEP: 'inherited' } });
    return 0;
  } catch (err) {
    return (err as { code: number }).code;
  }
}

/** Everything a reader of the run can see: exit status, messages, logs, records and the working directory's files. */
async function observable(job: JobSpec): Promise<unknown> {
  const exit = await readExitStatus(job.controlDir);
  const records = readdirSync(job.controlDir)
    .filter((name) => !/^(pid\.\d+|run\.sh|run\.pl)$/.test(name))
    .sort();
  const work = existsSync(job.workDir) ? readdirSync(job.workDir).sort() : [];
  return {
    exit: exit && { code: exit.code, step: exit.step, command: exit.command },
    messages: await collectMessages(job.controlDir),
    logs: (await listLogFiles(job.controlDir)).map((f) => [f.step, f.command, f.stream, f.sizeBytes, f.droppedBytes]),
    logText: records.filter((n) => /\.(out|err)$/.test(n)).map((n) => readFileSync(join(job.controlDir, n), 'utf8')),
    records,
    work: Object.fromEntries(work.map((name) => [name, readFileSync(join(job.workDir, name), 'utf8')])),
  };
}

/** Jobs whose every observable result must be the same under both runners. */
const JOBS: Array<[string, () => JobSpec]> = [
  ['quotes, backslashes and newlines in commands', () => spec([{ name: 's', commands: [`printf '%s\\n' "a'b\\\\c \${KEEP}"; echo "it's" >&2`, 'printf "x\ny" > two-lines.txt'] }])],
  ['a command that is not found (flowServ error text)', () => spec([{ name: 's', commands: ['echo before', 'pithon hello.py', 'touch never'] }])],
  ['steps with and without an env of their own, and a trace', () =>
    spec(
      [
        { name: 'inherit', commands: ['printf "%s|%s" "$KEEP" "$TRACEPARENT" > inherited.txt'] },
        { name: 'own', commands: ['printf "%s|%s|%s" "$KEEP" "$ONLY" "$TRACEPARENT" > own.txt'], env: { ONLY: "y'es", PATH: '/usr/bin:/bin' } },
      ],
      { traceparent: TRACEPARENT },
    )],
  ['a failure in a later step', () => spec([{ name: 'a', commands: ['echo one'] }, { name: 'b', commands: ['echo two >&2; exit 4'] }, { name: 'c', commands: ['touch never'] }])],
  ['a command killed by a signal', () => spec([{ name: 's', commands: ['kill -9 $$'] }], { logCapBytes: 1 << 20 })],
  ['a log cap spent over several commands', () =>
    spec([{ name: 's', commands: ["head -c 5000 /dev/zero | tr '\\0' x; echo small >&2", 'printf 0123456789; echo e >&2', 'echo more'] }], { logCapBytes: 1003 })],
  ['output without a cap', () => spec([{ name: 's', commands: ["head -c 200000 /dev/zero | tr '\\0' y", 'echo err >&2; exit 0'] }])],
];

describe('the Perl runner against the shell runner', () => {
  it.each(JOBS)('%s: same results', async (_name, make) => {
    const bySh = make();
    const byPerl = make();
    const codes = [await runWith('sh', bySh), await runWith('perl', byPerl)];
    expect(codes[1]).toBe(codes[0]);
    const [a, b] = [await observable(bySh), await observable(byPerl)];
    expect(b).toEqual(a);
    expect((a as { exit: unknown }).exit).toBeDefined();
  });

  it('a working directory that is gone: status 127 and the reason, as the shell runner', async () => {
    for (const kind of ['sh', 'perl'] as const) {
      const job = spec([{ name: 's', commands: ['touch x'] }]);
      rmSync(job.workDir, { recursive: true });
      expect(await runWith(kind, job)).toBe(127);
      expect(await readExitStatus(job.controlDir)).toMatchObject({ code: 127, step: -1, command: -1 });
      expect(await collectMessages(job.controlDir)).toEqual(['cannot enter working directory\n']);
    }
  });

  it('stopped with SIGTERM: lets the command end, then exits 143 without an exit status', async () => {
    const job = spec([{ name: 's', commands: ["trap 'echo got TERM; exit 7' TERM; touch ready; while :; do sleep 0.02; done", 'touch never'] }], { logCapBytes: 1 << 20 });
    const runner = spawn(PERL, [await writePerlRunner(job)], { cwd: tmpdir(), detached: true, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => runner.on('exit', (code) => resolve(code)));
    await waitFor(() => existsSync(join(job.workDir, 'ready')));
    process.kill(-runner.pid!, 'SIGTERM');
    expect(await exited).toBe(143);
    expect(await readExitStatus(job.controlDir)).toBeUndefined();
    expect(readFileSync(join(job.controlDir, '0-0.out'), 'utf8')).toBe('got TERM\n');
    expect(existsSync(join(job.workDir, 'never'))).toBe(false);
  });

  it('quotes any text as one Perl literal', async () => {
    const text = `a'b\\c\\'d\n$x @y \\\\`;
    const { stdout } = await run(PERL, ['-e', `print ${perlQuote(text)}`]);
    expect(stdout).toBe(text);
  });
});
