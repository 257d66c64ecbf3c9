/**
 * Finding a job that an earlier server process started but never recorded (it died between
 * spawning the runner and committing the handle). The runner writes its pid first thing; a live
 * process with that pid is accepted only if it leads its own process group and runs this job's
 * runner script (run.sh or run.pl), so a recycled pid is never mistaken for the job. A runner that is gone still
 * yields a handle: observing it then reads the exit-status file, or reports the job lost.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readRunnerPid } from '../runner/control-dir.js';
import { RUNNER_FILES } from '../runner/job-runner.js';
import type { JobHandle, JobSpec } from '../types.js';
import { toHandle } from './local-handle.js';
import { readProcStat } from './process-table.js';

async function runsRunnerOf(pid: number, controlDir: string): Promise<boolean> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  const args = cmdline.split('\0');
  return [RUNNER_FILES.script, RUNNER_FILES.perlScript].some((name) => args.includes(join(controlDir, name)));
}

/**
 * The handle of the job an earlier process started for `spec`, or undefined if none started.
 * Ignores the adapter's signal: it reads one file and /proc, with nothing to wait for.
 */
export async function adoptLocalJob(spec: JobSpec): Promise<JobHandle | undefined> {
  const pid = await readRunnerPid(spec.controlDir);
  if (pid === undefined) return undefined;
  const proc = await readProcStat(pid);
  const alive = proc !== undefined && proc.pgid === pid && (await runsRunnerOf(pid, spec.controlDir));
  // Start time 0 matches no live process: a handle for a runner that is gone.
  return toHandle({ pid, startTicks: alive ? proc.startTicks : 0, workDir: spec.workDir, controlDir: spec.controlDir });
}
