/**
 * How the client commands (submit, status, watch, stop, list, download) and health-probe reach
 * a server: the address (`--server`; health-probe also accepts its older `--address`),
 * TLS (`--tls`, `--tls-ca-file`, `--tls-cert-file`/`--tls-key-file` for mutual TLS,
 * `--tls-server-name`) and the bearer token (`--token-file`, or FLOWSERV_REMOTE_TOKEN).
 *
 * Flags win over variables. The TLS variables are FLOWSERV_REMOTE_CLIENT_TLS_*, named apart from
 * the server's FLOWSERV_REMOTE_TLS_* settings so that a probe running beside the server never
 * picks up the server's own certificate. Files are read once, here; a missing, unreadable or
 * non-PEM file is a UsageError naming the flag or variable. No message ever contains the token.
 */
import { credentials, status as Code, type ChannelCredentials, type ChannelOptions } from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import { B64TOKEN } from '../wire/bearer.js';
import type { CliIo } from './commands.js';
import { UsageError } from './usage-error.js';

/** Server address of the client commands when neither `--server` nor FLOWSERV_REMOTE_SERVER is set. */
export const DEFAULT_SERVER = '127.0.0.1:50051';

/** The environment variable behind each connection flag. */
export const CONNECTION_ENV = {
  server: 'FLOWSERV_REMOTE_SERVER',
  tls: 'FLOWSERV_REMOTE_CLIENT_TLS',
  'tls-ca-file': 'FLOWSERV_REMOTE_CLIENT_TLS_CA_FILE',
  'tls-cert-file': 'FLOWSERV_REMOTE_CLIENT_TLS_CERT_FILE',
  'tls-key-file': 'FLOWSERV_REMOTE_CLIENT_TLS_KEY_FILE',
  'tls-server-name': 'FLOWSERV_REMOTE_CLIENT_TLS_SERVER_NAME',
  token: 'FLOWSERV_REMOTE_TOKEN',
} as const;

/** node:util parseArgs specs of the TLS and token flags (client commands and health-probe). */
export const SECURITY_OPTIONS = {
  tls: { type: 'boolean' },
  'tls-ca-file': { type: 'string' },
  'tls-cert-file': { type: 'string' },
  'tls-key-file': { type: 'string' },
  'tls-server-name': { type: 'string' },
  'token-file': { type: 'string' },
} as const;

/** The values parseArgs returns for SECURITY_OPTIONS. */
export interface SecurityValues {
  readonly tls?: boolean;
  readonly 'tls-ca-file'?: string;
  readonly 'tls-cert-file'?: string;
  readonly 'tls-key-file'?: string;
  readonly 'tls-server-name'?: string;
  readonly 'token-file'?: string;
}

/** Help text lines of the TLS and token flags, indented like the other flags. */
export const SECURITY_FLAGS_HELP = `  --tls               use TLS, trusting the system's root CAs (env ${CONNECTION_ENV.tls}=true)
  --tls-ca-file PATH  trust this PEM CA bundle instead; implies --tls (env ${CONNECTION_ENV['tls-ca-file']})
  --tls-cert-file PATH, --tls-key-file PATH
                      client certificate and key for mutual TLS; implies --tls
                      (env ${CONNECTION_ENV['tls-cert-file']}, ${CONNECTION_ENV['tls-key-file']})
  --tls-server-name NAME
                      name to check the server certificate against, e.g. when connecting by IP;
                      implies --tls (env ${CONNECTION_ENV['tls-server-name']})
  --token-file PATH   bearer token: the first line that is not blank or a # comment
                      (else env ${CONNECTION_ENV.token} holds the token itself)`;

/** What the flags resolve to: what GrpcRemoteClient (or a raw grpc-js client) is built with. */
export interface Connection {
  /** TLS credentials (with the given CA and client certificate) or plaintext. */
  readonly credentials: ChannelCredentials;
  /** `grpc.ssl_target_name_override` with --tls-server-name; else empty. */
  readonly channelOptions: ChannelOptions;
  /** Sent as `authorization: Bearer …`; undefined when no token was given. */
  readonly bearerToken: string | undefined;
  /** Whether TLS is on, for the hints of failure messages. */
  readonly tls: boolean;
}

type Env = CliIo['env'];

/** `--server`, else FLOWSERV_REMOTE_SERVER, else DEFAULT_SERVER. */
export function serverAddress(flag: string | undefined, env: Env): string {
  return flag ?? env[CONNECTION_ENV.server] ?? DEFAULT_SERVER;
}

/** A flag's value with its source (`--flag` or the variable), for messages. */
interface Sourced {
  readonly value: string;
  readonly source: string;
}

function pick(values: SecurityValues, env: Env, flag: Exclude<keyof typeof CONNECTION_ENV, 'server' | 'tls' | 'token'>): Sourced | undefined {
  const fromFlag = values[flag];
  if (fromFlag !== undefined) return { value: fromFlag, source: `--${flag}` };
  const fromEnv = env[CONNECTION_ENV[flag]];
  return fromEnv !== undefined && fromEnv !== '' ? { value: fromEnv, source: CONNECTION_ENV[flag] } : undefined;
}

function readFile(file: Sourced): Buffer {
  try {
    return readFileSync(file.value);
  } catch (err) {
    throw new UsageError(`${file.source}: cannot read '${file.value}' (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

function readPem(file: Sourced | undefined): Buffer | null {
  if (file === undefined) return null;
  const pem = readFile(file);
  if (!pem.includes('-----BEGIN ')) throw new UsageError(`${file.source}: '${file.value}' holds no PEM block`);
  return pem;
}

function envSwitch(env: Env): boolean {
  const raw = env[CONNECTION_ENV.tls]?.trim().toLowerCase();
  if (raw === undefined || raw === '' || raw === 'false' || raw === '0' || raw === 'no') return false;
  if (raw === 'true' || raw === '1' || raw === 'yes') return true;
  throw new UsageError(`${CONNECTION_ENV.tls} must be true or false`);
}

/** A token must be a RFC 6750 b64token; the message never repeats it. */
function checkedToken(token: string, source: string): string {
  if (!B64TOKEN.test(token)) throw new UsageError(`${source}: the token holds characters a bearer token cannot have (A-Z a-z 0-9 - . _ ~ + / then = padding; no spaces)`);
  return token;
}

function bearerToken(values: SecurityValues, env: Env): string | undefined {
  const file = values['token-file'];
  if (file !== undefined) {
    const line = readFile({ value: file, source: '--token-file' })
      .toString('utf8')
      .split(/\r?\n/)
      .map((l) => l.replace(/#.*$/, '').trim())
      .find((l) => l !== '');
    if (line === undefined) throw new UsageError(`--token-file: '${file}' holds no token (only blank or # comment lines)`);
    return checkedToken(line, '--token-file');
  }
  const fromEnv = env[CONNECTION_ENV.token]?.trim();
  return fromEnv ? checkedToken(fromEnv, CONNECTION_ENV.token) : undefined;
}

/**
 * Resolves the TLS and token flags (and their variables) into a Connection. Any TLS file or
 * --tls-server-name implies TLS. Throws UsageError for a missing or unreadable file, a
 * certificate without its key (or the reverse), a pair that does not fit, or a bad token.
 */
export function resolveConnection(values: SecurityValues, env: Env): Connection {
  const ca = pick(values, env, 'tls-ca-file');
  const cert = pick(values, env, 'tls-cert-file');
  const key = pick(values, env, 'tls-key-file');
  const serverName = pick(values, env, 'tls-server-name');
  if ((cert === undefined) !== (key === undefined)) {
    throw new UsageError(`${(cert ?? key)!.source}: mutual TLS needs both --tls-cert-file and --tls-key-file`);
  }
  const tls = values.tls === true || envSwitch(env) || ca !== undefined || cert !== undefined || serverName !== undefined;
  const token = bearerToken(values, env);
  if (!tls) return { credentials: credentials.createInsecure(), channelOptions: {}, bearerToken: token, tls };
  const [caPem, certPem, keyPem] = [readPem(ca), readPem(cert), readPem(key)];
  let creds: ChannelCredentials;
  try {
    creds = credentials.createSsl(caPem, keyPem, certPem);
  } catch (err) {
    const given = [ca, cert, key].filter((f) => f !== undefined).map((f) => f.source);
    throw new UsageError(`${given.join(', ')}: unusable TLS files (${(err as Error).message})`);
  }
  return {
    credentials: creds,
    channelOptions: serverName ? { 'grpc.ssl_target_name_override': serverName.value } : {},
    bearerToken: token,
    tls,
  };
}

/**
 * One line of advice for a failed call the connection settings may explain (no token on an
 * UNAUTHENTICATED call, plaintext on an UNAVAILABLE one); '' when none applies. `err` is a
 * RemoteError or a grpc-js ServiceError: anything with a numeric gRPC `code`.
 */
export function connectionHint(err: unknown, connection: Connection | undefined): string {
  if (connection === undefined) return '';
  const code = (err as { code?: unknown } | null)?.code;
  if (code === Code.UNAUTHENTICATED && connection.bearerToken === undefined) {
    return `hint: the server requires a bearer token: pass --token-file PATH or set ${CONNECTION_ENV.token}`;
  }
  if (code === Code.UNAVAILABLE && !connection.tls) {
    return 'hint: if the server uses TLS, pass --tls or --tls-ca-file PATH (and --tls-cert-file/--tls-key-file for mutual TLS)';
  }
  return '';
}
