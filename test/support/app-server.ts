/**
 * Starts the full app in this process (createApp: SQLite, local engine, gRPC with health and
 * reflection) on 127.0.0.1:0 with a fresh data dir and short test intervals, and a generated
 * client connected to it. For a bare gRPC server with hand-picked services see grpc-server.ts;
 * for a real `serve` process see server-process.ts.
 */
import { credentials } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config/load-config.js';
import { RemoteWorkflowServiceClient } from '../../src/gen/flowserv/remote/v1/service.js';
import { scratch } from './fixtures.js';
import { silentLogger } from './logger.js';

/** A started app and a raw generated client. */
export interface AppServer {
  readonly app: App;
  readonly address: string;
  readonly dataDir: string;
  readonly client: RemoteWorkflowServiceClient;
  /** Closes the client and drains the server. */
  stop(): Promise<void>;
}

/** Options: extra flags (after the test defaults, so they win), an existing data dir, a logger. */
export interface AppServerOptions {
  readonly args?: readonly string[];
  readonly dataDir?: string;
  /** Silent unless given (memoryLogger() to look at the log). */
  readonly logger?: Logger;
}

/** The flags every app server starts with: port 0, quick heartbeats and polls, a short drain. */
export function testServerFlags(dataDir: string): string[] {
  return [
    '--port', '0',
    '--data-dir', dataDir,
    '--log-level', 'silent',
    '--heartbeat-interval-ms', '500',
    '--local-poll-interval-ms', '100',
    '--shutdown-grace-ms', '2000',
  ];
}

/** Starts the app; always pair with `stop()` (afterEach/afterAll). A failed start leaves nothing open. */
export async function startAppServer(options: AppServerOptions = {}): Promise<AppServer> {
  const dataDir = options.dataDir ?? scratch('fsr-test-');
  const config = loadConfig({}, [...testServerFlags(dataDir), ...(options.args ?? [])]);
  const app = await createApp(config, { logger: options.logger ?? silentLogger() });
  let port: number;
  try {
    port = await app.start();
  } catch (err) {
    await app.stop('start failed');
    throw err;
  }
  const address = `127.0.0.1:${port}`;
  const client = new RemoteWorkflowServiceClient(address, credentials.createInsecure());
  return {
    app,
    address,
    dataDir,
    client,
    async stop() {
      client.close();
      await app.stop('test finished');
    },
  };
}
