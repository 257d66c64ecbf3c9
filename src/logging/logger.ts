/**
 * The one pino root logger of a server process. Components get children
 * (`componentLogger(root, 'engine.slurm')`), calls get children of those (`{rpc, workflowId}`);
 * nothing builds a logger from request data. Credentials never reach the log: authorization
 * headers, tokens and passwords are redacted wherever they appear in a logged object.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config/load-config.js';

export type { Logger } from 'pino';

/** Paths pino censors in every line (`[Redacted]`). Keys are matched case-sensitively. */
export const REDACT_PATHS: readonly string[] = [
  'authorization',
  'token',
  'password',
  '*.authorization',
  '*.token',
  '*.password',
  '*.*.authorization',
  '*.*.token',
  'metadata.*.authorization',
  'headers.authorization',
  'headers.cookie',
  'metadata.cookie',
];

/** Options of the root logger. */
export interface LoggerOptions {
  readonly level: LogLevel;
  /** Where JSON lines go; stdout (fd 1, synchronous) by default. Tests pass a stream. */
  readonly destination?: DestinationStream;
}

/**
 * Creates the process's root logger: JSON lines with an ISO `time`, `level` as a name (easier
 * to grep and to query in log stores than pino's numbers) and redaction of credentials.
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      name: 'flowserv-remote',
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: [...REDACT_PATHS], censor: '[Redacted]' },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/**
 * The logger of one component, named as a dotted path under the root (`server`,
 * `server.security`, `service`, `service.dispatcher`, `engine.local`). Always made from the root:
 * a child of a child that also sets `component` would write the key twice in one line.
 */
export function componentLogger(root: Logger, component: string): Logger {
  return root.child({ component });
}
