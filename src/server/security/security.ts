/**
 * Transport security, authentication and per-client limits, assembled from the Config: the
 * server credentials (plaintext, TLS or mutual TLS, reloadable), the security interceptor, and
 * the reload that SIGHUP and the file watcher trigger. createApp builds it; `start()` must
 * succeed before the server binds, so a missing or broken file stops the start with a clear error.
 */
import { ServerCredentials, type ServerInterceptor } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { Config } from '../../config/load-config.js';
import { createAuthenticator, type Authenticator } from './authenticator.js';
import { callerResolver, type CallerOf } from './callers.js';
import { watchFiles, type FileWatch } from './file-watch.js';
import { createRateLimiter } from './rate-limiter.js';
import { securityInterceptor } from './security-interceptor.js';
import { createReloadableTls, type ReloadableTls } from './tls-credentials.js';

/** The settings security reads. */
export type SecurityConfig = Pick<
  Config,
  | 'tlsCertFile'
  | 'tlsKeyFile'
  | 'tlsClientCaFile'
  | 'authTokenFile'
  | 'authJwtKeyFile'
  | 'authJwtIssuer'
  | 'authJwtAudience'
  | 'securityReloadIntervalMs'
  | 'createRatePerMinute'
  | 'createBurst'
  | 'host'
>;

/** CreateWorkflow calls per minute per client on an exposed server when none is configured (300/s). */
export const DEFAULT_EXPOSED_CREATE_RATE_PER_MINUTE = 18_000;

/** True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * The CreateWorkflow rate per minute in force: the configured one, else none on a loopback-only
 * server (its clients are this machine's own) and the exposed default elsewhere.
 */
export function effectiveCreateRatePerMinute(config: Pick<SecurityConfig, 'createRatePerMinute' | 'host'>): number {
  return config.createRatePerMinute ?? (isLoopbackHost(config.host) ? 0 : DEFAULT_EXPOSED_CREATE_RATE_PER_MINUTE);
}

/** What a reload did; `ok` is false when any part kept its previous files. */
export interface ReloadReport {
  readonly ok: boolean;
  readonly tls?: 'reloaded' | 'unchanged' | 'failed';
  readonly auth?: 'reloaded' | 'failed';
}

export interface Security {
  /** For `bindAsync`: insecure when no certificate is configured. */
  readonly credentials: ServerCredentials;
  /** Server interceptors to run after the access log. */
  readonly interceptors: readonly ServerInterceptor[];
  /**
   * Who a call that passed the interceptors is from (owner and role), for the handlers: the
   * authenticated principal, or the anonymous caller that sees all when authentication is off.
   */
  readonly callerOf: CallerOf;
  /** Loads every file (throws naming the bad one) and starts watching them. */
  start(): Promise<void>;
  /** Re-reads every file; parts that fail keep serving their previous files. Never throws. */
  reload(trigger: string): Promise<ReloadReport>;
  /** Stops watching. */
  close(): void;
}

export function createSecurity(config: SecurityConfig, logger: Logger): Security {
  const tls: ReloadableTls | undefined =
    config.tlsCertFile !== undefined && config.tlsKeyFile !== undefined
      ? createReloadableTls({ certFile: config.tlsCertFile, keyFile: config.tlsKeyFile, caFile: config.tlsClientCaFile })
      : undefined;
  const authenticator: Authenticator | undefined =
    config.authTokenFile !== undefined || config.authJwtKeyFile !== undefined
      ? createAuthenticator({
          tokenFile: config.authTokenFile,
          jwtKeyFile: config.authJwtKeyFile,
          jwt: { issuer: config.authJwtIssuer, audience: config.authJwtAudience },
        })
      : undefined;
  const ratePerMinute = effectiveCreateRatePerMinute(config);
  const createLimit = ratePerMinute > 0 ? { ratePerMinute, burst: config.createBurst } : undefined;
  const interceptor = securityInterceptor({
    authenticator,
    createLimiter: createLimit && createRateLimiter(createLimit),
    createLimit,
    logger,
  });
  const watches: FileWatch[] = [];

  const reloadTls = async (trigger: string): Promise<ReloadReport['tls']> => {
    if (!tls) return undefined;
    try {
      const { changed, certificate } = await tls.reload();
      if (changed) logger.info({ trigger, certificate, mutualTls: config.tlsClientCaFile !== undefined }, 'TLS certificate loaded');
      return changed ? 'reloaded' : 'unchanged';
    } catch (err) {
      logger.error({ err, trigger }, 'TLS files unusable; still serving the previous certificate');
      return 'failed';
    }
  };
  const reloadAuth = async (trigger: string): Promise<ReloadReport['auth']> => {
    if (!authenticator) return undefined;
    try {
      const loaded = await authenticator.reload();
      logger.info({ trigger, ...loaded }, 'authentication settings loaded');
      return 'reloaded';
    } catch (err) {
      logger.error({ err, trigger }, 'authentication files unusable; still accepting the previous tokens');
      return 'failed';
    }
  };

  return {
    credentials: tls?.credentials ?? ServerCredentials.createInsecure(),
    // With authentication and rate limits off the gate has nothing to decide: it is not installed.
    interceptors: authenticator || createLimit ? [interceptor] : [],
    callerOf: callerResolver(authenticator !== undefined),
    async start() {
      if (tls) {
        const { certificate } = await tls.reload().catch((err: Error) => {
          throw new Error(`TLS: ${err.message}`, { cause: err });
        });
        logger.info({ certificate, mutualTls: config.tlsClientCaFile !== undefined }, 'TLS certificate loaded');
        watches.push(watchFiles(tls.files, config.securityReloadIntervalMs, async () => (await reloadTls('file change')) !== 'failed'));
      }
      if (authenticator) {
        const loaded = await authenticator.reload();
        logger.info(loaded, 'authentication on');
        watches.push(watchFiles(authenticator.files, config.securityReloadIntervalMs, async () => (await reloadAuth('file change')) !== 'failed'));
      }
    },
    async reload(trigger) {
      const [tlsOutcome, authOutcome] = await Promise.all([reloadTls(trigger), reloadAuth(trigger)]);
      return {
        ok: tlsOutcome !== 'failed' && authOutcome !== 'failed',
        ...(tlsOutcome && { tls: tlsOutcome }),
        ...(authOutcome && { auth: authOutcome }),
      };
    },
    close() {
      for (const watch of watches.splice(0)) watch.close();
    },
  };
}
