/** loadConfig: defaults, precedence, every problem in one error, frozen result. */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, deprecatedNamesIn, describeSettings, loadConfig, SETTINGS } from '../../../src/config/load-config.js';

function problemsOf(env: Record<string, string>, argv: string[] = []): readonly string[] {
  try {
    loadConfig(env, argv);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('uses the embedded defaults with no flags and no variables', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 50051,
      dataDir: path.resolve('.data'),
      logLevel: 'info',
      maxReceiveMessageBytes: 8 * 1024 * 1024,
      maxSendMessageBytes: 8 * 1024 * 1024,
      shutdownGraceMs: 10_000,
      heartbeatIntervalMs: 15_000,
      defaultEngine: 'local',
      engines: ['local'],
      localMaxConcurrentJobs: availableParallelism(),
      enableSlurm: false,
      slurmPartition: undefined,
      localPollIntervalMs: 500,
      maxPageSize: 1000,
      uploadChunkBytes: 64 * 1024,
      downloadChunkBytes: 64 * 1024,
    });
  });

  it('still accepts the deprecated --poll-interval-ms and its variable, and names them for a warning', () => {
    expect(loadConfig({}, ['--poll-interval-ms', '120']).localPollIntervalMs).toBe(120);
    expect(loadConfig({ FLOWSERV_REMOTE_POLL_INTERVAL_MS: '130' }).localPollIntervalMs).toBe(130);
    expect(loadConfig({ FLOWSERV_REMOTE_POLL_INTERVAL_MS: '130', FLOWSERV_REMOTE_LOCAL_POLL_INTERVAL_MS: '140' }).localPollIntervalMs).toBe(140);
    expect(problemsOf({ FLOWSERV_REMOTE_POLL_INTERVAL_MS: '1' })).toEqual([
      "localPollIntervalMs (FLOWSERV_REMOTE_POLL_INTERVAL_MS): must be an integer >= 10, got '1'",
    ]);
    expect(deprecatedNamesIn({ FLOWSERV_REMOTE_POLL_INTERVAL_MS: '130' }, ['--poll-interval-ms=120'])).toEqual([
      '--poll-interval-ms → --local-poll-interval-ms',
      'FLOWSERV_REMOTE_POLL_INTERVAL_MS → FLOWSERV_REMOTE_LOCAL_POLL_INTERVAL_MS',
    ]);
    expect(deprecatedNamesIn({ FLOWSERV_REMOTE_LOCAL_POLL_INTERVAL_MS: '130' }, ['--local-poll-interval-ms=120'])).toEqual([]);
  });

  it('refuses download chunks that would not fit in a response message', () => {
    expect(problemsOf({}, ['--max-send-message-bytes', '65536'])).toEqual([
      'downloadChunkBytes: 65536 leaves no room below maxSendMessageBytes (65536) for the message around a chunk',
    ]);
    expect(loadConfig({}, ['--max-send-message-bytes', '65536', '--download-chunk-bytes', '32768']).downloadChunkBytes).toBe(32768);
  });

  it('lets flags win over variables', () => {
    const config = loadConfig({ FLOWSERV_REMOTE_PORT: '6000', FLOWSERV_REMOTE_HOST: '0.0.0.0' }, ['--port', '7000']);
    expect(config.port).toBe(7000);
    expect(config.host).toBe('0.0.0.0');
    expect(loadConfig({}, ['--port=0']).port).toBe(0);
  });

  it('enables slurm with a switch and accepts it as default engine then', () => {
    const config = loadConfig({}, ['--enable-slurm', '--default-engine', 'slurm', '--slurm-partition', 'debug']);
    expect(config.engines).toEqual(['local', 'slurm']);
    expect(config.defaultEngine).toBe('slurm');
    expect(config.slurmPartition).toBe('debug');
    expect(loadConfig({ FLOWSERV_REMOTE_ENABLE_SLURM: 'true' }, ['--no-enable-slurm']).engines).toEqual(['local']);
  });

  it('reports every bad setting at once, naming the flag or variable it came from', () => {
    const problems = problemsOf({ FLOWSERV_REMOTE_LOG_LEVEL: 'loud' }, ['--port', '70000', '--shutdown-grace-ms', '-1', '--default-engine', 'slurm', '--bogus']);
    expect(problems).toEqual([
      'unknown flag --bogus',
      "port (--port): must be an integer 0..65535, got '70000'",
      "logLevel (FLOWSERV_REMOTE_LOG_LEVEL): must be one of fatal, error, warn, info, debug, trace, silent, got 'loud'",
      "shutdownGraceMs (--shutdown-grace-ms): must be an integer >= 0, got '-1'",
      "defaultEngine: 'slurm' is not enabled (enabled: local; use --enable-slurm)",
    ]);
  });

  it('puts every problem in the error message', () => {
    expect(() => loadConfig({ FLOWSERV_REMOTE_PORT: 'abc', FLOWSERV_REMOTE_HEARTBEAT_INTERVAL_MS: '1.5' })).toThrow(
      /2 problems[\s\S]*port \(FLOWSERV_REMOTE_PORT\)[\s\S]*heartbeatIntervalMs \(FLOWSERV_REMOTE_HEARTBEAT_INTERVAL_MS\)/,
    );
  });

  it('rejects non-decimal numbers, bad booleans and missing flag values', () => {
    expect(problemsOf({ FLOWSERV_REMOTE_PORT: '0x10', FLOWSERV_REMOTE_ENABLE_SLURM: 'maybe' }, ['--host'])).toEqual([
      'host (--host): missing value',
      "port (FLOWSERV_REMOTE_PORT): must be an integer 0..65535, got '0x10'",
      "enableSlurm (FLOWSERV_REMOTE_ENABLE_SLURM): must be true or false, got 'maybe'",
    ]);
  });

  it('keeps metrics off by default; a metrics port (0 = any) turns them on, a metrics host needs one', () => {
    expect(loadConfig({})).toMatchObject({ metricsPort: undefined, metricsHost: undefined });
    expect(loadConfig({ FLOWSERV_REMOTE_METRICS_PORT: '9464' }, ['--metrics-host', '0.0.0.0'])).toMatchObject({ metricsPort: 9464, metricsHost: '0.0.0.0' });
    expect(loadConfig({}, ['--metrics-port', '0']).metricsPort).toBe(0);
    expect(problemsOf({}, ['--metrics-host', '0.0.0.0'])).toEqual(['metricsHost: only used with --metrics-port']);
    expect(problemsOf({ FLOWSERV_REMOTE_METRICS_PORT: '70000' })).toEqual([expect.stringContaining('metricsPort (FLOWSERV_REMOTE_METRICS_PORT)')]);
  });

  it('takes replica lease settings (defaults 15 s / 5 s, claim scan 2 s) and refuses a renewal slower than half the TTL', () => {
    const config = loadConfig({}, []);
    expect([config.leaseTtlMs, config.leaseRenewMs, config.claimScanMs, config.localEngineMode]).toEqual([15_000, 5000, 2000, 'off']);
    expect(loadConfig({ FLOWSERV_REMOTE_LEASE_TTL_MS: '5000', FLOWSERV_REMOTE_LEASE_RENEW_MS: '1000' }, ['--local-engine', 'pinned']).localEngineMode).toBe('pinned');
    expect(problemsOf({}, ['--lease-ttl-ms', '5000'])).toEqual([
      'leaseRenewMs: 5000 must be at most half of leaseTtlMs (5000), or one late renewal loses the lease',
    ]);
    expect(problemsOf({}, ['--local-engine', 'everywhere'])[0]).toMatch(/^localEngineMode \(--local-engine\): must be one of off, pinned/);
  });

  it('keeps the SQLite store by default; PostgreSQL takes a URL (or the PG* variables) and refuses a local default engine unless pinned', () => {
    expect(loadConfig({})).toMatchObject({ store: 'sqlite', databaseUrl: undefined });
    const url = 'postgresql://flowserv:secret@db:5432/flowserv';
    const pgConfig = loadConfig({ FLOWSERV_REMOTE_STORE: 'postgres', FLOWSERV_REMOTE_DATABASE_URL: url }, ['--enable-slurm', '--default-engine', 'slurm']);
    expect(pgConfig).toMatchObject({ store: 'postgres', databaseUrl: url, defaultEngine: 'slurm', localEngineMode: 'off' });
    expect(loadConfig({}, ['--store', 'postgres', '--local-engine', 'pinned'])).toMatchObject({ store: 'postgres', databaseUrl: undefined, defaultEngine: 'local' });
    expect(problemsOf({}, ['--store', 'postgres'])).toEqual([
      "defaultEngine: 'local' is off with --store postgres; use --default-engine slurm, or --local-engine pinned (FLOWSERV_REMOTE_LOCAL_ENGINE=pinned)",
    ]);
    expect(problemsOf({}, ['--database-url', url])).toEqual(['databaseUrl: only used with --store postgres']);
    expect(problemsOf({}, ['--store', 'mysql'])[0]).toMatch(/^store \(--store\): must be one of sqlite, postgres/);
  });

  it('returns a deeply frozen object', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.engines)).toBe(true);
    expect(() => ((config as { port: number }).port = 1)).toThrow(TypeError);
  });

  it('has a README row for every setting', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    for (const setting of SETTINGS) {
      expect(readme).toContain(`| \`${setting.key}\` | \`--${setting.flag}\` | \`${setting.env}\` |`);
    }
  });

  it('documents every setting with its flag, variable and default', () => {
    const help = describeSettings();
    for (const setting of SETTINGS) {
      expect(help).toContain(`--${setting.flag}`);
      expect(help).toContain(setting.env);
    }
  });
});
