/**
 * The job runner shared by every engine: a generated POSIX shell script that runs the steps of
 * a serial workflow in order, one `/bin/sh -c` per command (as flowServ's subprocess worker does,
 * so error texts match: `/bin/sh: 1: pithon: not found`), captures each command's stdout and
 * stderr in its own log file, stops at the first non-zero exit, and records the outcome in an
 * exit-status file written atomically. The local engine runs it detached; Slurm runs it as the
 * batch script. Because the outcome lives in a file, a job survives a server restart.
 *
 * Control directory layout (flat; every file but run.sh, exit-status and non-empty logs is empty,
 * so a finished run of a quiet command takes no disk block beyond its directories and exit-status):
 *   run.sh              the runner, with the text of every command in it (the local engine
 *                       removes it once the job has ended)
 *   run.pl              instead of run.sh where the local engine runs the Perl runner (perl-runner.ts)
 *   <s>-<c>.out         stdout of command c of step s (created when it starts); .err its stderr
 *   <s>-<c>.<out|err>.truncated   bytes the log cap discarded from that stream (if any)
 *   <s>.start           created when step s begins (its mtime is the start)
 *   <s>.end.<code>      created when step s ends with that exit code (its mtime is the end)
 *   pid.<n>             the runner's pid n, recorded first (lets an engine adopt a job it never recorded)
 *   started             created when the runner begins (its mtime is the start)
 *   exit-status         blank space reserved when the runner begins, rewritten in place with the
 *                       line "<code> <step> <command>" when it ends (step/command -1 on success);
 *                       its mtime is then the end
 *   runner.err          why the runner could not run the commands (if it could not)
 * Earlier runners kept logs in logs/ and step files in steps/, wrote the pid, the step exit codes
 * and the start time into files, and the commands into cmd/<s>-<c>.sh; the readers (here,
 * control-dir.ts, job-logs.ts) still read that layout.
 *
 * A job with a traceparent exports it as TRACEPARENT to every command.
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JobOutcome, JobSpec } from '../types.js';
import { listControlEntries } from './control-dir.js';
import { buildPerlRunner } from './perl-runner.js';
import { buildRunnerScript } from './runner-script.js';

export { shellQuote } from './runner-script.js';

/** File names inside the control directory (`pid` is the prefix of `pid.<n>`). */
export const RUNNER_FILES = {
  script: 'run.sh',
  /** The Perl runner (perl-runner.ts), which the local engine runs instead of run.sh where perl is installed. */
  perlScript: 'run.pl',
  pid: 'pid',
  started: 'started',
  exitStatus: 'exit-status',
  runnerErr: 'runner.err',
  /** Sub-directories of the earlier layout (logs, step files), read for jobs started before it changed. */
  logs: 'logs',
  steps: 'steps',
} as const;

/** Longest single message kept from a command's output; longer output is cut with a note. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

/**
 * Writes the runner and the command files for `job` into `job.controlDir` (created if needed)
 * and returns the runner's absolute path.
 */
export async function writeJobRunner(job: JobSpec): Promise<string> {
  const ctl = job.controlDir;
  await mkdir(ctl, { recursive: true });
  const script = join(ctl, RUNNER_FILES.script);
  await writeFile(script, buildRunnerScript(job), { mode: 0o755 });
  return script;
}

/**
 * Writes the Perl runner for `job` (perl-runner.ts) into `job.controlDir` (created if needed) and
 * returns its absolute path: the same records as the shell runner, in one process per job.
 */
export async function writePerlRunner(job: JobSpec): Promise<string> {
  await mkdir(job.controlDir, { recursive: true });
  const script = join(job.controlDir, RUNNER_FILES.perlScript);
  await writeFile(script, buildPerlRunner(job));
  return script;
}

/** The parsed exit-status file. */
export interface ExitStatus {
  readonly code: number;
  /** Index of the failing step and command, -1 on success. */
  readonly step: number;
  readonly command: number;
  /** Modification time of the exit-status file: when the job ended. */
  readonly at: Date;
}

/**
 * A complete exit-status line. The runner rewrites reserved blanks in place, so a read racing
 * that write could see a prefix of the line followed by blanks: only a line ended right after
 * its third number counts.
 */
const EXIT_STATUS_LINE = /^(-?\d+) (-?\d+) (-?\d+)\n/;

/** Reads the exit-status file; undefined while the job has not ended (or never wrote one). */
export async function readExitStatus(controlDir: string): Promise<ExitStatus | undefined> {
  const file = join(controlDir, RUNNER_FILES.exitStatus);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const m = EXIT_STATUS_LINE.exec(text);
  if (!m) return undefined;
  const { mtime } = await stat(file);
  return { code: Number(m[1]), step: Number(m[2]), command: Number(m[3]), at: mtime };
}

/** Reads the time the runner began, if it has: the file's mtime, or the ISO time older runners wrote. */
export async function readStartedAt(controlDir: string): Promise<Date | undefined> {
  const file = join(controlDir, RUNNER_FILES.started);
  try {
    const [text, info] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    if (text.trim() === '') return info.mtime;
    const at = new Date(text.trim());
    return Number.isNaN(at.getTime()) ? undefined : at;
  } catch {
    return undefined;
  }
}

async function readLog(path: string): Promise<string> {
  try {
    const buf = await readFile(path);
    if (buf.length <= MAX_MESSAGE_BYTES) return buf.toString('utf8');
    const cut = buf.subarray(buf.length - MAX_MESSAGE_BYTES).toString('utf8');
    return `[output truncated to the last ${MAX_MESSAGE_BYTES} bytes]\n${cut}`;
  } catch {
    return '';
  }
}

/** The commands that ran (those with log files) in execution order, with their logs' base path. */
async function listCommands(controlDir: string): Promise<Array<{ step: number; command: number; base: string }>> {
  const commands = new Map<string, { step: number; command: number; base: string }>();
  for (const { dir, name } of await listControlEntries(controlDir)) {
    const m = /^(\d+)-(\d+)\.(?:out|err)$/.exec(name);
    if (m) commands.set(`${m[1]}-${m[2]}`, { step: Number(m[1]), command: Number(m[2]), base: join(dir, `${m[1]}-${m[2]}`) });
  }
  return [...commands.values()].sort((a, b) => a.step - b.step || a.command - b.command);
}

/**
 * flowServ's ERROR messages: the stdout of every command that ran (non-empty ones, trailing
 * newline kept), followed by the stderr of every command that ran. Commands after the failing
 * one did not run and contribute nothing. Needs only the control directory, so it works for a
 * job reattached after a restart.
 */
export async function collectMessages(controlDir: string): Promise<string[]> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  for (const { base } of await listCommands(controlDir)) {
    const [out, err] = await Promise.all([readLog(`${base}.out`), readLog(`${base}.err`)]);
    if (out) stdout.push(out);
    if (err) stderr.push(err);
  }
  const runnerErr = (await readLog(join(controlDir, RUNNER_FILES.runnerErr))) || (await readLog(join(controlDir, 'logs', RUNNER_FILES.runnerErr)));
  if (runnerErr) stderr.push(runnerErr);
  return [...stdout, ...stderr];
}

/** Turns an exit status into an outcome, reading the logs for failures. */
export async function outcomeFromExitStatus(controlDir: string, status: ExitStatus): Promise<JobOutcome> {
  if (status.code === 0) return { kind: 'succeeded', at: status.at };
  return { kind: 'failed', at: status.at, exitCode: status.code, messages: await collectMessages(controlDir) };
}
