/**
 * Security test helpers: the real app (test/support/app-server.ts) with the given flags and a
 * log captured as raw text (to search for leaked tokens), generated clients with any credentials,
 * and a raw TLS probe that reports the certificate a new connection is served.
 */
import { credentials, Metadata, type CallOptions, type ChannelCredentials, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { connect } from 'node:tls';
import type { App } from '../../../src/app.js';
import { RemoteWorkflowServiceClient } from '../../../src/gen/flowserv/remote/v1/service.js';
import { startAppServer } from '../../support/app-server.js';
import { memoryLogger } from '../../support/logger.js';
import { decodeStatusDetails, type StatusDetails } from '../../../src/wire/status-details.js';

export interface SecureTestServer {
  readonly app: App;
  readonly port: number;
  readonly address: string;
  /** Every log line so far, as written (JSON text). */
  logText(): string;
  /** A generated client; closed by `stop()`. */
  client(creds?: ChannelCredentials, options?: Record<string, unknown>): RemoteWorkflowServiceClient;
  stop(): Promise<void>;
}

/** Starts the app (app-server.ts) with `args` after the test defaults, logging at trace level into memory. */
export async function startSecureServer(args: readonly string[]): Promise<SecureTestServer> {
  const log = memoryLogger('trace');
  const started = await startAppServer({ args: ['--shutdown-grace-ms', '1000', ...args], logger: log.logger });
  const port = Number(started.address.split(':').pop());
  const clients: RemoteWorkflowServiceClient[] = [];
  return {
    app: started.app,
    port,
    address: started.address,
    logText: log.text,
    client(creds = credentials.createInsecure(), options = {}) {
      const client = new RemoteWorkflowServiceClient(started.address, creds, options);
      clients.push(client);
      return client;
    },
    async stop() {
      for (const client of clients) client.close();
      await started.stop();
    },
  };
}

/** Metadata with the given headers. */
export function headers(entries: Readonly<Record<string, string>>): Metadata {
  const md = new Metadata();
  for (const [key, value] of Object.entries(entries)) md.add(key, value);
  return md;
}

/** `authorization: Bearer <token>`. */
export const bearer = (token: string) => headers({ authorization: `Bearer ${token}` });

/** The outcome of a call: OK, or the error's code and decoded details. */
export interface Outcome {
  readonly code: number;
  readonly message: string;
  readonly details: StatusDetails | undefined;
}

export const OK: Outcome = { code: 0, message: 'OK', details: undefined };

export function outcomeOf(err: unknown): Outcome {
  const e = err as ServiceError;
  return { code: e.code, message: e.details, details: decodeStatusDetails(e.metadata) };
}

/** Runs a unary call given as `(md, options, callback) => …`; resolves with its outcome. */
export function unaryOutcome(start: (md: Metadata, options: CallOptions, cb: (err: ServiceError | null) => void) => unknown, md: Metadata): Promise<Outcome> {
  return new Promise((resolve) => {
    start(md, { deadline: Date.now() + 10_000 }, (err) => resolve(err ? outcomeOf(err) : OK));
  });
}

/** Reads a server stream to its end or error; resolves with its outcome. */
export function streamOutcome(stream: ClientReadableStream<unknown>): Promise<Outcome> {
  return new Promise((resolve) => {
    stream.on('data', () => {});
    stream.on('error', (err) => resolve(outcomeOf(err)));
    stream.on('end', () => resolve(OK));
  });
}

/** What a fresh TLS connection (ALPN h2) is served: the certificate's serial and SHA-256 fingerprint. */
export function servedCertificate(port: number, ca: Buffer, client?: { cert: Buffer; key: Buffer }): Promise<{ serialNumber: string; fingerprint256: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ALPNProtocols: ['h2'], ca, ...client }, () => {
      const cert = socket.getPeerCertificate();
      const result = { serialNumber: cert.serialNumber, fingerprint256: cert.fingerprint256, alpn: socket.alpnProtocol };
      socket.destroy();
      if (result.alpn !== 'h2') reject(new Error(`ALPN gave ${String(result.alpn)}`));
      else resolve(result);
    });
    socket.on('error', reject);
  });
}
