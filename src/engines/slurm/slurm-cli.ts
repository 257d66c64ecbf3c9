/**
 * Runs the Slurm client commands (sbatch, squeue, scontrol, scancel, sinfo) with execFile: no
 * shell, a timeout on every call, an AbortSignal, and an environment that never carries
 * `SLURM_JWT` (with it the commands switch to JWT authentication and fail against munge).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

/** The Slurm commands the adapter uses. */
export type SlurmCommand = 'sbatch' | 'squeue' | 'scontrol' | 'scancel' | 'sinfo';

/** Options of createSlurmCli. */
export interface SlurmCliOptions {
  /** Directory holding the Slurm binaries; default: found on PATH. */
  readonly binDir?: string;
  /** Longest a single command may run before it is killed, in ms. Default 30000. */
  readonly commandTimeoutMs?: number;
  /**
   * Environment of the commands; default process.env. sbatch exports it to the job (Slurm's
   * default `--export=ALL`), so pass a filtered copy to keep server secrets from jobs.
   * `SLURM_JWT` is always removed.
   */
  readonly env?: NodeJS.ProcessEnv;
  /** Called before every command (metrics, tests counting squeue calls). */
  readonly onCommand?: (command: SlurmCommand, args: readonly string[]) => void;
  /** Called after every command with its duration in seconds and whether it exited 0 (metrics). */
  readonly onCommandEnd?: (command: SlurmCommand, seconds: number, ok: boolean) => void;
}

/** What a command printed; only returned for exit code 0. */
export interface SlurmCommandOutput {
  readonly stdout: string;
  readonly stderr: string;
}

/** A Slurm command that failed: non-zero exit, timeout, or could not be started. */
export class SlurmCommandError extends Error {
  override readonly name = 'SlurmCommandError';
  constructor(
    readonly command: SlurmCommand,
    message: string,
    /** Exit code, or undefined when the command was killed or never started. */
    readonly exitCode: number | undefined,
    readonly stderr: string,
    /** The command ran past its timeout, or failed to start (binary missing). */
    readonly unreachable: boolean,
  ) {
    super(message);
  }
}

/** Runs Slurm commands; one instance per adapter. */
export interface SlurmCli {
  /** Runs `command args`; resolves on exit code 0, otherwise rejects with SlurmCommandError. */
  run(command: SlurmCommand, args: readonly string[], options?: SlurmRunOptions): Promise<SlurmCommandOutput>;
}

/** Per-call options of SlurmCli.run. */
export interface SlurmRunOptions {
  /** Kills the command; the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Overrides the adapter's command timeout for this call, in ms. */
  readonly timeoutMs?: number;
}

/** Default per-command timeout, in ms. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 30_000;

/** Creates the command runner. */
export function createSlurmCli(options: SlurmCliOptions = {}): SlurmCli {
  const defaultTimeout = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env) };
  delete env.SLURM_JWT;
  const binary = (command: SlurmCommand): string =>
    options.binDir === undefined ? command : join(options.binDir, command);

  function run(command: SlurmCommand, args: readonly string[], opts: SlurmRunOptions = {}): Promise<SlurmCommandOutput> {
    const { signal } = opts;
    const timeout = opts.timeoutMs ?? defaultTimeout;
    signal?.throwIfAborted();
    options.onCommand?.(command, args);
    const { onCommandEnd } = options;
    if (onCommandEnd === undefined) return exec(command, args, signal, timeout);
    const startedAt = performance.now();
    const seconds = () => (performance.now() - startedAt) / 1000;
    return exec(command, args, signal, timeout).then(
      (output) => {
        onCommandEnd(command, seconds(), true);
        return output;
      },
      (err: unknown) => {
        onCommandEnd(command, seconds(), false);
        throw err;
      },
    );
  }

  function exec(command: SlurmCommand, args: readonly string[], signal: AbortSignal | undefined, timeout: number): Promise<SlurmCommandOutput> {
    return new Promise((resolve, reject) => {
      execFile(
        binary(command),
        [...args],
        { env, timeout, killSignal: 'SIGKILL', signal, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
        (err, stdout, stderr) => {
          if (!err) {
            resolve({ stdout, stderr });
            return;
          }
          if (signal?.aborted) {
            reject(signal.reason instanceof Error ? signal.reason : err);
            return;
          }
          const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: number | string };
          const text = stderr.trim() || stdout.trim();
          if (typeof e.code === 'number') {
            reject(new SlurmCommandError(command, text || `${command} exited with code ${e.code}`, e.code, stderr, false));
          } else if (e.killed) {
            const msg = `${command} did not answer within ${timeout} ms${text ? `: ${text}` : ''}`;
            reject(new SlurmCommandError(command, msg, undefined, stderr, true));
          } else {
            reject(new SlurmCommandError(command, `cannot run ${binary(command)}: ${e.message}`, undefined, stderr, true));
          }
        },
      );
    });
  }

  return { run };
}
