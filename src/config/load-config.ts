/**
 * Builds the server configuration once, at start: command-line flags win over environment
 * variables, which win over the embedded defaults. Every problem is collected and reported in
 * one ConfigError, so an operator fixes a broken deployment in one round.
 */
import { ENGINE_NAMES, SETTINGS, type AnySetting, type EngineName, type SettingValues } from './settings.js';

export { ENGINE_NAMES, LOG_LEVELS, SETTINGS, type EngineName, type LogLevel, type SettingValues } from './settings.js';

/**
 * The validated, frozen server configuration: one field per row of SETTINGS (units are in the
 * names; paths are absolute; a row's description says what `undefined` or 0 means), plus the
 * enabled engines. Derived from the table, so a row and its field cannot drift apart.
 */
export type Config = SettingValues & {
  /** Enabled engines: always `local`, plus `slurm` when enabled. */
  readonly engines: readonly EngineName[];
};

/** The configuration is invalid; `problems` has one line per bad setting. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** Room a DownloadFileResponse needs around its chunk (offset, field tags, lengths), in bytes. */
const CHUNK_OVERHEAD_BYTES = 64;

/** The table as plain rows, for walking it without each row's own type. */
const ROWS: readonly AnySetting[] = SETTINGS;

/** A flag's value and the flag it came from (`--port`, or a deprecated name). */
interface FlagValue {
  readonly text: string;
  readonly source: string;
}

/** `--name value`, `--name=value` or, for switches, `--name` alone. Unknown flags are problems. */
function parseFlags(argv: readonly string[], problems: string[]): Map<string, FlagValue> {
  const byFlag = new Map<string, AnySetting>(ROWS.map((s) => [s.flag, s]));
  for (const row of ROWS) if (row.deprecated) byFlag.set(row.deprecated.flag, row);
  const values = new Map<string, FlagValue>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const match = /^--([a-z0-9-]+)(?:=(.*))?$/s.exec(arg);
    if (!match) {
      problems.push(`unexpected argument '${arg}'`);
      continue;
    }
    const [, name, inline] = match as unknown as [string, string, string | undefined];
    const negated = !byFlag.has(name) && name.startsWith('no-');
    const row = byFlag.get(negated ? name.slice(3) : name);
    if (!row) {
      problems.push(`unknown flag --${name}`);
      continue;
    }
    const source = `--${negated ? name.slice(3) : name}`;
    if (row.boolean && inline === undefined) {
      values.set(row.key, { text: negated ? 'false' : 'true', source });
    } else if (inline !== undefined) {
      values.set(row.key, { text: inline, source });
    } else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) {
      values.set(row.key, { text: argv[++i]!, source });
    } else {
      problems.push(`${row.key} (--${row.flag}): missing value`);
    }
  }
  return values;
}

/** Where a setting's text comes from: its flag, else its variable, else its deprecated variable. */
function sourceOf(row: AnySetting, flags: ReadonlyMap<string, FlagValue>, env: Env): FlagValue | undefined {
  const flag = flags.get(row.key);
  if (flag) return flag;
  for (const name of [row.env, row.deprecated?.env]) {
    const text = name === undefined ? undefined : env[name];
    if (name !== undefined && text !== undefined) return { text, source: name };
  }
  return undefined;
}

/**
 * The deprecated flags and variables `argv` and `env` use, each with the name that replaces it
 * (`--poll-interval-ms → --local-poll-interval-ms`), so `serve` can warn about them.
 */
export function deprecatedNamesIn(env: Env, argv: readonly string[] = []): string[] {
  const used: string[] = [];
  for (const row of ROWS) {
    if (!row.deprecated) continue;
    const flag = `--${row.deprecated.flag}`;
    if (argv.some((arg) => arg === flag || arg.startsWith(`${flag}=`))) used.push(`${flag} → --${row.flag}`);
    if (env[row.deprecated.env] !== undefined) used.push(`${row.deprecated.env} → ${row.env}`);
  }
  return used;
}

function deepFreeze<T extends object>(value: T): T {
  for (const inner of Object.values(value)) {
    if (inner !== null && typeof inner === 'object' && !Object.isFrozen(inner)) deepFreeze(inner);
  }
  return Object.freeze(value);
}

/** True when every row has a value (possibly an explicit `undefined` default). */
function hasEverySetting(values: Partial<SettingValues>): values is SettingValues {
  return ROWS.every((row) => Object.hasOwn(values, row.key));
}

/**
 * Reads every setting from `argv` (flags after the subcommand) and `env`, validates them all and
 * returns a deeply frozen Config. Throws ConfigError naming every bad setting with its flag and
 * variable. Pure apart from resolving `dataDir` against the working directory.
 */
export function loadConfig(env: Env, argv: readonly string[] = []): Config {
  const problems: string[] = [];
  const flags = parseFlags(argv, problems);
  const collected: Record<string, unknown> = {};
  for (const row of ROWS) {
    const given = sourceOf(row, flags, env);
    if (given === undefined) {
      collected[row.key] = row.defaultValue();
      continue;
    }
    const parsed = row.parse(given.text);
    if (parsed.ok) collected[row.key] = parsed.value;
    else problems.push(`${row.key} (${given.source}): ${parsed.problem}`);
  }

  // Each value came from its own row's parser or default; a bad setting is missing here.
  const raw: Partial<SettingValues> = collected;
  const enableSlurm = raw.enableSlurm === true;
  const engines: EngineName[] = ENGINE_NAMES.filter((name) => name === 'local' || (name === 'slurm' && enableSlurm));
  const defaultEngine = raw.defaultEngine;
  if (defaultEngine !== undefined && !engines.includes(defaultEngine)) {
    problems.push(`defaultEngine: '${defaultEngine}' is not enabled (enabled: ${engines.join(', ')}; use --enable-slurm)`);
  }
  if (raw.stopGraceMs !== undefined && raw.maxStopGraceMs !== undefined && raw.stopGraceMs > raw.maxStopGraceMs) {
    problems.push(`stopGraceMs: ${raw.stopGraceMs} exceeds maxStopGraceMs (${raw.maxStopGraceMs})`);
  }
  if ((raw.tlsCertFile === undefined) !== (raw.tlsKeyFile === undefined)) {
    problems.push('tlsCertFile/tlsKeyFile: --tls-cert-file and --tls-key-file must be given together');
  }
  if (raw.downloadChunkBytes !== undefined && raw.maxSendMessageBytes !== undefined && raw.downloadChunkBytes + CHUNK_OVERHEAD_BYTES > raw.maxSendMessageBytes) {
    problems.push(`downloadChunkBytes: ${raw.downloadChunkBytes} leaves no room below maxSendMessageBytes (${raw.maxSendMessageBytes}) for the message around a chunk`);
  }
  if (raw.tlsClientCaFile !== undefined && raw.tlsCertFile === undefined) {
    problems.push('tlsClientCaFile: mutual TLS (--tls-client-ca-file) needs --tls-cert-file and --tls-key-file');
  }
  for (const key of ['authJwtIssuer', 'authJwtAudience'] as const) {
    if (raw[key] !== undefined && raw.authJwtKeyFile === undefined) problems.push(`${key}: only used with --auth-jwt-key-file`);
  }
  if (raw.metricsHost !== undefined && raw.metricsPort === undefined) problems.push('metricsHost: only used with --metrics-port');
  if (raw.databaseUrl !== undefined && raw.store !== 'postgres') problems.push('databaseUrl: only used with --store postgres');
  // Local jobs live on one replica: with the shared store the local engine runs only when pinned to it.
  if (raw.store === 'postgres' && raw.localEngineMode === 'off' && raw.defaultEngine === 'local') {
    problems.push("defaultEngine: 'local' is off with --store postgres; use --default-engine slurm, or --local-engine pinned (FLOWSERV_REMOTE_LOCAL_ENGINE=pinned)");
  }
  if (raw.leaseRenewMs !== undefined && raw.leaseTtlMs !== undefined && raw.leaseRenewMs * 2 > raw.leaseTtlMs) {
    problems.push(`leaseRenewMs: ${raw.leaseRenewMs} must be at most half of leaseTtlMs (${raw.leaseTtlMs}), or one late renewal loses the lease`);
  }
  if (problems.length > 0 || !hasEverySetting(raw)) throw new ConfigError(problems);
  return deepFreeze({ ...raw, engines });
}

/** Lines for `serve --help`: every setting with flag, variable and default. */
export function describeSettings(): string {
  return ROWS
    .map((s) => `  --${s.flag}${s.boolean ? '' : ' <value>'}\n      ${s.description}\n      env ${s.env}, default ${s.defaultText}`)
    .join('\n');
}
