/**
 * Helpers for server tests: an in-process server on 127.0.0.1:0 with a log captured in memory,
 * real grpc-js clients for health and reflection, and a spawned `flowserv-remote serve` process
 * whose port is read from its "listening" log line.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { credentials, makeGenericClientConstructor, type Client, type ServiceError } from '@grpc/grpc-js';
import { loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { service as healthService } from 'grpc-health-check';
import { createRequire } from 'node:module';
import { loadConfig } from '../../../src/config/load-config.js';
import { RemoteWorkflowServiceClient } from '../../../src/gen/flowserv/remote/v1/service.js';
import { createLogger } from '../../../src/logging/logger.js';
import { createGrpcServer, type GrpcServer, type GrpcServerOptions } from '../../../src/server/grpc-server.js';
import { spawnServerProcess, type LogLine, type ServerProcess } from '../../support/server-process.js';

export type { LogLine, ServerProcess };

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));


/** A logger whose lines land in `lines` (parsed). */
export function memoryLogger() {
  const lines: LogLine[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) } });
  return { logger, lines };
}

export interface TestServer {
  readonly server: GrpcServer;
  readonly address: string;
  readonly lines: LogLine[];
  /** Shuts the server down (idempotent). */
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1:0 with embedded defaults plus `overrides`. */
export async function startTestServer(
  options: Omit<GrpcServerOptions, 'config' | 'logger'> & { readonly config?: Partial<GrpcServerOptions['config']> },
): Promise<TestServer> {
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

/** A grpc.health.v1 client (proto-loader definition: enums as strings). */
export function healthClient(address: string): Client & Record<string, (...args: unknown[]) => unknown> {
  const Ctor = makeGenericClientConstructor(healthService, 'grpc.health.v1.Health');
  return new Ctor(address, credentials.createInsecure()) as Client & Record<string, (...args: unknown[]) => unknown>;
}

/** The generated RemoteWorkflowService client. */
export function remoteClient(address: string): RemoteWorkflowServiceClient {
  return new RemoteWorkflowServiceClient(address, credentials.createInsecure());
}

const require = createRequire(import.meta.url);
const reflectionRoot = path.join(path.dirname(require.resolve('@grpc/reflection/package.json')), 'build', 'proto');

/** A reflection client for `version` (v1 or v1alpha), messages decoded with proto-loader. */
export function reflectionClient(address: string, version: 'v1' | 'v1alpha'): Client & Record<string, (...args: unknown[]) => unknown> {
  const definition = loadSync(`grpc/reflection/${version}/reflection.proto`, {
    includeDirs: [reflectionRoot],
    keepCase: false,
    longs: Number,
    enums: String,
    oneofs: true,
  });
  const loaded = loadPackageDefinition(definition) as unknown as {
    grpc: { reflection: Record<string, { ServerReflection: new (address: string, creds: unknown) => Client }> };
  };
  const Ctor = loaded.grpc.reflection[version]!.ServerReflection;
  return new Ctor(address, credentials.createInsecure()) as Client & Record<string, (...args: unknown[]) => unknown>;
}

/** Promisified unary call on an untyped client. */
export function unary<Res>(client: Record<string, (...args: unknown[]) => unknown>, method: string, request: object): Promise<Res> {
  return new Promise((resolve, reject) => {
    client[method]!(request, (err: ServiceError | null, response: Res) => (err ? reject(err) : resolve(response)));
  });
}

/** Settles with the error a promise rejects with (fails when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (err) {
    return err as ServiceError;
  }
  throw new Error('expected the call to fail');
}

const CLI = path.join(REPO_ROOT, 'src', 'cli', 'main.ts');
/** node with the tsx loader, so that the child process IS the CLI (signals reach it directly). */
const NODE_ARGS = ['--import', 'tsx', CLI];

/** Runs `flowserv-remote <args>` from source; resolves with exit code, stdout and stderr. */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...NODE_ARGS, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Spawns `flowserv-remote serve --port 0` with a fresh data dir and debug logs; resolves once it listens. */
export function spawnServer(extraArgs: readonly string[] = []): Promise<ServerProcess> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'flowserv-remote-serve-'));
  return spawnServerProcess(dataDir, ['--log-level', 'debug', ...extraArgs]);
}
