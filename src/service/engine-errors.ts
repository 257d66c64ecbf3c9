/**
 * The one translation of engine errors (src/engines/types.ts) into the service's catalogue
 * (src/errors.ts), as connect-node turns Node errors into its one error type in one function.
 * Everything past the service sees only ServiceErrors; the status function knows nothing of engines.
 */
import { EngineRejectedError, EngineUnavailableError } from '../engines/types.js';
import { ErrorReason, InvalidArgumentError, ServiceError, ViolationReason } from '../errors.js';

/**
 * The catalogue error for an engine error raised while handling a call on `engine`: a scheduler
 * that cannot take work now is ENGINE_UNAVAILABLE (retryable); a refused job is INVALID_ARGUMENT
 * with a `resources` violation. Any other error is returned unchanged.
 */
export function engineErrorToServiceError(err: unknown, engine: string): unknown {
  if (err instanceof EngineUnavailableError) return new ServiceError(ErrorReason.ENGINE_UNAVAILABLE, err.message, { engine });
  if (err instanceof EngineRejectedError) {
    return new InvalidArgumentError(`engine '${engine}' refused the workflow: ${err.message}`, [
      { field: 'resources', description: err.message, reason: ViolationReason.ENGINE_REJECTED },
    ]);
  }
  return err;
}
