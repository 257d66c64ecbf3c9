/**
 * The server under test: the real app (createApp: SQLite in WAL, fsync'd commits, blob
 * store, local engine, gRPC with health) in this process on 127.0.0.1:0, with a fresh data dir
 * and production defaults, plus a generated client and a grpc.health.v1 client on one address.
 * The one exception is the per-client CreateWorkflow rate limit, turned off explicitly: it is a
 * policy (off by default on loopback, but on for exposed servers), and the throughput benchmark
 * would otherwise measure it.
 *
 * Deliberately not test/support/app-server.ts: that one shortens heartbeats and poll intervals
 * for test speed, and a benchmark must measure what is deployed.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, makeGenericClientConstructor, type Client, type ServiceError } from '@grpc/grpc-js';
import { service as healthDefinition } from 'grpc-health-check';
import pino from 'pino';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config/load-config.js';
import { RemoteWorkflowServiceClient } from '../src/gen/flowserv/remote/v1/service.js';
import { removeDataDir } from './data-dir.js';

/** A running server and its clients. */
export interface BenchServer {
  readonly dataDir: string;
  /** host:port, for clients in other processes. */
  readonly address: string;
  readonly client: RemoteWorkflowServiceClient;
  /** grpc.health.v1 `Check` of the overall entry: the cheapest RPC the server answers. */
  healthCheck(): Promise<void>;
  /** Closes the clients, drains the server and removes its data dir. */
  stop(): Promise<void>;
}

type HealthClient = Client & {
  check(request: { service: string }, callback: (err: ServiceError | null, response?: { status: string }) => void): void;
};

/** Starts a server with `args` (serve flags) on top of production defaults. */
export async function startBenchServer(args: readonly string[] = []): Promise<BenchServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'fsr-bench-'));
  const config = loadConfig({}, [
    '--port', '0',
    '--data-dir', dataDir,
    '--log-level', 'silent',
    '--create-rate-per-minute', '0',
    ...args,
  ]);
  const app = await createApp(config, { logger: pino({ level: 'silent' }) });
  const port = await app.start();
  const address = `127.0.0.1:${port}`;
  const client = new RemoteWorkflowServiceClient(address, credentials.createInsecure());
  const HealthCtor = makeGenericClientConstructor(healthDefinition, 'grpc.health.v1.Health');
  const health = new HealthCtor(address, credentials.createInsecure()) as unknown as HealthClient;
  return {
    dataDir,
    address,
    client,
    healthCheck: () =>
      new Promise((resolve, reject) => {
        health.check({ service: '' }, (err, res) => {
          if (err) reject(err);
          else if (res?.status !== 'SERVING') reject(new Error(`health is ${res?.status}`));
          else resolve();
        });
      }),
    async stop() {
      client.close();
      health.close();
      await app.stop('benchmark finished');
      await removeDataDir(dataDir);
    },
  };
}

/** Runs `fn` against a fresh server and always stops it. */
export async function withServer<T>(args: readonly string[], fn: (server: BenchServer) => Promise<T>): Promise<T> {
  const server = await startBenchServer(args);
  try {
    return await fn(server);
  } finally {
    await server.stop();
  }
}
