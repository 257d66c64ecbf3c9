/**
 * Starts the real server (createApp: SQLite, local engine, gRPC with health and reflection) on
 * 127.0.0.1:0 in this process, with a fresh data dir, and a ts-proto client connected to it.
 */
import { credentials } from '@grpc/grpc-js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config/load-config.js';
import { RemoteWorkflowServiceClient } from '../../src/gen/flowserv/remote/v1/service.js';

/** A started server and a raw generated client. */
export interface TestServer {
  readonly app: App;
  readonly address: string;
  readonly dataDir: string;
  readonly client: RemoteWorkflowServiceClient;
  /** Closes the client and drains the server. */
  stop(): Promise<void>;
}

/** Options: extra CLI flags (e.g. `['--local-max-concurrent-jobs', '1']`) and an existing data dir. */
export interface TestServerOptions {
  readonly args?: readonly string[];
  readonly dataDir?: string;
}

/** Starts a server; always pair with `stop()` (afterEach/afterAll). */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'fsr-test-'));
  const config = loadConfig({}, [
    '--port', '0',
    '--data-dir', dataDir,
    '--log-level', 'silent',
    '--heartbeat-interval-ms', '500',
    '--poll-interval-ms', '100',
    '--shutdown-grace-ms', '2000',
    ...(options.args ?? []),
  ]);
  const app = createApp(config, { logger: pino({ level: 'silent' }) });
  const port = await app.start();
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
