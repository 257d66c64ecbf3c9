/**
 * `flowserv-remote health-probe`: one grpc.health.v1 Check, for a Docker HEALTHCHECK or a
 * Kubernetes exec probe. Exit 0 when SERVING, 1 otherwise (NOT_SERVING, unknown service,
 * unreachable, timeout), 2 for a bad command line. By default it asks the overall status ("")
 * of 127.0.0.1 on FLOWSERV_REMOTE_PORT (or 50051): the same variable the server reads.
 */
import { credentials, makeGenericClientConstructor, Metadata, type ServiceError } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { EXIT_USAGE, type Command } from './commands.js';

const DEFAULT_TIMEOUT_MS = 3_000;

interface ProbeArgs {
  readonly address: string;
  readonly service: string;
  readonly timeoutMs: number;
}

function parseArgs(args: readonly string[], env: Readonly<Record<string, string | undefined>>): ProbeArgs | string {
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const match = /^--(address|service|timeout-ms)(?:=(.*))?$/s.exec(args[i]!);
    if (!match) return `unknown argument '${args[i]}'`;
    const value = match[2] ?? args[++i];
    if (value === undefined) return `--${match[1]} needs a value`;
    values.set(match[1]!, value);
  }
  const timeoutMs = Number(values.get('timeout-ms') ?? DEFAULT_TIMEOUT_MS);
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0) return `--timeout-ms must be a positive integer`;
  return {
    address: values.get('address') ?? `127.0.0.1:${env.FLOWSERV_REMOTE_PORT ?? '50051'}`,
    service: values.get('service') ?? '',
    timeoutMs,
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
    const parsed = parseArgs(args, io.env);
    if (typeof parsed === 'string') {
      io.stderr.write(`usage: flowserv-remote health-probe [--address host:port] [--service name] [--timeout-ms ms]\n${parsed}\n`);
      return EXIT_USAGE;
    }
    const Client = makeGenericClientConstructor(healthService, 'grpc.health.v1.Health');
    const client = new Client(parsed.address, credentials.createInsecure());
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
      return 1;
    } finally {
      client.close();
    }
  },
};
