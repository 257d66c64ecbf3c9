/**
 * The job runner shared by every engine: a generated POSIX shell script that runs the steps of
 * a serial workflow in order, one `/bin/sh -c` per command (as flowServ's subprocess worker does,
 * so error texts match: `/bin/sh: 1: pithon: not found`), captures each command's stdout and
 * stderr in its own log file, stops at the first non-zero exit, and records the outcome in an
 * exit-status file written atomically. The local engine runs it detached; Slurm runs it as the
 * batch script. Because the outcome lives in a file, a job survives a server restart.
 *
 * Control directory layout:
 *   run.sh              the runner, with the text of every command in it
 *   logs/<s>-<c>.out    stdout of command c of step s (created when it starts); .err its stderr
 *   logs/<s>-<c>.<out|err>.truncated   bytes the log cap discarded from that stream (if any)
 *   steps/<s>.start     created when step s begins (its mtime is the start)
 *   steps/<s>.end       step s's exit code, written when it ends (its mtime is the end)
 *   pid                 the runner's pid, written first (lets an engine adopt a job it never recorded)
 *   started             created when the runner begins (its mtime is the start; older runners
 *                       wrote an ISO timestamp into it)
 *   exit-status         blank space reserved when the runner begins, rewritten in place with the
 *                       line "<code> <step> <command>" when it ends (step/command -1 on success);
 *                       its mtime is then the end
 * (Runners of earlier versions also wrote cmd/<s>-<c>.sh; the readers here do not need it.)
 *
 * A job with a traceparent exports it as TRACEPARENT to every command.
 */
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JobOutcome, JobSpec } from '../types.js';
import { buildRunnerScript } from './runner-script.js';

export { shellQuote } from './runner-script.js';

/** File names inside the control directory. */
export const RUNNER_FILES = {
  script: 'run.sh',
  pid: 'pid',
  started: 'started',
  steps: 'steps',
  logs: 'logs',
  exitStatus: 'exit-status',
} as const;

/** Longest single message kept from a command's output; longer output is cut with a note. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

/**
 * Writes the runner and the command files for `job` into `job.controlDir` (created if needed)
 * and returns the runner's absolute path.
 */
export async function writeJobRunner(job: JobSpec): Promise<string> {
  const ctl = job.controlDir;
  await mkdir(join(ctl, RUNNER_FILES.logs), { recursive: true });
  await mkdir(join(ctl, RUNNER_FILES.steps), { recursive: true });
  const script = join(ctl, RUNNER_FILES.script);
  await writeFile(script, buildRunnerScript(job), { mode: 0o755 });
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

/** Lists the (step, command) pairs that ran (those with log files), in execution order. */
async function listCommands(controlDir: string): Promise<Array<[number, number]>> {
  const names = await readdir(join(controlDir, RUNNER_FILES.logs)).catch(() => [] as string[]);
  const pairs = new Map<string, [number, number]>();
  for (const name of names) {
    const m = /^(\d+)-(\d+)\.(?:out|err)$/.exec(name);
    if (m) pairs.set(`${m[1]}-${m[2]}`, [Number(m[1]), Number(m[2])]);
  }
  return [...pairs.values()].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
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
  for (const [s, c] of await listCommands(controlDir)) {
    const base = join(controlDir, 'logs', `${s}-${c}`);
    const [out, err] = await Promise.all([readLog(`${base}.out`), readLog(`${base}.err`)]);
    if (out) stdout.push(out);
    if (err) stderr.push(err);
  }
  const runnerErr = await readLog(join(controlDir, 'logs', 'runner.err'));
  if (runnerErr) stderr.push(runnerErr);
  return [...stdout, ...stderr];
}

/** Turns an exit status into an outcome, reading the logs for failures. */
export async function outcomeFromExitStatus(controlDir: string, status: ExitStatus): Promise<JobOutcome> {
  if (status.code === 0) return { kind: 'succeeded', at: status.at };
  return { kind: 'failed', at: status.at, exitCode: status.code, messages: await collectMessages(controlDir) };
}
