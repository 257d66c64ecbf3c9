/** The sbatch command line of a workflow and sbatch's answer, without Slurm. */
import { describe, expect, it } from 'vitest';
import { buildSbatchArgs, DEFAULT_ALLOWED_EXTRA_ARGS, parseSbatchJobId, slurmJobName, type SbatchArgsInput } from '../../../../src/engines/slurm/sbatch-args.js';
import { EngineRejectedError, type JobResources } from '../../../../src/engines/types.js';

function input(resources?: JobResources, defaults: SbatchArgsInput['defaults'] = {}): SbatchArgsInput {
  return {
    engine: 'slurm',
    job: { workflowId: 'wf1', workDir: '/shared/wf1/work', controlDir: '/shared/wf1/ctl', steps: [], ...(resources && { resources }) },
    runnerPath: '/shared/wf1/ctl/run.sh',
    defaults,
    allowedExtraArgs: DEFAULT_ALLOWED_EXTRA_ARGS,
  };
}

describe('buildSbatchArgs', () => {
  it('fixes directory, output files and job name, and ends with the runner script', () => {
    expect(buildSbatchArgs(input())).toEqual([
      '--parsable',
      '--no-requeue',
      '--chdir=/shared/wf1/work',
      '--output=/shared/wf1/ctl/slurm-%j.out',
      '--error=/shared/wf1/ctl/slurm-%j.err',
      '--job-name=flowserv-wf1',
      '/shared/wf1/ctl/run.sh',
    ]);
  });

  it('takes resources from the job, else from the defaults', () => {
    const args = buildSbatchArgs(input({ cpus: 2, extraArgs: ['--qos=high'] }, { partition: 'debug', timeLimitMinutes: 5, cpus: 8, memoryMb: 512 }));
    expect(args).toEqual(expect.arrayContaining(['--partition=debug', '--time=5', '--cpus-per-task=2', '--mem=512M', '--qos=high']));
    expect(args).not.toContain('--cpus-per-task=8');
    expect(args.at(-1)).toBe('/shared/wf1/ctl/run.sh');
  });

  it.each([
    [{ partition: 'debug; rm -rf /' }, /invalid partition name/],
    [{ cpus: 0 }, /cpus must be a positive integer, got 0/],
    [{ timeLimitMinutes: 1.5 }, /timeLimitMinutes must be a positive integer/],
    [{ memoryMb: -1 }, /memoryMb must be a positive integer/],
    [{ extraArgs: ['--chdir=/tmp'] }, /sbatch option '--chdir=\/tmp' is not allowed/],
    [{ extraArgs: ['--qos'] }, /'--qos' is not allowed; allowed \(as --name=value\)/],
  ] satisfies Array<[JobResources, RegExp]>)('refuses %j', (resources, message) => {
    expect(() => buildSbatchArgs(input(resources))).toThrow(EngineRejectedError);
    expect(() => buildSbatchArgs(input(resources))).toThrow(message);
  });

  it('says "none" when no extra option is allowed', () => {
    expect(() => buildSbatchArgs({ ...input({ extraArgs: ['--qos=x'] }), allowedExtraArgs: [] })).toThrow(/allowed \(as --name=value\): none/);
  });
});

describe('parseSbatchJobId and slurmJobName', () => {
  it.each([
    ['4242\n', '4242'],
    ['4242;cluster1\n', '4242'],
    ['  17  \n', '17'],
    ['4242\nsbatch: warning: something\n', '4242'],
    ['', undefined],
    ['Submitted batch job 4242\n', undefined],
    ['abc;cluster\n', undefined],
  ])('parses %j as %s', (stdout, id) => {
    expect(parseSbatchJobId(stdout)).toBe(id);
  });

  it('names jobs flowserv-<id> with only safe characters, at most 128 long', () => {
    expect(slurmJobName('0123abcd')).toBe('flowserv-0123abcd');
    expect(slurmJobName('a b/c$d')).toBe('flowserv-a_b_c_d');
    expect(slurmJobName('x'.repeat(300))).toHaveLength(128);
  });
});
