/** The one translation of engine errors into the service catalogue. */
import { describe, expect, it } from 'vitest';
import { EngineRejectedError, EngineUnavailableError } from '../../../src/engines/types.js';
import { ErrorReason, InvalidArgumentError, ServiceError } from '../../../src/errors.js';
import { engineErrorToServiceError } from '../../../src/service/engine-errors.js';

describe('engineErrorToServiceError', () => {
  it('an unavailable engine is ENGINE_UNAVAILABLE naming the engine', () => {
    const err = engineErrorToServiceError(new EngineUnavailableError('slurm', 'sbatch: controller down'), 'slurm');
    expect(err).toBeInstanceOf(ServiceError);
    expect(err).toMatchObject({ reason: ErrorReason.ENGINE_UNAVAILABLE, message: 'sbatch: controller down', metadata: { engine: 'slurm' } });
  });

  it('a refused job is INVALID_ARGUMENT with an ENGINE_REJECTED violation on resources', () => {
    const err = engineErrorToServiceError(new EngineRejectedError('slurm', 'invalid partition specified: gpu'), 'slurm');
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err).toMatchObject({
      message: "engine 'slurm' refused the workflow: invalid partition specified: gpu",
      violations: [{ field: 'resources', description: 'invalid partition specified: gpu', reason: 'ENGINE_REJECTED' }],
    });
  });

  it('anything else passes through unchanged', () => {
    const other = new Error('disk full');
    expect(engineErrorToServiceError(other, 'local')).toBe(other);
  });
});
