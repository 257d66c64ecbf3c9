/**
 * The table of every server setting: its config key, command-line flag, environment variable,
 * default and parser. `loadConfig` walks this table once and the `Config` type is derived from
 * it, so adding a setting (TLS, auth, …) means adding one row here and one README row; the
 * README table and `serve --help` are printed from the same rows.
 */
import { availableParallelism, hostname } from 'node:os';
import path from 'node:path';
import { JOB_SANDBOX_MODES, type JobSandboxMode } from '../engines/local/job-sandbox.js';
import { DEFAULT_ALLOWED_EXTRA_ARGS } from '../engines/slurm/sbatch-args.js';
import { absolutePath, absolutePathList, boolean, integer, nonEmpty, oneOf, sbatchOptionList, type ParseResult } from './parsers.js';

export type { ParseResult } from './parsers.js';

/** Log levels pino accepts, most to least severe; `silent` disables logging. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Engines this build knows. `local` is always enabled; `slurm` only with `--enable-slurm`. */
export const ENGINE_NAMES = ['local', 'slurm'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

/** One row of the settings table; `K` is the literal config key, `T` the parsed value's type. */
export interface Setting<K extends string, T> {
  /** Key in `Config`. */
  readonly key: K;
  /** Long flag without the leading dashes, e.g. `port` for `--port`. */
  readonly flag: string;
  /** Environment variable, e.g. `FLOWSERV_REMOTE_PORT`. */
  readonly env: string;
  /** An earlier flag and variable of this setting, still accepted (with a warning) until removed. */
  readonly deprecated?: { readonly flag: string; readonly env: string };
  /** True for switches: `--flag` alone means true. */
  readonly boolean?: boolean;
  /** Value used when neither flag nor variable is given; undefined means "not set". */
  readonly defaultValue: () => T;
  /** Default as shown in the README and `--help`. */
  readonly defaultText: string;
  readonly description: string;
  readonly parse: (raw: string) => ParseResult<T>;
}

const MiB = 1024 * 1024;

/** Any row, for code that walks the table without caring about one row's type. */
export type AnySetting = Setting<string, unknown>;

/** Keeps each row's key as a literal type, so `Config` can be derived from the table. */
function setting<const K extends string, T>(row: Setting<K, T>): Setting<K, T> {
  return row;
}

/** Every setting, in the order the README lists them. */
export const SETTINGS = [
  setting({
    key: 'host', flag: 'host', env: 'FLOWSERV_REMOTE_HOST', defaultValue: () => '127.0.0.1', defaultText: '127.0.0.1',
    description: 'Address to listen on; 0.0.0.0 for all interfaces (containers).', parse: nonEmpty,
  }),
  setting({
    key: 'port', flag: 'port', env: 'FLOWSERV_REMOTE_PORT', defaultValue: () => 50051, defaultText: '50051',
    description: 'TCP port; 0 picks a free port (logged in the "listening" line).', parse: integer(0, 65535),
  }),
  setting({
    key: 'dataDir', flag: 'data-dir', env: 'FLOWSERV_REMOTE_DATA_DIR',
    defaultValue: () => path.resolve('.data'), defaultText: './.data',
    description: 'Directory for the database, uploaded files and run directories (resolved against the working directory).',
    parse: absolutePath,
  }),
  setting({
    key: 'store', flag: 'store', env: 'FLOWSERV_REMOTE_STORE',
    defaultValue: (): 'sqlite' | 'postgres' => 'sqlite', defaultText: 'sqlite',
    description: 'Where workflows, their state logs and the blob records live: `sqlite` (a file in the data directory; one server) or `postgres` (a PostgreSQL database that several replicas share; see --database-url).',
    parse: oneOf(['sqlite', 'postgres']),
  }),
  setting({
    key: 'databaseUrl', flag: 'database-url', env: 'FLOWSERV_REMOTE_DATABASE_URL',
    defaultValue: (): string | undefined => undefined, defaultText: '(libpq PG* variables)',
    description: 'With --store postgres: the connection URL (postgresql://user:password@host:port/database); without it the PGHOST, PGPORT, PGUSER, PGPASSWORD and PGDATABASE variables apply. Migrations run at start.',
    parse: nonEmpty,
  }),
  setting({
    key: 'logLevel', flag: 'log-level', env: 'FLOWSERV_REMOTE_LOG_LEVEL', defaultValue: (): LogLevel => 'info',
    defaultText: 'info', description: `One of ${LOG_LEVELS.join(', ')}. Logs are JSON lines on stdout.`,
    parse: oneOf(LOG_LEVELS),
  }),
  setting({
    key: 'maxReceiveMessageBytes', flag: 'max-receive-message-bytes', env: 'FLOWSERV_REMOTE_MAX_RECEIVE_MESSAGE_BYTES',
    defaultValue: () => 8 * MiB, defaultText: '8388608 (8 MiB)',
    description: 'Largest request message accepted; larger ones get RESOURCE_EXHAUSTED.', parse: integer(1024),
  }),
  setting({
    key: 'maxSendMessageBytes', flag: 'max-send-message-bytes', env: 'FLOWSERV_REMOTE_MAX_SEND_MESSAGE_BYTES',
    defaultValue: () => 8 * MiB, defaultText: '8388608 (8 MiB)',
    description: 'Largest response message sent (download chunks stay well below it).', parse: integer(1024),
  }),
  setting({
    key: 'keepaliveTimeMs', flag: 'keepalive-time-ms', env: 'FLOWSERV_REMOTE_KEEPALIVE_TIME_MS',
    defaultValue: () => 7_200_000, defaultText: '7200000 (2 h)',
    description: 'Interval of server HTTP/2 keepalive pings on each connection.', parse: integer(1),
  }),
  setting({
    key: 'handshakeTimeoutMs', flag: 'handshake-timeout-ms', env: 'FLOWSERV_REMOTE_HANDSHAKE_TIMEOUT_MS',
    defaultValue: () => 10_000, defaultText: '10000',
    description: 'A connection that has not completed the HTTP/2 handshake (client preface and SETTINGS) after this long is closed.',
    parse: integer(1),
  }),
  setting({
    key: 'maxConnectionIdleMs', flag: 'max-connection-idle-ms', env: 'FLOWSERV_REMOTE_MAX_CONNECTION_IDLE_MS',
    defaultValue: () => 3_600_000, defaultText: '3600000 (1 h)',
    description: 'A connection without open calls for this long is closed with GOAWAY (clients reconnect when they need to). 0 = never.',
    parse: integer(0),
  }),
  setting({
    key: 'maxConnectionAgeMs', flag: 'max-connection-age-ms', env: 'FLOWSERV_REMOTE_MAX_CONNECTION_AGE_MS',
    defaultValue: () => 0, defaultText: '0 (unlimited)',
    description: 'A connection older than this (±10 %) gets GOAWAY, so clients spread over restarted replicas. 0 = never.',
    parse: integer(0),
  }),
  setting({
    key: 'maxConnectionAgeGraceMs', flag: 'max-connection-age-grace-ms', env: 'FLOWSERV_REMOTE_MAX_CONNECTION_AGE_GRACE_MS',
    defaultValue: () => 0, defaultText: '0 (unlimited)',
    description: 'After the age GOAWAY, how long open calls (watches) may go on before the connection is closed. 0 = until they end.',
    parse: integer(0),
  }),
  setting({
    key: 'keepaliveTimeoutMs', flag: 'keepalive-timeout-ms', env: 'FLOWSERV_REMOTE_KEEPALIVE_TIMEOUT_MS',
    defaultValue: () => 20_000, defaultText: '20000',
    description: 'How long to wait for a ping answer before dropping the connection.', parse: integer(1),
  }),
  setting({
    key: 'keepalivePermitWithoutCalls', flag: 'keepalive-permit-without-calls',
    env: 'FLOWSERV_REMOTE_KEEPALIVE_PERMIT_WITHOUT_CALLS', boolean: true, defaultValue: () => false, defaultText: 'false',
    description: 'Passed to grpc-js as grpc.keepalive_permit_without_calls (grpc-js 1.14 servers accept client pings regardless).',
    parse: boolean,
  }),
  setting({
    key: 'shutdownGraceMs', flag: 'shutdown-grace-ms', env: 'FLOWSERV_REMOTE_SHUTDOWN_GRACE_MS',
    defaultValue: () => 10_000, defaultText: '10000',
    description: 'On SIGTERM/SIGINT: how long open calls may take to finish before they are cancelled.',
    parse: integer(0),
  }),
  setting({
    key: 'heartbeatIntervalMs', flag: 'heartbeat-interval-ms', env: 'FLOWSERV_REMOTE_HEARTBEAT_INTERVAL_MS',
    defaultValue: () => 15_000, defaultText: '15000',
    description: 'WatchState sends a heartbeat after this much idle time (and one at once when a resumed watch has nothing new).', parse: integer(1),
  }),
  setting({
    key: 'engineHealthIntervalMs', flag: 'engine-health-interval-ms', env: 'FLOWSERV_REMOTE_ENGINE_HEALTH_INTERVAL_MS',
    defaultValue: () => 10_000, defaultText: '10000',
    description: 'How often each engine is probed for the engine/<name> health entries.', parse: integer(100),
  }),
  setting({
    key: 'stopGraceMs', flag: 'stop-grace-ms', env: 'FLOWSERV_REMOTE_STOP_GRACE_MS',
    defaultValue: () => 10_000, defaultText: '10000',
    description: 'StopWorkflow without a grace period: time between SIGTERM (scancel) and SIGKILL.', parse: integer(0),
  }),
  setting({
    key: 'maxStopGraceMs', flag: 'max-stop-grace-ms', env: 'FLOWSERV_REMOTE_MAX_STOP_GRACE_MS',
    defaultValue: () => 300_000, defaultText: '300000 (5 min)',
    description: 'Longest grace period a StopWorkflow may ask for.', parse: integer(0),
  }),
  setting({
    key: 'maxUploadBytes', flag: 'max-upload-bytes', env: 'FLOWSERV_REMOTE_MAX_UPLOAD_BYTES',
    defaultValue: () => 1024 * MiB, defaultText: '1073741824 (1 GiB)',
    description: 'Largest file UploadFile accepts; larger uploads get RESOURCE_EXHAUSTED.', parse: integer(1),
  }),
  setting({
    key: 'maxOutputBytes', flag: 'max-output-bytes', env: 'FLOWSERV_REMOTE_MAX_OUTPUT_BYTES',
    defaultValue: () => 1024 * MiB, defaultText: '1073741824 (1 GiB)',
    description: 'Most bytes of declared output files one workflow may store; a workflow over it ends in ERROR and none of its outputs is stored.',
    parse: integer(1),
  }),
  setting({
    key: 'maxPageSize', flag: 'max-page-size', env: 'FLOWSERV_REMOTE_MAX_PAGE_SIZE',
    defaultValue: () => 1000, defaultText: '1000',
    description: 'Most workflows one ListWorkflows page returns; larger page sizes are capped to it.', parse: integer(1),
  }),
  setting({
    key: 'uploadChunkBytes', flag: 'upload-chunk-bytes', env: 'FLOWSERV_REMOTE_UPLOAD_CHUNK_BYTES',
    defaultValue: () => 64 * 1024, defaultText: '65536 (64 KiB)',
    description: 'UploadFile chunk size GetServiceInfo recommends to clients.', parse: integer(1024),
  }),
  setting({
    key: 'downloadChunkBytes', flag: 'download-chunk-bytes', env: 'FLOWSERV_REMOTE_DOWNLOAD_CHUNK_BYTES',
    defaultValue: () => 64 * 1024, defaultText: '65536 (64 KiB)',
    description: 'Size of the DownloadFile chunks the server sends; must stay below --max-send-message-bytes.', parse: integer(1024),
  }),
  setting({
    key: 'logCapBytes', flag: 'log-cap-bytes', env: 'FLOWSERV_REMOTE_LOG_CAP_BYTES',
    defaultValue: () => 64 * MiB, defaultText: '67108864 (64 MiB)',
    description: 'Bytes kept of each output stream (stdout, stderr) of a workflow over all its commands; the rest is discarded, marked truncated in WatchLogs, and the job runs on unharmed. 0 = no cap.',
    parse: integer(0),
  }),
  setting({
    key: 'pythonCommand', flag: 'python-command', env: 'FLOWSERV_REMOTE_PYTHON_COMMAND',
    defaultValue: () => 'python3', defaultText: 'python3',
    description: 'Value of ${python} in workflow commands (flowServ: the interpreter running flowServ).', parse: nonEmpty,
  }),
  setting({
    key: 'defaultEngine', flag: 'default-engine', env: 'FLOWSERV_REMOTE_DEFAULT_ENGINE',
    defaultValue: (): EngineName => 'local', defaultText: 'local',
    description: 'Engine used when a request names none; must be enabled.', parse: oneOf(ENGINE_NAMES),
  }),
  setting({
    key: 'localMaxConcurrentJobs', flag: 'local-max-concurrent-jobs', env: 'FLOWSERV_REMOTE_LOCAL_MAX_CONCURRENT_JOBS',
    defaultValue: () => availableParallelism(), defaultText: 'number of CPUs',
    description: 'Workflows the local engine runs at once; the rest wait as PENDING. 0 = unlimited.',
    parse: integer(0),
  }),
  setting({
    key: 'localPollIntervalMs', flag: 'local-poll-interval-ms', env: 'FLOWSERV_REMOTE_LOCAL_POLL_INTERVAL_MS',
    deprecated: { flag: 'poll-interval-ms', env: 'FLOWSERV_REMOTE_POLL_INTERVAL_MS' },
    defaultValue: () => 500, defaultText: '500',
    description: 'How often the local engine checks on jobs it reattached after a restart. Formerly --poll-interval-ms (FLOWSERV_REMOTE_POLL_INTERVAL_MS), still accepted.',
    parse: integer(10),
  }),
  setting({
    key: 'jobSandbox', flag: 'job-sandbox', env: 'FLOWSERV_REMOTE_JOB_SANDBOX',
    defaultValue: (): JobSandboxMode => 'auto', defaultText: 'auto',
    description:
      'How local jobs are confined (see Security): bwrap (bubblewrap: a root of their own), namespaces (unshare, needs root), off, ' +
      'or auto: the first of bwrap and namespaces that runs a trial job, else off with a loud warning. An explicit bwrap or namespaces that cannot run stops the start.',
    parse: oneOf(JOB_SANDBOX_MODES),
  }),
  setting({
    key: 'jobUser', flag: 'job-user', env: 'FLOWSERV_REMOTE_JOB_USER',
    defaultValue: (): string | undefined => undefined, defaultText: 'flowserv-job if it exists, else nobody',
    description: "Account local jobs run as when the server runs as root (in every sandbox mode); `root` keeps them root. A server that is not root runs jobs as its own user.",
    parse: nonEmpty,
  }),
  setting({
    key: 'jobReadOnlyPaths', flag: 'job-read-only-paths', env: 'FLOWSERV_REMOTE_JOB_READ_ONLY_PATHS',
    defaultValue: (): readonly string[] => [], defaultText: '(none)',
    description: 'Comma-separated folders a bwrap-confined job may read besides /usr, /bin, /sbin, /lib*, /etc (e.g. /opt/conda for a Python installed there).',
    parse: absolutePathList,
  }),
  setting({
    key: 'jobNetwork', flag: 'job-network', env: 'FLOWSERV_REMOTE_JOB_NETWORK', boolean: true,
    defaultValue: () => true, defaultText: 'true',
    description: "Confined local jobs share the host's network; --no-job-network gives them none (not even loopback, so not the server's port).",
    parse: boolean,
  }),
  setting({
    key: 'enableSlurm', flag: 'enable-slurm', env: 'FLOWSERV_REMOTE_ENABLE_SLURM', boolean: true,
    defaultValue: () => false, defaultText: 'false',
    description: 'Also offer the slurm engine (needs sbatch/squeue/scontrol/scancel on PATH).', parse: boolean,
  }),
  setting({
    key: 'slurmPartition', flag: 'slurm-partition', env: 'FLOWSERV_REMOTE_SLURM_PARTITION',
    defaultValue: (): string | undefined => undefined, defaultText: '(cluster default)',
    description: 'Partition for jobs that name none.', parse: nonEmpty,
  }),
  setting({
    key: 'slurmRunsDir', flag: 'slurm-runs-dir', env: 'FLOWSERV_REMOTE_SLURM_RUNS_DIR',
    defaultValue: (): string | undefined => undefined, defaultText: '<data dir>/slurm-runs',
    description: 'Where Slurm runs\' working directories go; must be on a filesystem the compute nodes share.',
    parse: absolutePath,
  }),
  setting({
    key: 'slurmPollIntervalMs', flag: 'slurm-poll-interval-ms', env: 'FLOWSERV_REMOTE_SLURM_POLL_INTERVAL_MS',
    defaultValue: () => 1_000, defaultText: '1000',
    description: 'Time between the batched squeue calls that follow running jobs.', parse: integer(100),
  }),
  setting({
    key: 'slurmExtraArgsAllowList', flag: 'slurm-extra-args-allow', env: 'FLOWSERV_REMOTE_SLURM_EXTRA_ARGS_ALLOW',
    defaultValue: (): readonly string[] => DEFAULT_ALLOWED_EXTRA_ARGS,
    defaultText: DEFAULT_ALLOWED_EXTRA_ARGS.join(','),
    description: 'Comma-separated sbatch options a request may pass as extra arguments (--name=value form).', parse: sbatchOptionList,
  }),
  setting({
    key: 'tlsCertFile', flag: 'tls-cert-file', env: 'FLOWSERV_REMOTE_TLS_CERT_FILE',
    defaultValue: (): string | undefined => undefined, defaultText: '(none: plaintext)',
    description: 'PEM certificate chain of the server; with --tls-key-file turns on TLS. Reloaded on change and on SIGHUP.',
    parse: absolutePath,
  }),
  setting({
    key: 'tlsKeyFile', flag: 'tls-key-file', env: 'FLOWSERV_REMOTE_TLS_KEY_FILE',
    defaultValue: (): string | undefined => undefined, defaultText: '(none)',
    description: 'PEM private key matching --tls-cert-file.', parse: absolutePath,
  }),
  setting({
    key: 'tlsClientCaFile', flag: 'tls-client-ca-file', env: 'FLOWSERV_REMOTE_TLS_CLIENT_CA_FILE',
    defaultValue: (): string | undefined => undefined, defaultText: '(none: no client certificates)',
    description: 'PEM CA bundle; when set, every client must present a certificate it signed (mutual TLS).',
    parse: absolutePath,
  }),
  setting({
    key: 'authTokenFile', flag: 'auth-token-file', env: 'FLOWSERV_REMOTE_AUTH_TOKEN_FILE',
    defaultValue: (): string | undefined => undefined, defaultText: '(none)',
    description: 'File of accepted bearer tokens, one per line: `TOKEN [read-only] [name=ID]`; `#` starts a comment. Reloaded on change and on SIGHUP.',
    parse: absolutePath,
  }),
  setting({
    key: 'authJwtKeyFile', flag: 'auth-jwt-key-file', env: 'FLOWSERV_REMOTE_AUTH_JWT_KEY_FILE',
    defaultValue: (): string | undefined => undefined, defaultText: '(none)',
    description: 'Accept JWT bearer tokens signed with this key: a PEM public key or certificate (RS*/PS*/ES*/EdDSA), or a file holding an HMAC secret of at least 32 bytes (HS*).',
    parse: absolutePath,
  }),
  setting({
    key: 'authJwtIssuer', flag: 'auth-jwt-issuer', env: 'FLOWSERV_REMOTE_AUTH_JWT_ISSUER',
    defaultValue: (): string | undefined => undefined, defaultText: '(not checked)',
    description: 'Required `iss` claim of JWTs.', parse: nonEmpty,
  }),
  setting({
    key: 'authJwtAudience', flag: 'auth-jwt-audience', env: 'FLOWSERV_REMOTE_AUTH_JWT_AUDIENCE',
    defaultValue: (): string | undefined => undefined, defaultText: '(not checked)',
    description: 'Required `aud` claim of JWTs.', parse: nonEmpty,
  }),
  setting({
    key: 'securityReloadIntervalMs', flag: 'security-reload-interval-ms', env: 'FLOWSERV_REMOTE_SECURITY_RELOAD_INTERVAL_MS',
    defaultValue: () => 10_000, defaultText: '10000',
    description: 'How often certificate, key, CA, token and JWT key files are checked for changes (size, mtime, inode). 0 = only on SIGHUP.',
    parse: integer(0),
  }),
  setting({
    key: 'maxConcurrentStreams', flag: 'max-concurrent-streams', env: 'FLOWSERV_REMOTE_MAX_CONCURRENT_STREAMS',
    defaultValue: () => 1000, defaultText: '1000',
    description: 'Open calls (streams) allowed per client connection (HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS); further calls wait on the client until one ends.',
    parse: integer(1, 4_294_967_295),
  }),
  setting({
    key: 'metricsPort', flag: 'metrics-port', env: 'FLOWSERV_REMOTE_METRICS_PORT',
    defaultValue: (): number | undefined => undefined, defaultText: '(none: metrics off)',
    description: 'Serve Prometheus metrics at http://<metrics host>:<port>/metrics on a separate HTTP listener; 0 picks a free port.',
    parse: integer(0, 65535),
  }),
  setting({
    key: 'metricsHost', flag: 'metrics-host', env: 'FLOWSERV_REMOTE_METRICS_HOST',
    defaultValue: (): string | undefined => undefined, defaultText: '(same as --host)',
    description: 'Address the metrics listener binds; only used with --metrics-port.', parse: nonEmpty,
  }),
  setting({
    key: 'createRatePerMinute', flag: 'create-rate-per-minute', env: 'FLOWSERV_REMOTE_CREATE_RATE_PER_MINUTE',
    defaultValue: (): number | undefined => undefined, defaultText: '18000 (off when --host is a loopback address)',
    description:
      'CreateWorkflow calls each client (token identity, else IP address) may make per minute on average; more get RESOURCE_EXHAUSTED. 0 = unlimited. ' +
      'The default (300/s) keeps one client of an exposed server below its sustained capacity (several hundred durable creates/s on 2 cores) while a sweep of runs goes through.',
    parse: integer(0),
  }),
  setting({
    key: 'createBurst', flag: 'create-burst', env: 'FLOWSERV_REMOTE_CREATE_BURST',
    defaultValue: () => 1000, defaultText: '1000',
    description: 'CreateWorkflow calls a client may make at once before --create-rate-per-minute applies.',
    parse: integer(1),
  }),
  setting({
    key: 'replicaName', flag: 'replica-name', env: 'FLOWSERV_REMOTE_REPLICA_NAME',
    defaultValue: () => hostname(), defaultText: '(host name: the pod name)',
    description: 'This replica\'s name, unique among the processes sharing a data or runs directory: each process stages and uploads under `<name>@<random>` there, and start-up cleans whole only the parts of earlier processes of the same name (of other names: what is an hour old). With the PostgreSQL store also its name in the replica leases; each process adds a random suffix, so a restarted or paused process never passes for its earlier self.',
    parse: nonEmpty,
  }),
  setting({
    key: 'leaseTtlMs', flag: 'lease-ttl-ms', env: 'FLOWSERV_REMOTE_LEASE_TTL_MS',
    defaultValue: () => 15_000, defaultText: '15000',
    description: 'With the PostgreSQL store: a replica whose lease was not renewed for this long (database clock) is dead; others take over the Slurm jobs it followed.',
    parse: integer(1000),
  }),
  setting({
    key: 'leaseRenewMs', flag: 'lease-renew-ms', env: 'FLOWSERV_REMOTE_LEASE_RENEW_MS',
    defaultValue: () => 5000, defaultText: '5000',
    description: 'With the PostgreSQL store: how often a replica renews its lease; at most half of --lease-ttl-ms. A replica that could not renew for TTL minus this stops following jobs.',
    parse: integer(100),
  }),
  setting({
    key: 'claimScanMs', flag: 'claim-scan-ms', env: 'FLOWSERV_REMOTE_CLAIM_SCAN_MS',
    defaultValue: () => 2000, defaultText: '2000',
    description: 'With the PostgreSQL store: how often a replica looks for Slurm workflows nobody live follows (new, released at shutdown, or of a dead replica) and claims them.',
    parse: integer(50),
  }),
  setting({
    key: 'localEngineMode', flag: 'local-engine', env: 'FLOWSERV_REMOTE_LOCAL_ENGINE',
    defaultValue: (): 'off' | 'pinned' => 'off', defaultText: 'off',
    description: 'With the PostgreSQL store: `off` refuses local workflows (their jobs die with their replica); `pinned` runs them on the replica that accepted them, and a survivor ends them in ERROR once that replica\'s lease expired.',
    parse: oneOf(['off', 'pinned']),
  }),
] as const;

/** The value type of every row, keyed by its config key: the part of `Config` the table gives. */
export type SettingValues = {
  readonly [S in (typeof SETTINGS)[number] as S['key']]: S extends Setting<string, infer T> ? T : never;
};
