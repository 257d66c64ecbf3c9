/**
 * Starts a bare gRPC server (createGrpcServer with the services and probes a test hands it, no
 * app, no store) on 127.0.0.1:0, with the embedded default config plus overrides and its log
 * captured in memory. For the full app see app-server.ts.
 */
import { loadConfig } from '../../src/config/load-config.js';
import { createGrpcServer, type GrpcServer, type GrpcServerOptions } from '../../src/server/grpc-server.js';
import { memoryLogger, type LogLine } from './logger.js';

/** A started bare server. */
export interface BareGrpcServer {
  readonly server: GrpcServer;
  readonly address: string;
  /** Every log line so far, parsed. */
  readonly lines: LogLine[];
  /** Shuts the server down (idempotent). */
  close(): Promise<void>;
}

/** What a test hands the server: everything but config and logger, and config overrides. */
export type BareGrpcServerOptions = Omit<GrpcServerOptions, 'config' | 'logger'> & {
  readonly config?: Partial<GrpcServerOptions['config']>;
};

/** Starts a server on 127.0.0.1:0 with embedded defaults plus `options.config`. */
export async function startGrpcServer(options: BareGrpcServerOptions): Promise<BareGrpcServer> {
  const { logger, lines } = memoryLogger();
  const config = { ...loadConfig({}, ['--port', '0']), ...options.config };
  const server = createGrpcServer({ ...options, config, logger });
  const port = await server.start();
  return {
    server,
    address: `127.0.0.1:${port}`,
    lines,
    close: async () => {
      await server.shutdown('test over');
    },
  };
}
