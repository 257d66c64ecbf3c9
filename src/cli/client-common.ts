/**
 * What the client commands (submit, status, watch, stop, list, download) share: the common flags
 * (`--json`, and the connection flags of connection-options: `--server`, TLS, token), argument
 * parsing with node:util parseArgs, the exit codes, and how states, workflows and errors are printed.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { GrpcRemoteClient, InvalidArgumentError, RemoteError, UnknownFileError } from '../client/index.js';
import type { GrpcRemoteClientOptions, WorkflowInfo } from '../client/index.js';
import { serializeState, type WorkflowState } from '../model/index.js';
import { EXIT_USAGE, type CliIo, type Command } from './commands.js';
import { connectionHint, resolveConnection, SECURITY_FLAGS_HELP, SECURITY_OPTIONS, serverAddress, type Connection } from './connection-options.js';
import { UsageError } from './usage-error.js';

export { UsageError };

/** Exit codes of the client commands; they reflect the workflow outcome where there is one. */
export const EXIT = {
  /** The command worked; for watch/submit --watch/status: the workflow succeeded (or is still active, for status). */
  OK: 0,
  /** The workflow ended in ERROR. */
  ERROR: 1,
  /** The command line is wrong (the same code every command uses). */
  USAGE: EXIT_USAGE,
  /** The workflow ended CANCELED. */
  CANCELED: 3,
  /** Not found, or any other failed call (unreachable server, invalid request, …). */
  FAILED: 4,
} as const;

/** The help text paragraph on exit codes, shared by every client command. */
export const EXIT_CODES_HELP = `exit codes: 0 success (workflow SUCCESS, or the request worked), 1 workflow ERROR,
  2 usage error, 3 workflow CANCELED, 4 not found or another failed call`;

/** The help text paragraph on the common flags. */
export const COMMON_FLAGS_HELP = `  --server HOST:PORT  server address (default 127.0.0.1:50051, env FLOWSERV_REMOTE_SERVER)
${SECURITY_FLAGS_HELP}
  --json              machine-readable output (one JSON document; JSON lines when following)
  -h, --help          this text`;

const COMMON_OPTIONS = {
  server: { type: 'string' },
  ...SECURITY_OPTIONS,
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** Parsed command line: common flags, the command's own values and positionals. */
export interface Parsed<V> {
  readonly server: string;
  /** Credentials, channel options and token for GrpcRemoteClient; files already read. */
  readonly connection: Connection;
  readonly json: boolean;
  readonly help: boolean;
  readonly values: V;
  readonly positionals: string[];
}

/**
 * parseArgs with the common flags added; unknown flags are UsageErrors. With --help the
 * connection is not resolved (no file is read), so help works whatever the environment holds.
 */
export function parseCommand<O extends NonNullable<ParseArgsConfig['options']>>(
  args: readonly string[],
  options: O,
  io: CliIo,
): Parsed<ReturnType<typeof parseArgs<{ options: O & typeof COMMON_OPTIONS; allowPositionals: true; strict: true }>>['values']> {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { ...options, ...COMMON_OPTIONS } as O & typeof COMMON_OPTIONS,
      allowPositionals: true,
      strict: true,
    });
    const v = values as Record<string, unknown>;
    const help = v.help === true;
    return {
      server: serverAddress(v.server as string | undefined, io.env),
      connection: help ? resolveConnection({}, {}) : resolveConnection(v, io.env),
      json: v.json === true,
      help,
      values: values as never,
      positionals,
    };
  } catch (err) {
    throw err instanceof UsageError ? err : new UsageError((err as Error).message);
  }
}

/** GrpcRemoteClient options of a parsed command line: credentials, channel options, token. */
export function clientOptions(p: Pick<Parsed<unknown>, 'connection'>): GrpcRemoteClientOptions {
  const { credentials, channelOptions, bearerToken } = p.connection;
  return { credentials, channelOptions, ...(bearerToken !== undefined && { bearerToken }) };
}

/** `k=v` pairs → record; a pair without `=` is a UsageError naming `flag`. */
export function keyValues(pairs: readonly string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`${flag} expects name=value, got '${pair}'`);
    out[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return out;
}

/** A non-negative integer flag value. */
export function intFlag(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`${flag} must be a non-negative integer, got '${value}'`);
  return n;
}

/** The exit code a final (or current) state stands for. */
export function exitCodeFor(state: WorkflowState): number {
  if (state.type === 'ERROR') return EXIT.ERROR;
  if (state.type === 'CANCELED') return EXIT.CANCELED;
  return EXIT.OK;
}

/** Seconds since the workflow was created, as `12.3s`. */
export function elapsed(state: WorkflowState, now = new Date()): string {
  const end = 'finishedAt' in state ? state.finishedAt : 'stoppedAt' in state ? state.stoppedAt : now;
  return `${(Math.max(0, end.getTime() - state.createdAt.getTime()) / 1000).toFixed(1)}s`;
}

/** A workflow as a JSON document (states in flowServ's serialization, with the sequence). */
export function workflowJson(w: WorkflowInfo): Record<string, unknown> {
  return {
    workflowId: w.workflowId,
    runId: w.runId,
    ...(w.groupId !== undefined && { groupId: w.groupId }),
    engine: w.engine,
    state: { ...serializeState(w.state), sequence: w.sequence },
    outputFiles: w.outputFiles,
    files: w.files,
    labels: w.labels,
    ...(w.createTime && { createTime: w.createTime.toISOString() }),
    ...(w.owner !== '' && { owner: w.owner }),
  };
}

/** Writes one JSON document (or JSON line). */
export function writeJson(io: CliIo, doc: unknown): void {
  io.stdout.write(`${JSON.stringify(doc)}\n`);
}

/**
 * Prints a failure and returns its exit code: usage problems 2, everything else 4. Field
 * violations are listed one per line; with the `connection` the call was made with, a refusal
 * it explains (no token, no TLS) gets a hint.
 */
export function reportFailure(io: CliIo, command: string, usage: string, err: unknown, connection?: Connection): number {
  if (err instanceof UsageError) {
    io.stderr.write(`${usage}\nflowserv-remote ${command}: ${err.message}\n`);
    return EXIT.USAGE;
  }
  if (err instanceof RemoteError) {
    io.stderr.write(`flowserv-remote ${command}: ${err.name}: ${err.message}${err.reason ? ` [${err.reason}]` : ''}\n`);
    if (err instanceof InvalidArgumentError) for (const v of err.violations) io.stderr.write(`  ${v.field}: ${v.description}\n`);
    const hint = connectionHint(err, connection);
    if (hint) io.stderr.write(`  ${hint}\n`);
    return EXIT.FAILED;
  }
  const message = err instanceof UnknownFileError || err instanceof Error ? err.message : String(err);
  io.stderr.write(`flowserv-remote ${command}: ${message}\n`);
  return EXIT.FAILED;
}

/** A client command: its name, usage text, own flags, and a body that gets a lazily made client. */
export interface ClientCommandSpec<O extends NonNullable<ParseArgsConfig['options']>> {
  readonly name: string;
  readonly usage: string;
  readonly options: O;
  /** Checks its positionals (throwing UsageError) before calling `connect()`; resolves with the exit code. */
  run(p: Parsed<ReturnType<typeof parseCommand<O>>['values']>, connect: () => GrpcRemoteClient, io: CliIo): Promise<number>;
}

/**
 * Wraps a client command's body with what every one of them does: parse the common flags,
 * answer --help, build the client on first use, turn failures into a message and an exit code,
 * and close the client whatever happened.
 */
export function clientCommand<O extends NonNullable<ParseArgsConfig['options']>>(spec: ClientCommandSpec<O>): Command {
  return {
    async run(args, io) {
      let client: GrpcRemoteClient | undefined;
      let connection: Connection | undefined;
      try {
        const p = parseCommand(args, spec.options, io);
        if (p.help) {
          io.stdout.write(spec.usage);
          return EXIT.OK;
        }
        connection = p.connection;
        return await spec.run(p, () => (client ??= new GrpcRemoteClient(p.server, clientOptions(p))), io);
      } catch (err) {
        return reportFailure(io, spec.name, spec.usage, err, connection);
      } finally {
        client?.close();
      }
    },
  };
}
