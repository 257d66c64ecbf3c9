/**
 * `flowserv-remote serve`: validates the configuration (every problem at once, exit 2), builds
 * the app, serves until SIGTERM or SIGINT, then drains (streams end, open calls get
 * `shutdownGraceMs` to finish) and exits 0. One interrupt is one graceful shutdown, even when it
 * arrives twice (see signal-gate.ts); a later, separate signal during the drain exits at once (130).
 * SIGHUP re-reads the TLS files, token file and JWT key without a restart.
 */
import { once } from 'node:events';
import { createApp } from '../app.js';
import { ConfigError, deprecatedNamesIn, describeSettings, loadConfig, type Config } from '../config/load-config.js';
import { createLogger } from '../logging/logger.js';
import { announcementDrops, FAULT_DROP_ANNOUNCEMENTS_ENV, FaultHookError, type AnnouncementDrops } from '../replicas/announcement-faults.js';
import { getTracing } from '../tracing/tracing-state.js';
import { EXIT_USAGE, type CliIo, type Command } from './commands.js';
import { createSignalGate } from './signal-gate.js';

/** Prefix of the server's own settings; such variables are not passed on to workflow jobs. */
const OWN_ENV_PREFIX = 'FLOWSERV_REMOTE_';

/**
 * Variables that may carry the server's credentials for services it uses: libpq's connection
 * settings (PGPASSWORD, PGUSER, PGHOST, PGSSLKEY…, which reach the PostgreSQL store) and the
 * OpenTelemetry exporter's headers (often an API key).
 */
const SERVER_CREDENTIALS = /^(PG[A-Z]+|OTEL_EXPORTER_OTLP(_[A-Z]+)?_HEADERS)$/;

/** The environment jobs inherit: the server's, minus its own settings and credentials (future secrets included). */
export function jobEnvironment(env: CliIo['env']): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(env).filter(([name, value]) => value !== undefined && !name.startsWith(OWN_ENV_PREFIX) && !SERVER_CREDENTIALS.test(name)),
  );
}

const TERMINATION_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

async function serve(config: Config, io: CliIo, args: readonly string[], dropAnnouncements: AnnouncementDrops | undefined): Promise<number> {
  const logger = createLogger({ level: config.logLevel });
  const deprecated = deprecatedNamesIn(io.env, args);
  if (deprecated.length > 0) logger.warn({ deprecated }, 'deprecated setting names in use; switch to the new ones');
  const tracing = getTracing();
  const app = await createApp(config, { logger, jobEnv: jobEnvironment(io.env), ...(tracing && { tracing }), ...(dropAnnouncements && { dropAnnouncements }) });
  if (tracing) logger.info({ exporter: io.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? io.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? io.env.OTEL_TRACES_EXPORTER }, 'OpenTelemetry tracing on');
  const stopRequested = new AbortController();
  const onSignal = createSignalGate({
    onStop: (signal) => stopRequested.abort(signal),
    onDuplicate: (signal, sinceFirstMs) => logger.debug({ signal, sinceFirstMs: Math.round(sinceFirstMs) }, 'same interrupt delivered again: ignored'),
    onForce: (signal) => {
      logger.warn({ signal }, 'second signal during shutdown: exiting now');
      process.exit(130);
    },
  });
  for (const signal of TERMINATION_SIGNALS) process.on(signal, onSignal);
  // SIGHUP would end the process by default; here it re-reads certificates and token files.
  process.on('SIGHUP', () => void app.reloadSecurity('SIGHUP'));
  try {
    await app.start();
  } catch (err) {
    logger.fatal({ err }, 'server failed to start');
    await app.stop('start failed');
    return 1;
  }
  if (!stopRequested.signal.aborted) await once(stopRequested.signal, 'abort');
  const result = await app.stop(`received ${String(stopRequested.signal.reason)}`);
  await tracing?.shutdown().catch((err: unknown) => logger.warn({ err }, 'flushing traces failed'));
  logger.info({ forced: result.forced, durationMs: result.durationMs }, 'exiting');
  return 0;
}

export const command: Command = {
  async run(args, io) {
    if (args.includes('--help') || args.includes('-h')) {
      io.stdout.write(`usage: flowserv-remote serve [flags]\n\nEvery flag has an environment variable; flags win.\n\n${describeSettings()}\n`);
      return 0;
    }
    let config: Config;
    let dropAnnouncements: AnnouncementDrops | undefined;
    try {
      config = loadConfig(io.env, args);
      // A fault-injection hook for tests, never a setting (announcement-faults.ts).
      dropAnnouncements = announcementDrops(io.env[FAULT_DROP_ANNOUNCEMENTS_ENV]);
    } catch (err) {
      if (!(err instanceof ConfigError) && !(err instanceof FaultHookError)) throw err;
      io.stderr.write(`flowserv-remote serve: ${err.message}\n`);
      return EXIT_USAGE;
    }
    return serve(config, io, args, dropAnnouncements);
  },
};
