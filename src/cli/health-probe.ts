/**
 * `flowserv-remote health-probe`: one grpc.health.v1 Check, for a Docker HEALTHCHECK or a
 * Kubernetes exec probe. Exit 0 when SERVING, 1 otherwise (NOT_SERVING, unknown service,
 * unreachable, timeout, TLS handshake refused), 2 for a bad command line. By default it asks the
 * overall status ("") of 127.0.0.1 on FLOWSERV_REMOTE_PORT (or 50051): the same variable the
 * server reads. Against a TLS server it takes the client commands' TLS and token flags
 * (connection-options); kubelet's own gRPC probes cannot do TLS, so this is the probe to use there.
 */
import { makeGenericClientConstructor, Metadata, type ServiceError } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { parseArgs } from 'node:util';
import { bearerTokenInterceptor } from '../client/bearer-token.js';
import { EXIT_USAGE, type CliIo, type Command } from './commands.js';
import { connectionHint, resolveConnection, SECURITY_FLAGS_HELP, SECURITY_OPTIONS, type Connection } from './connection-options.js';
import { UsageError } from './usage-error.js';

const DEFAULT_TIMEOUT_MS = 3_000;

const USAGE = `usage: flowserv-remote health-probe [flags]

Asks the server's grpc.health.v1 Check once. Exit 0 when SERVING; 1 otherwise (NOT_SERVING,
unknown service, unreachable, timeout, TLS refused); 2 for a bad command line.

flags:
  --server HOST:PORT  server address, as for the client commands (default $FLOWSERV_REMOTE_SERVER,
                      else 127.0.0.1:$FLOWSERV_REMOTE_PORT, else 127.0.0.1:50051);
                      --address is an older spelling of the same flag
  --service NAME      service to check (default "": the whole server)
  --timeout-ms MS     deadline in milliseconds (default ${DEFAULT_TIMEOUT_MS})
${SECURITY_FLAGS_HELP}
                      (the server answers health checks without a token; one given is sent anyway)
  -h, --help          this text
`;

const OPTIONS = {
  server: { type: 'string' },
  address: { type: 'string' },
  service: { type: 'string' },
  'timeout-ms': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  ...SECURITY_OPTIONS,
} as const;

interface ProbeArgs {
  readonly address: string;
  readonly service: string;
  readonly timeoutMs: number;
  readonly connection: Connection;
}

function parseProbeArgs(args: readonly string[], env: CliIo['env']): ProbeArgs | 'help' {
  let values;
  try {
    ({ values } = parseArgs({ args: [...args], options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help === true) return 'help';
  if (values.server !== undefined && values.address !== undefined && values.server !== values.address) {
    throw new UsageError('--server and --address name the same setting; give one');
  }
  const timeoutMs = Number(values['timeout-ms'] ?? DEFAULT_TIMEOUT_MS);
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0) throw new UsageError('--timeout-ms must be a positive integer');
  return {
    address: values.server ?? values.address ?? env.FLOWSERV_REMOTE_SERVER ?? `127.0.0.1:${env.FLOWSERV_REMOTE_PORT ?? '50051'}`,
    service: values.service ?? '',
    timeoutMs,
    connection: resolveConnection(values, env),
  };
}

type CheckFn = (
  request: { service: string },
  metadata: Metadata,
  options: { deadline: Date },
  callback: (err: ServiceError | null, response?: { status: string }) => void,
) => void;

export const command: Command = {
  async run(args, io) {
    let parsed: ProbeArgs | 'help';
    try {
      parsed = parseProbeArgs(args, io.env);
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      io.stderr.write(`${USAGE}flowserv-remote health-probe: ${err.message}\n`);
      return EXIT_USAGE;
    }
    if (parsed === 'help') {
      io.stdout.write(USAGE);
      return 0;
    }
    const { connection } = parsed;
    const Client = makeGenericClientConstructor(healthService, 'grpc.health.v1.Health');
    const client = new Client(parsed.address, connection.credentials, {
      ...connection.channelOptions,
      ...(connection.bearerToken !== undefined && { interceptors: [bearerTokenInterceptor(connection.bearerToken)] }),
    });
    try {
      const status = await new Promise<string>((resolve, reject) =>
        (client as unknown as { Check: CheckFn }).Check(
          { service: parsed.service },
          new Metadata(),
          { deadline: new Date(Date.now() + parsed.timeoutMs) },
          (err, response) => (err ? reject(err) : resolve(response?.status ?? 'UNKNOWN')),
        ),
      );
      io.stdout.write(`${status}\n`);
      return status === 'SERVING' ? 0 : 1;
    } catch (err) {
      io.stderr.write(`health check of ${parsed.address} failed: ${(err as Error).message}\n`);
      const hint = connectionHint(err, connection);
      if (hint) io.stderr.write(`  ${hint}\n`);
      return 1;
    } finally {
      client.close();
    }
  },
};
