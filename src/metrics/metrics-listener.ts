/**
 * The separate HTTP listener Prometheus scrapes: `GET /metrics` in the text exposition format,
 * 404 for anything else. Kept apart from the gRPC port so that a mesh can expose it on its own
 * (scrape annotations) and so that metrics never share the gRPC server's connection limits.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

/** A started (or startable) metrics listener. */
export interface MetricsListener {
  /** Binds `host:port` (0 = any free port); resolves with the bound port. */
  start(): Promise<number>;
  /** Closes the listener and its idle connections. */
  close(): Promise<void>;
}

/** Options of createMetricsListener. */
export interface MetricsListenerOptions {
  readonly registry: Registry;
  readonly host: string;
  readonly port: number;
  readonly logger: Logger;
}

/** Creates the listener; nothing listens until start(). */
export function createMetricsListener(options: MetricsListenerOptions): MetricsListener {
  const { registry, logger } = options;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: metrics are at GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(req.method === 'HEAD' ? undefined : text),
      (err: unknown) => {
        logger.error({ err }, 'collecting metrics failed');
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('collecting metrics failed\n');
      },
    );
  });
  server.keepAliveTimeout = 65_000;
  return {
    start: () =>
      new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port, options.host, () => {
          server.off('error', reject);
          const { port } = server.address() as AddressInfo;
          logger.info({ host: options.host, port }, 'metrics listening');
          resolve(port);
        });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        if (!server.listening) {
          resolve();
          return;
        }
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
