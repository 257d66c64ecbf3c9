/**
 * `flowserv-remote migrate`: brings the store's schema up to date and exits, so that a deployment
 * can migrate before its replicas start (the Job in deploy/kubernetes-ha) and a failure, such as
 * wrong credentials, shows there instead of in crash-looping pods. Takes serve's settings (flags or
 * FLOWSERV_REMOTE_* variables); only the store, the database URL and the data directory matter.
 * Servers migrate at start as well, under the same database lock, so running both is safe.
 */
import { ConfigError, loadConfig } from '../config/load-config.js';
import { componentLogger, createLogger } from '../logging/logger.js';
import { openStore } from '../store/open-store.js';
import { EXIT_USAGE, type Command } from './commands.js';

export const command: Command = {
  async run(args, io) {
    if (args.includes('--help') || args.includes('-h')) {
      io.stdout.write('usage: flowserv-remote migrate [serve\'s flags]\n\nApplies pending schema migrations of the configured store (--store, --database-url or PG* variables, --data-dir) and exits.\n');
      return 0;
    }
    let config;
    try {
      config = loadConfig(io.env, args);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      io.stderr.write(`flowserv-remote migrate: ${err.message}\n`);
      return EXIT_USAGE;
    }
    const logger = createLogger({ level: config.logLevel });
    const store = await openStore({ store: config.store, dataDir: config.dataDir, databaseUrl: config.databaseUrl, poolSize: 1 }, componentLogger(logger, 'store'));
    try {
      await store.prepare();
      return 0;
    } catch (err) {
      logger.fatal({ err }, 'migrating the database failed');
      return 1;
    } finally {
      await store.close().catch(() => undefined);
    }
  },
};
