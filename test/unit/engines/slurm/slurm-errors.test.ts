/** What a failed Slurm command means: controller unreachable (retry) or a refusal (the caller's fault). */
import { describe, expect, it } from 'vitest';
import { SlurmCommandError } from '../../../../src/engines/slurm/slurm-cli.js';
import { isControllerUnreachable, slurmMessage, submitError } from '../../../../src/engines/slurm/slurm-errors.js';
import { EngineRejectedError, EngineUnavailableError } from '../../../../src/engines/types.js';

const failed = (message: string, unreachable = false) => new SlurmCommandError('sbatch', message, unreachable ? undefined : 1, message, unreachable);

describe('Slurm command errors', () => {
  it.each([
    ['sbatch: error: Batch job submission failed: Unable to contact slurm controller (connect failure)', true],
    ['squeue: error: Socket timed out on send/recv operation', true],
    ['sbatch: error: Munge decode failed: Expired credential', true],
    ['sbatch: error: Slurmctld is busy', true],
    ['sbatch: error: Batch job submission failed: Invalid partition name specified', false],
    ['sbatch: error: Batch job submission failed: Requested node configuration is not available', false],
  ])('%j unreachable: %s', (message, unreachable) => {
    expect(isControllerUnreachable(failed(message))).toBe(unreachable);
  });

  it('counts a timeout or a missing binary as unreachable, and nothing that is not a Slurm command error', () => {
    expect(isControllerUnreachable(failed('sbatch did not answer within 30000 ms', true))).toBe(true);
    expect(isControllerUnreachable(new Error('Unable to contact slurm controller'))).toBe(false);
  });

  it("keeps Slurm's message without the command prefixes, one message per line joined", () => {
    expect(slurmMessage(failed('sbatch: error: Batch job submission failed: Invalid partition name specified\n'))).toBe(
      'Batch job submission failed: Invalid partition name specified',
    );
    expect(slurmMessage(new Error('squeue: error: one\n\nsqueue: error: two  '))).toBe('one; two');
    expect(slurmMessage('plain text')).toBe('plain text');
  });

  it('turns an sbatch failure into the adapter contract: unavailable (retry later) or rejected (bad job)', () => {
    const down = submitError('slurm', failed('sbatch: error: Unable to contact slurm controller (connect failure)'));
    expect(down).toBeInstanceOf(EngineUnavailableError);
    expect(down.message).toBe('sbatch failed: Unable to contact slurm controller (connect failure)');
    const refused = submitError('slurm', failed('sbatch: error: Batch job submission failed: Invalid account'));
    expect(refused).toBeInstanceOf(EngineRejectedError);
    expect(refused.message).toBe('sbatch failed: Batch job submission failed: Invalid account');
    expect(submitError('slurm', new Error('spawn EACCES'))).toBeInstanceOf(EngineUnavailableError);
  });
});
