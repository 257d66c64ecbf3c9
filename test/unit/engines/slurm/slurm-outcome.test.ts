/** From one poll result plus the runner's files to a JobStatus, for every way a Slurm job ends. */
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { JobPollResult } from '../../../../src/engines/slurm/job-poller.js';
import { statusFromPoll } from '../../../../src/engines/slurm/slurm-outcome.js';
import type { JobHandle } from '../../../../src/engines/types.js';
import { createFakeSlurm, type FakeSlurm } from './fake-slurm.js';

let slurm: FakeSlurm;
let handle: JobHandle;

beforeEach(async () => {
  const base = await mkdtemp(join(tmpdir(), 'slurm-outcome-'));
  slurm = createFakeSlurm();
  const controlDir = join(base, 'ctl');
  await mkdir(controlDir);
  const id = (await slurm.cli.run('sbatch', [`--output=${controlDir}/slurm-%j.out`, join(controlDir, 'run.sh')])).stdout.trim();
  handle = { engine: 'slurm', externalId: id, workDir: join(base, 'work'), controlDir };
});

const found = (state: string): JobPollResult => ({ kind: 'found', state, reason: 'None' });
const status = (poll: JobPollResult) => statusFromPoll(handle, poll, { cli: slurm.cli, exitFileGraceMs: 0 });

describe('statusFromPoll', () => {
  it('knows nothing when the poll failed (controller unreachable)', async () => {
    expect(await status({ kind: 'error', message: 'Unable to contact slurm controller' })).toBeUndefined();
  });

  it('is queued while pending and running once started, with the runner start time', async () => {
    expect(await status(found('PENDING'))).toEqual({ kind: 'queued' });
    expect(await status(found('RUNNING'))).toEqual({ kind: 'running' });
    await slurm.start(handle.externalId);
    const running = await status(found('RUNNING'));
    expect(running?.kind === 'running' && running.startedAt).toBeInstanceOf(Date);
  });

  it('takes the outcome from the exit-status file for COMPLETED and FAILED', async () => {
    await slurm.start(handle.externalId);
    await writeFile(join(handle.controlDir, 'exit-status'), '0 -1 -1\n');
    expect(await status(found('COMPLETED'))).toMatchObject({ kind: 'ended', outcome: { kind: 'succeeded' } });
    await writeFile(join(handle.controlDir, 'exit-status'), '3 0 0\n');
    expect(await status(found('FAILED'))).toMatchObject({ kind: 'ended', outcome: { kind: 'failed', exitCode: 3 } });
  });

  it('calls a COMPLETED job without exit status lost, and a FAILED one failed with Slurm\'s exit code', async () => {
    expect(await status(found('COMPLETED'))).toMatchObject({
      kind: 'ended',
      outcome: { kind: 'lost', message: expect.stringContaining('COMPLETED but the job left no exit status') },
    });
    slurm.setState(handle.externalId, 'FAILED', '2:0');
    const failed = await status(found('FAILED'));
    expect(failed).toMatchObject({ kind: 'ended', outcome: { kind: 'failed', exitCode: 2 } });
    expect(failed?.kind === 'ended' && failed.outcome.kind === 'failed' && failed.outcome.messages[0]).toMatch(
      /FAILED \(exit code 2\) before the job runner recorded an exit status/,
    );
  });

  it('explains cancel, time limit and scheduler failures, with the end time Slurm recorded', async () => {
    slurm.setState(handle.externalId, 'CANCELLED', '0:15');
    const canceled = await status(found('CANCELLED'));
    expect(canceled).toMatchObject({ kind: 'ended', outcome: { kind: 'canceled', message: expect.stringContaining('was cancelled') } });
    await writeFile(join(handle.controlDir, `slurm-${handle.externalId}.err`), 'slurmstepd: *** JOB CANCELLED DUE TO TIME LIMIT ***\n');
    slurm.setState(handle.externalId, 'TIMEOUT', '0:15');
    expect(await status(found('TIMEOUT'))).toMatchObject({
      kind: 'ended',
      outcome: { kind: 'failed', exitCode: 143, messages: ['Slurm: time limit reached', 'slurmstepd: *** JOB CANCELLED DUE TO TIME LIMIT ***\n'] },
    });
    slurm.setState(handle.externalId, 'NODE_FAIL', '0:9');
    expect(await status(found('NODE_FAIL'))).toMatchObject({
      kind: 'ended',
      outcome: { kind: 'failed', exitCode: 137, messages: [expect.stringMatching(/^Slurm: the node running the job failed \(state NODE_FAIL\)/), expect.any(String)] },
    });
  });

  it('still ends a job when scontrol cannot be reached for the details', async () => {
    slurm.down();
    expect(await status(found('TIMEOUT'))).toMatchObject({ kind: 'ended', outcome: { kind: 'failed', exitCode: 1 } });
  });

  it('finalizes a job Slurm forgot from its exit status, else calls it lost', async () => {
    expect(await status({ kind: 'unknown' })).toMatchObject({
      kind: 'ended',
      outcome: { kind: 'lost', message: expect.stringContaining(`Slurm has no record of job ${handle.externalId}`) },
    });
    await writeFile(join(handle.controlDir, 'exit-status'), '0 -1 -1\n');
    expect(await status({ kind: 'unknown' })).toMatchObject({ kind: 'ended', outcome: { kind: 'succeeded' } });
  });
});
