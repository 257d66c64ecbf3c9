/**
 * What a failed Slurm command means, in one place: the controller could not be reached (retry
 * later: EngineUnavailableError) or it refused the job as specified (EngineRejectedError), and
 * Slurm's own message without its `sbatch: error:` prefixes. The Slurm counterpart of a Node
 * errno translation: every Slurm module asks here instead of matching messages itself.
 */
import { EngineRejectedError, EngineUnavailableError } from '../types.js';
import { SlurmCommandError } from './slurm-cli.js';

/** Messages of Slurm commands that mean "the controller could not be reached". */
const UNREACHABLE =
  /Unable to contact slurm controller|Socket timed out|Connection refused|Connection timed out|Zero Bytes were transmitted|Communication connection failure|Unable to establish|Transport endpoint|Protocol authentication error|[Mm]unge|Slurm backup controller in standby|Resource temporarily unavailable|Slurmctld is busy|Unable to resolve/;

/** True when a Slurm command failed because the controller is unreachable (or too slow). */
export function isControllerUnreachable(err: unknown): boolean {
  return err instanceof SlurmCommandError && (err.unreachable || UNREACHABLE.test(err.message));
}

/** Slurm's message without the `sbatch: error: ` prefixes, on one line per message. */
export function slurmMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text
    .split('\n')
    .map((l) => l.replace(/^\w+: error: /, '').trim())
    .filter((l) => l.length > 0)
    .join('; ');
}

/**
 * Turns an sbatch failure into the adapter contract's errors: unreachable controller →
 * EngineUnavailableError; anything the controller or sbatch itself refused → EngineRejectedError.
 * Both carry Slurm's own message.
 */
export function submitError(engine: string, err: unknown): Error {
  const message = `sbatch failed: ${slurmMessage(err)}`;
  if (!(err instanceof SlurmCommandError) || isControllerUnreachable(err)) return new EngineUnavailableError(engine, message);
  return new EngineRejectedError(engine, message);
}
