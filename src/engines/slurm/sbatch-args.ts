/**
 * The sbatch command line for one workflow, and what sbatch prints back (the job id). Only
 * resource options on an allow-list pass through from a JobSpec;
 * options that would change where the job runs or writes (--chdir, --output, --wrap, --export…)
 * are the adapter's alone.
 */
import { join } from 'node:path';
import { EngineRejectedError, type JobResources, type JobSpec, type ResourceProblem } from '../types.js';

/** Extra sbatch options a JobSpec may carry by default (`--name=value` form only). */
export const DEFAULT_ALLOWED_EXTRA_ARGS: readonly string[] = [
  '--qos',
  '--account',
  '--constraint',
  '--nodes',
  '--ntasks',
  '--gres',
  '--reservation',
];

/** Resource defaults applied when a JobSpec does not set them; Slurm's own defaults otherwise. */
export interface SlurmResourceDefaults {
  readonly partition?: string;
  readonly timeLimitMinutes?: number;
  readonly cpus?: number;
  readonly memoryMb?: number;
}

/** Everything buildSbatchArgs needs besides the job. */
export interface SbatchArgsInput {
  readonly engine: string;
  readonly job: JobSpec;
  readonly runnerPath: string;
  readonly defaults: SlurmResourceDefaults;
  readonly allowedExtraArgs: readonly string[];
}

/** Slurm's job name for a workflow: `flowserv-<workflowId>`, limited to safe characters. */
export function slurmJobName(workflowId: string): string {
  return `flowserv-${workflowId.replace(/[^A-Za-z0-9._-]/g, '_')}`.slice(0, 128);
}

/** The resource checks buildSbatchArgs makes, without a runner path: what validate() needs. */
export type ResourceCheckInput = Omit<SbatchArgsInput, 'runnerPath' | 'engine'>;

/**
 * Every resource of the job (or default) that sbatch must not be given: a partition name with
 * unsafe characters, a non-positive or fractional number, an extra option off the allow-list.
 * Empty when the resources are acceptable (Slurm itself may still refuse them).
 */
export function resourceProblems(input: ResourceCheckInput): ResourceProblem[] {
  const res: JobResources = input.job.resources ?? {};
  const { defaults } = input;
  const problems: ResourceProblem[] = [];
  const partition = res.partition ?? defaults.partition;
  if (partition !== undefined && !/^[A-Za-z0-9._,-]+$/.test(partition)) {
    problems.push({ resource: 'partition', message: `invalid partition name '${partition}'` });
  }
  const numbers = [
    ['timeLimitMinutes', res.timeLimitMinutes ?? defaults.timeLimitMinutes],
    ['cpus', res.cpus ?? defaults.cpus],
    ['memoryMb', res.memoryMb ?? defaults.memoryMb],
  ] as const;
  for (const [resource, value] of numbers) {
    if (value !== undefined && (!Number.isInteger(value) || value <= 0)) {
      problems.push({ resource, message: `${resource} must be a positive integer, got ${value}` });
    }
  }
  for (const extra of res.extraArgs ?? []) {
    const m = /^(--[a-z][a-z-]*)=(.+)$/.exec(extra);
    if (!m || !input.allowedExtraArgs.includes(m[1]!)) {
      problems.push({
        resource: 'extraArgs',
        message: `sbatch option '${extra}' is not allowed; allowed (as --name=value): ${input.allowedExtraArgs.join(', ') || 'none'}`,
      });
    }
  }
  return problems;
}

/**
 * Builds sbatch's arguments. Throws EngineRejectedError for resources that cannot be right
 * (see resourceProblems; the service has normally refused those already).
 */
export function buildSbatchArgs(input: SbatchArgsInput): string[] {
  const { engine, job, defaults } = input;
  const [problem] = resourceProblems(input);
  if (problem) throw new EngineRejectedError(engine, problem.message);
  const res: JobResources = job.resources ?? {};
  const args = [
    '--parsable',
    '--no-requeue',
    `--chdir=${job.workDir}`,
    `--output=${join(job.controlDir, 'slurm-%j.out')}`,
    `--error=${join(job.controlDir, 'slurm-%j.err')}`,
    `--job-name=${slurmJobName(job.workflowId)}`,
  ];
  const partition = res.partition ?? defaults.partition;
  if (partition !== undefined) args.push(`--partition=${partition}`);
  const minutes = res.timeLimitMinutes ?? defaults.timeLimitMinutes;
  if (minutes !== undefined) args.push(`--time=${minutes}`);
  const cpus = res.cpus ?? defaults.cpus;
  if (cpus !== undefined) args.push(`--cpus-per-task=${cpus}`);
  const mem = res.memoryMb ?? defaults.memoryMb;
  if (mem !== undefined) args.push(`--mem=${mem}M`);
  args.push(...(res.extraArgs ?? []), input.runnerPath);
  return args;
}

/** sbatch prints `<id>` or `<id>;<cluster>`; returns the id, or undefined when unparsable. */
export function parseSbatchJobId(stdout: string): string | undefined {
  const first = stdout.trim().split('\n')[0] ?? '';
  const id = first.split(';')[0]!.trim();
  return /^\d+$/.test(id) ? id : undefined;
}
