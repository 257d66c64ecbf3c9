/**
 * The process entry behind `flowserv-remote`: the one place that reads `process.env` and the
 * process's streams. Everything below receives them as values (CLI commands get them in CliIo,
 * the server gets a frozen Config), so tests can run any of it with their own environment.
 * The server itself is assembled by createApp (src/app.ts) from the `serve` command.
 *
 * `serve` with OpenTelemetry configured (OTEL_* variables) starts tracing first, before the
 * commands and with them @grpc/grpc-js are loaded, so that the gRPC instrumentation can patch it.
 */
import { tracingConfigured } from './tracing/tracing-config.js';

/** Runs the CLI with this process's environment; resolves with the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const env = { ...process.env };
  if (argv[0] === 'serve' && tracingConfigured(env)) {
    const { startTracing } = await import('./tracing/start-tracing.js');
    startTracing(env);
  }
  const { runCli } = await import('./cli/commands.js');
  return runCli(argv, { env, stdout: process.stdout, stderr: process.stderr });
}
