/**
 * Transport security against the real server: TLS, mutual TLS, and certificate reload without a
 * restart (reload function, file change, and SIGHUP to a real `serve` process).
 */
import { credentials, Metadata, status as Code } from '@grpc/grpc-js';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnServerProcess } from '../../support/server-process.js';
import { makePki, type Pki } from './pki.js';
import { servedCertificate, startSecureServer, unaryOutcome, type SecureTestServer } from './support.js';

let pki: Pki;
let servers: SecureTestServer[] = [];

beforeAll(() => {
  pki = makePki(mkdtempSync(join(tmpdir(), 'fsr-pki-')));
});
afterAll(() => rmSync(pki.dir, { recursive: true, force: true }));
afterEach(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  servers = [];
});

async function start(args: readonly string[]): Promise<SecureTestServer> {
  const server = await startSecureServer(args);
  servers.push(server);
  return server;
}

/** GetServiceInfo over a fresh client with `creds`. */
const info = (server: SecureTestServer, creds: Parameters<SecureTestServer['client']>[0]) => {
  const client = server.client(creds);
  return unaryOutcome((md, o, cb) => client.getServiceInfo({}, md, o, cb), new Metadata());
};

/** A server cert/key pair copied to files the test may overwrite. */
function servingFiles(name: 'server1' | 'server2'): { cert: string; key: string } {
  const dir = mkdtempSync(join(pki.dir, 'serving-'));
  const files = { cert: join(dir, 'tls.crt'), key: join(dir, 'tls.key') };
  copyFileSync(pki.path(`${name}.crt`), files.cert);
  copyFileSync(pki.path(`${name}.key`), files.key);
  return files;
}

describe('TLS', () => {
  it('serves TLS clients that trust the CA and refuses plaintext clients', async () => {
    const server = await start(['--tls-cert-file', pki.path('server1.crt'), '--tls-key-file', pki.path('server1.key')]);
    expect(await info(server, credentials.createSsl(pki.read('server-ca.crt')))).toMatchObject({ code: Code.OK });
    expect((await info(server, credentials.createInsecure())).code).toBe(Code.UNAVAILABLE);
    // A client that does not trust the server's CA is refused too.
    expect((await info(server, credentials.createSsl(pki.read('other-ca.crt')))).code).toBe(Code.UNAVAILABLE);
  });

  it('with a client CA, admits only clients whose certificate that CA signed', async () => {
    const server = await start([
      '--tls-cert-file', pki.path('server1.crt'), '--tls-key-file', pki.path('server1.key'), '--tls-client-ca-file', pki.path('client-ca.crt'),
    ]);
    const ca = pki.read('server-ca.crt');
    expect((await info(server, credentials.createSsl(ca))).code).toBe(Code.UNAVAILABLE);
    expect((await info(server, credentials.createSsl(ca, pki.read('other-client.key'), pki.read('other-client.crt')))).code).toBe(Code.UNAVAILABLE);
    expect((await info(server, credentials.createSsl(ca, pki.read('client.key'), pki.read('client.crt')))).code).toBe(Code.OK);
    expect((await info(server, credentials.createInsecure())).code).toBe(Code.UNAVAILABLE);
  });

  it('refuses to start when the key does not match the certificate', async () => {
    await expect(startSecureServer(['--tls-cert-file', pki.path('server1.crt'), '--tls-key-file', pki.path('server2.key')])).rejects.toThrow(/TLS/);
  });
});

describe('certificate reload', () => {
  const ca = () => pki.read('server-ca.crt');

  it('serves the new certificate to new connections after reloadSecurity, keeps open ones, never restarts', async () => {
    const files = servingFiles('server1');
    const server = await start(['--tls-cert-file', files.cert, '--tls-key-file', files.key, '--security-reload-interval-ms', '0']);
    const before = await servedCertificate(server.port, ca());
    expect(before.serialNumber).toBe('1001');
    const openClient = server.client(credentials.createSsl(ca()));
    const call = () => unaryOutcome((md, o, cb) => openClient.getServiceInfo({}, md, o, cb), new Metadata());
    expect((await call()).code).toBe(Code.OK);

    copyFileSync(pki.path('server2.crt'), files.cert);
    copyFileSync(pki.path('server2.key'), files.key);
    expect(await server.app.reloadSecurity('test')).toEqual({ ok: true, tls: 'reloaded' });

    const after = await servedCertificate(server.port, ca());
    expect(after.serialNumber).toBe('1002');
    expect(after.fingerprint256).not.toBe(before.fingerprint256);
    expect((await call()).code).toBe(Code.OK);
    expect(server.app.server.shutdownSignal.aborted).toBe(false);
    expect(server.logText()).toContain('"serialNumber":"1002"');
  });

  it('keeps serving the old certificate when the new files do not match', async () => {
    const files = servingFiles('server1');
    const server = await start(['--tls-cert-file', files.cert, '--tls-key-file', files.key, '--security-reload-interval-ms', '0']);
    copyFileSync(pki.path('server2.crt'), files.cert); // key still server1's: half-way through a rotation
    expect(await server.app.reloadSecurity('test')).toEqual({ ok: false, tls: 'failed' });
    expect((await servedCertificate(server.port, ca())).serialNumber).toBe('1001');
    writeFileSync(files.key, pki.read('server2.key'));
    expect((await server.app.reloadSecurity('test')).tls).toBe('reloaded');
    expect((await servedCertificate(server.port, ca())).serialNumber).toBe('1002');
  });

  it('picks up replaced files by itself (polling)', async () => {
    const files = servingFiles('server1');
    const server = await start(['--tls-cert-file', files.cert, '--tls-key-file', files.key, '--security-reload-interval-ms', '50']);
    expect((await servedCertificate(server.port, ca())).serialNumber).toBe('1001');
    copyFileSync(pki.path('server2.key'), files.key);
    copyFileSync(pki.path('server2.crt'), files.cert);
    await expect.poll(async () => (await servedCertificate(server.port, ca())).serialNumber, { timeout: 5_000, interval: 50 }).toBe('1002');
  });

  it('reloads on SIGHUP in a real serve process, which keeps running', async () => {
    const files = servingFiles('server1');
    const dataDir = mkdtempSync(join(tmpdir(), 'fsr-sec-proc-'));
    const proc = await spawnServerProcess(dataDir, ['--tls-cert-file', files.cert, '--tls-key-file', files.key, '--security-reload-interval-ms', '0']);
    try {
      const port = Number(proc.address.split(':')[1]);
      expect((await servedCertificate(port, ca())).serialNumber).toBe('1001');
      copyFileSync(pki.path('server2.crt'), files.cert);
      copyFileSync(pki.path('server2.key'), files.key);
      proc.child.kill('SIGHUP');
      await expect.poll(async () => (await servedCertificate(port, ca())).serialNumber, { timeout: 5_000, interval: 50 }).toBe('1002');
      expect(proc.child.exitCode).toBeNull();
      expect(proc.child.signalCode).toBeNull();
    } finally {
      proc.child.kill('SIGTERM');
      await proc.exited;
    }
  });
});
