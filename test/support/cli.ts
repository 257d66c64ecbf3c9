/**
 * Runs the `flowserv-remote` CLI in this process through runCli, with captured stdout and stderr
 * and an environment of the test's choosing (nothing of the test process's own environment).
 */
import { PassThrough } from 'node:stream';
import { runCli, type CliIo } from '../../src/cli/commands.js';

/** What one CLI run printed and its exit code. */
export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** A CLI run still going: what it printed so far, and its exit code once it ends. */
export interface RunningCli {
  readonly done: Promise<number>;
  out(): string;
  err(): string;
}

/** Starts `flowserv-remote <argv>` with `env` as its whole environment; for commands that follow live output. */
export function startCliInProcess(argv: readonly string[], env: CliIo['env'] = {}): RunningCli {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = runCli(argv, { env, stdout, stderr });
  return { done, out: () => out, err: () => err };
}

/** Runs `flowserv-remote <argv>` with `env` as its whole environment, to its end. */
export async function runCliInProcess(argv: readonly string[], env: CliIo['env'] = {}): Promise<CliRun> {
  const run = startCliInProcess(argv, env);
  const code = await run.done;
  return { code, out: run.out(), err: run.err() };
}
