/**
 * Turns what Slurm says about a job (one poll result) plus the runner's files in the control
 * directory into the adapter's JobStatus. The runner's exit-status file is the truth for how the
 * workflow's commands ended (step failures, flowServ messages); Slurm's state says whether the
 * job is still queued or running, and explains the endings the runner could not record itself
 * (cancel, time limit, node failure, …).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { collectMessages, outcomeFromExitStatus, readExitStatus, readStartedAt, type ExitStatus } from '../runner/job-runner.js';
import type { JobHandle, JobOutcome, JobStatus } from '../types.js';
import type { JobPollResult } from './job-poller.js';
import type { SlurmCli } from './slurm-cli.js';
import { classifySlurmState, describeSchedulerFailure, parseSlurmExitCode } from './slurm-state.js';

/** What outcome resolution needs besides the handle and the poll result. */
export interface OutcomeContext {
  readonly cli: SlurmCli;
  /**
   * How long to wait for the exit-status file to appear once Slurm says COMPLETED or FAILED,
   * in ms (a shared filesystem may show it late).
   */
  readonly exitFileGraceMs: number;
  readonly signal?: AbortSignal;
}

/** Slurm's record of an ended job, from `scontrol show job -o`. */
interface SlurmJobRecord {
  readonly exitCode?: number;
  readonly endTime?: Date;
  readonly reason?: string;
}

/**
 * The job's status, or undefined when the poll failed (controller unreachable): then nothing is
 * known and the caller keeps waiting.
 */
export async function statusFromPoll(handle: JobHandle, poll: JobPollResult, ctx: OutcomeContext): Promise<JobStatus | undefined> {
  const id = handle.externalId;
  const ctl = handle.controlDir;
  if (poll.kind === 'error') return undefined;
  if (poll.kind === 'unknown') {
    const exit = await readExitStatus(ctl);
    if (exit !== undefined) return { kind: 'ended', outcome: await outcomeFromExitStatus(ctl, exit) };
    return {
      kind: 'ended',
      outcome: {
        kind: 'lost',
        at: new Date(),
        message: `Slurm has no record of job ${id} (purged after MinJobAge, or the controller lost its state) and the job left no exit status in ${ctl}`,
      },
    };
  }
  const phase = classifySlurmState(poll.state);
  if (phase.phase === 'queued') return { kind: 'queued' };
  if (phase.phase === 'running') {
    const startedAt = await readStartedAt(ctl);
    return startedAt === undefined ? { kind: 'running' } : { kind: 'running', startedAt };
  }
  return { kind: 'ended', outcome: await endedOutcome(handle, poll.state, phase.end, ctx) };
}

async function endedOutcome(
  handle: JobHandle,
  state: string,
  end: 'exit-status' | 'canceled' | 'timeout' | 'scheduler-failure',
  ctx: OutcomeContext,
): Promise<JobOutcome> {
  const id = handle.externalId;
  const ctl = handle.controlDir;
  if (end === 'exit-status') {
    const exit = await waitForExitStatus(ctl, ctx);
    if (exit !== undefined) return outcomeFromExitStatus(ctl, exit);
  }
  const record = await readSlurmRecord(ctx.cli, id, ctx.signal);
  const at = record.endTime ?? new Date();
  const reason = record.reason && record.reason !== 'None' ? `, reason ${record.reason}` : '';
  switch (end) {
    case 'canceled':
      return { kind: 'canceled', at, message: `Slurm job ${id} was cancelled (scancel by a user or administrator)` };
    case 'timeout':
      return {
        kind: 'failed',
        at,
        exitCode: record.exitCode ?? 1,
        messages: ['Slurm: time limit reached', ...(await jobLogs(ctl, id))],
      };
    case 'scheduler-failure':
      return {
        kind: 'failed',
        at,
        exitCode: record.exitCode ?? 1,
        messages: [`Slurm: ${describeSchedulerFailure(state)} (state ${state}${reason})`, ...(await jobLogs(ctl, id))],
      };
    case 'exit-status':
      if (state.toUpperCase() === 'COMPLETED') {
        return { kind: 'lost', at, message: `Slurm reports job ${id} COMPLETED but the job left no exit status in ${ctl}` };
      }
      return {
        kind: 'failed',
        at,
        exitCode: record.exitCode ?? 1,
        messages: [
          `Slurm: job ${id} ${state} (exit code ${record.exitCode ?? 'unknown'}${reason}) before the job runner recorded an exit status`,
          ...(await jobLogs(ctl, id)),
        ],
      };
  }
}

async function waitForExitStatus(ctl: string, ctx: OutcomeContext): Promise<ExitStatus | undefined> {
  const deadline = Date.now() + ctx.exitFileGraceMs;
  for (;;) {
    const exit = await readExitStatus(ctl);
    if (exit !== undefined || Date.now() >= deadline) return exit;
    await delay(Math.min(200, ctx.exitFileGraceMs), undefined, { signal: ctx.signal });
  }
}

/** The runner's collected messages, then Slurm's own stderr for the job (e.g. "CANCELLED … DUE TO TIME LIMIT"). */
async function jobLogs(ctl: string, id: string): Promise<string[]> {
  const messages = await collectMessages(ctl);
  const slurmErr = await readFile(join(ctl, `slurm-${id}.err`), 'utf8').catch(() => '');
  if (slurmErr.trim()) messages.push(slurmErr);
  return messages;
}

async function readSlurmRecord(cli: SlurmCli, id: string, signal?: AbortSignal): Promise<SlurmJobRecord> {
  try {
    const { stdout } = await cli.run('scontrol', ['show', 'job', '-o', id], signal ? { signal } : {});
    const field = (key: string): string | undefined => new RegExp(`(?:^|\\s)${key}=(\\S+)`).exec(stdout)?.[1];
    const end = field('EndTime');
    const endTime = end && end !== 'Unknown' ? new Date(end) : undefined;
    const exitCode = parseSlurmExitCode(field('ExitCode'));
    const reason = field('Reason');
    return {
      ...(exitCode !== undefined ? { exitCode } : {}),
      ...(endTime && !Number.isNaN(endTime.getTime()) ? { endTime } : {}),
      ...(reason !== undefined ? { reason } : {}),
    };
  } catch {
    return {};
  }
}
