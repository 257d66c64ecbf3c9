/**
 * The process entry behind `flowserv-remote`: the one place that reads `process.env` and the
 * process's streams. Everything below receives them as values (CLI commands get them in CliIo,
 * the server gets a frozen Config), so tests can run any of it with their own environment.
 * The server itself is assembled by createApp (src/app.ts) from the `serve` command.
 */
import { runCli } from './cli/commands.js';

/** Runs the CLI with this process's environment; resolves with the exit code. */
export function main(argv: readonly string[]): Promise<number> {
  return runCli(argv, { env: { ...process.env }, stdout: process.stdout, stderr: process.stderr });
}
