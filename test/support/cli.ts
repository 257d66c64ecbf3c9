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

/** Runs `flowserv-remote <argv>` with `env` as its whole environment. */
export async function runCliInProcess(argv: readonly string[], env: CliIo['env'] = {}): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await runCli(argv, { env, stdout, stderr });
  return { code, out, err };
}
