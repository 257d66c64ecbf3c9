import { describe, expect, it } from 'vitest';
import { buildSbatchArgs, resourceProblems } from '../../../../src/engines/slurm/sbatch-args.js';
import { EngineRejectedError, type JobResources } from '../../../../src/engines/types.js';

const job = (resources?: JobResources) => ({ workflowId: 'w1', workDir: '/s/w1/work', controlDir: '/s/w1/control', steps: [], ...(resources && { resources }) });
const allowed = ['--nodes', '--qos'];

describe('the Slurm resource pre-check (validate) and sbatch arguments', () => {
  it('accepts sound resources and passes them to sbatch', () => {
    const resources = { partition: 'debug', timeLimitMinutes: 2, cpus: 2, memoryMb: 100, extraArgs: ['--nodes=1'] };
    expect(resourceProblems({ job: job(resources), defaults: {}, allowedExtraArgs: allowed })).toEqual([]);
    const args = buildSbatchArgs({ engine: 'slurm', job: job(resources), runnerPath: '/s/w1/control/run.sh', defaults: {}, allowedExtraArgs: allowed });
    expect(args).toEqual(expect.arrayContaining(['--partition=debug', '--time=2', '--cpus-per-task=2', '--mem=100M', '--nodes=1']));
    expect(args.at(-1)).toBe('/s/w1/control/run.sh');
  });

  it('lists every resource sbatch must not get, each under its own field', () => {
    const resources = { partition: 'a b', timeLimitMinutes: 1.5, cpus: 0, memoryMb: -1, extraArgs: ['--wrap=rm -rf /', '--qos=high', '--nodes'] };
    const problems = resourceProblems({ job: job(resources), defaults: {}, allowedExtraArgs: allowed });
    expect(problems.map((p) => p.resource)).toEqual(['partition', 'timeLimitMinutes', 'cpus', 'memoryMb', 'extraArgs', 'extraArgs']);
    expect(problems[0]!.message).toBe("invalid partition name 'a b'");
    expect(problems[1]!.message).toBe('timeLimitMinutes must be a positive integer, got 1.5');
    expect(problems[4]!.message).toMatch(/'--wrap=rm -rf \/' is not allowed; allowed \(as --name=value\): --nodes, --qos/);
    expect(() => buildSbatchArgs({ engine: 'slurm', job: job(resources), runnerPath: '/r', defaults: {}, allowedExtraArgs: allowed })).toThrow(
      new EngineRejectedError('slurm', "invalid partition name 'a b'"),
    );
  });

  it("checks the server's defaults where the job sets nothing", () => {
    expect(resourceProblems({ job: job(), defaults: { cpus: 0 }, allowedExtraArgs: [] })).toEqual([
      { resource: 'cpus', message: 'cpus must be a positive integer, got 0' },
    ]);
    expect(resourceProblems({ job: job({ cpus: 4 }), defaults: { cpus: 0 }, allowedExtraArgs: [] })).toEqual([]);
  });
});
