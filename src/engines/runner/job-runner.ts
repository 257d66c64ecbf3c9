/**
 * The job runner shared by every engine: a generated POSIX shell script that runs the steps of
 * a serial workflow in order, one `/bin/sh -c` per command (as flowServ's subprocess worker does,
 * so error texts match: `/bin/sh: 1: pithon: not found`), captures each command's stdout and
 * stderr in its own log file, stops at the first non-zero exit, and records the outcome in an
 * exit-status file written atomically. The local engine runs it detached; Slurm runs it as the
 * batch script. Because the outcome lives in a file, a job survives a server restart.
 *
 * Control directory layout:
 *   run.sh              the runner
 *   cmd/<s>-<c>.sh      command c of step s, verbatim
 *   logs/<s>-<c>.out    its stdout;  logs/<s>-<c>.err  its stderr
 *   logs/<s>-<c>.<out|err>.truncated   bytes the log cap discarded from that stream (if any)
 *   steps/<s>.start     created when step s begins (its mtime is the start)
 *   steps/<s>.end       step s's exit code, written when it ends (its mtime is the end)
 *   pid                 the runner's pid, written first (lets an engine adopt a job it never recorded)
 *   started             ISO timestamp written when the runner begins
 *   exit-status         "<code> <step> <command>" once the runner ends (step/command -1 on success)
 *
 * A job with a traceparent exports it as TRACEPARENT to every command.
 */
import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
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
  await mkdir(join(ctl, 'cmd'), { recursive: true });
  await mkdir(join(ctl, 'logs'), { recursive: true });
  await mkdir(join(ctl, RUNNER_FILES.steps), { recursive: true });
  for (const [s, step] of job.steps.entries()) {
    for (const [c, command] of step.commands.entries()) await writeFile(join(ctl, 'cmd', `${s}-${c}.sh`), command);
  }
  const script = join(ctl, RUNNER_FILES.script);
  await writeFile(script, buildRunnerScript(job));
  await chmod(script, 0o755);
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
  const [code, step, command] = text.trim().split(/\s+/).map(Number);
  const { mtime } = await stat(file);
  if (![code, step, command].every(Number.isInteger)) return undefined;
  return { code: code!, step: step!, command: command!, at: mtime };
}

/** Reads the time the runner began, if it has. */
export async function readStartedAt(controlDir: string): Promise<Date | undefined> {
  try {
    const text = (await readFile(join(controlDir, RUNNER_FILES.started), 'utf8')).trim();
    const at = new Date(text);
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

/** Lists the (step, command) pairs the runner was written for, in execution order. */
async function listCommands(controlDir: string): Promise<Array<[number, number]>> {
  const names = await readdir(join(controlDir, 'cmd')).catch(() => [] as string[]);
  return names
    .map((n) => /^(\d+)-(\d+)\.sh$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m): [number, number] => [Number(m[1]), Number(m[2])])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
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
