/**
 * The TypeScript client against a server with mutual TLS and tokens, configured as the README's
 * Security section shows: TLS credentials and `bearerToken`; typed errors for refusals.
 */
import { credentials } from '@grpc/grpc-js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { GrpcRemoteClient } from '../../../src/client/index.js';
import { makePki, type Pki } from './pki.js';
import { startSecureServer, type SecureTestServer } from './support.js';

const TOKEN = 'client-test-token-0123456789abcdef';
const READER = 'client-test-reader-0123456789abcdef';
let pki: Pki;
let server: SecureTestServer;
const clients: GrpcRemoteClient[] = [];

beforeAll(async () => {
  pki = makePki(mkdtempSync(join(tmpdir(), 'fsr-pki-client-')));
  writeFileSync(pki.path('tokens'), `${TOKEN} name=ts-client\n${READER} read-only\n`);
  server = await startSecureServer([
    '--tls-cert-file', pki.path('server1.crt'), '--tls-key-file', pki.path('server1.key'), '--tls-client-ca-file', pki.path('client-ca.crt'),
    '--auth-token-file', pki.path('tokens'),
  ]);
});
afterAll(async () => {
  for (const client of clients) client.close();
  await server.stop();
  rmSync(pki.dir, { recursive: true, force: true });
});

function connect(token: string | undefined): GrpcRemoteClient {
  const client = new GrpcRemoteClient(`localhost:${server.port}`, {
    credentials: credentials.createSsl(pki.read('server-ca.crt'), pki.read('client.key'), pki.read('client.crt')),
    ...(token !== undefined && { bearerToken: token }),
    retry: { maxAttempts: 1 },
  });
  clients.push(client);
  return client;
}

it('calls the server over mutual TLS with a bearer token', async () => {
  const info = await connect(TOKEN).getServiceInfo({ timeoutMs: 5_000 });
  expect(info.version).toBeTruthy();
  expect((await connect(TOKEN).listWorkflows({}, { timeoutMs: 5_000 })).workflows).toEqual([]);
});

it('surfaces refusals as typed errors with the reason', async () => {
  await expect(connect(undefined).getServiceInfo({ timeoutMs: 5_000 })).rejects.toMatchObject({ reason: 'UNAUTHENTICATED' });
  await expect(connect(READER).stopWorkflow('nope', { timeoutMs: 5_000 })).rejects.toMatchObject({ reason: 'PERMISSION_DENIED' });
});
