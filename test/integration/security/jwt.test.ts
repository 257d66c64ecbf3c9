/**
 * JWT bearer tokens verified with a configured key: an EC public key with issuer and audience
 * checks, and an HMAC secret. Signature, expiry, audience, issuer, algorithm and scope are each
 * tested on purpose.
 */
import { status as Code } from '@grpc/grpc-js';
import { createSecretKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBES } from './probes.js';
import { bearer, startSecureServer, type SecureTestServer } from './support.js';

const ISSUER = 'https://issuer.test';
const AUDIENCE = 'flowserv-remote';
const info = PROBES.find((p) => p.rpc === 'GetServiceInfo')!;
const create = PROBES.find((p) => p.rpc === 'CreateWorkflow')!;

let dir: string;
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const otherEc = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const secret = createSecretKey(Buffer.from('0123456789abcdef0123456789abcdef-test-secret'));

interface Claims {
  sub?: string;
  iss?: string;
  aud?: string;
  exp?: number | string;
  scope?: string;
}

function sign(key: KeyObject, alg: string, claims: Claims): Promise<string> {
  const { exp = '5m', ...rest } = claims;
  let jwt = new SignJWT({ ...rest }).setProtectedHeader({ alg }).setIssuedAt();
  if (exp !== 0) jwt = jwt.setExpirationTime(exp);
  return jwt.sign(key);
}
const good: Claims = { sub: 'alice', iss: ISSUER, aud: AUDIENCE };

describe('JWT with an EC public key, issuer and audience', () => {
  let server: SecureTestServer;
  const tokens: string[] = [];
  const call = async (token: string, probe = info) => {
    tokens.push(token);
    return probe.call(server.client(), bearer(token));
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fsr-jwt-'));
    const keyFile = join(dir, 'jwt.pub.pem');
    writeFileSync(keyFile, ec.publicKey.export({ type: 'spki', format: 'pem' }));
    server = await startSecureServer(['--auth-jwt-key-file', keyFile, '--auth-jwt-issuer', ISSUER, '--auth-jwt-audience', AUDIENCE]);
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts a valid token on reads and writes', async () => {
    expect((await call(await sign(ec.privateKey, 'ES256', good))).code).toBe(Code.OK);
    expect((await call(await sign(ec.privateKey, 'ES256', good), create)).code).toBe(Code.INVALID_ARGUMENT); // the handler ran
  });

  it.each([
    ['signed by another key', () => sign(otherEc.privateKey, 'ES256', good), /bad signature/],
    ['expired', () => sign(ec.privateKey, 'ES256', { ...good, exp: Math.floor(Date.now() / 1000) - 120 }), /expired/],
    ['without exp', () => sign(ec.privateKey, 'ES256', { ...good, exp: 0 }), /claim 'exp'/],
    // Without a subject there is no owner to record: such tokens would all share one.
    ['without sub', () => sign(ec.privateKey, 'ES256', { iss: ISSUER, aud: AUDIENCE }), /claim 'sub'/],
    ['for another audience', () => sign(ec.privateKey, 'ES256', { ...good, aud: 'someone-else' }), /claim 'aud'/],
    ['from another issuer', () => sign(ec.privateKey, 'ES256', { ...good, iss: 'https://evil.test' }), /claim 'iss'/],
    ['HS256 with a made-up secret (algorithm not accepted)', () => sign(secret, 'HS256', good), /algorithm not accepted/],
  ])('refuses a token %s with UNAUTHENTICATED', async (_name, make, message) => {
    const outcome = await call(await make());
    expect(outcome.code).toBe(Code.UNAUTHENTICATED);
    expect(outcome.details?.errorInfo?.reason).toBe('UNAUTHENTICATED');
    expect(outcome.message).toMatch(message);
  });

  it('a token whose scope lacks flowserv:write is read-only', async () => {
    const token = await sign(ec.privateKey, 'ES256', { ...good, scope: 'flowserv:read' });
    expect((await call(token)).code).toBe(Code.OK);
    expect((await call(token, create)).code).toBe(Code.PERMISSION_DENIED);
    const writer = await sign(ec.privateKey, 'ES256', { ...good, scope: 'flowserv:read flowserv:write' });
    expect((await call(writer, create)).code).toBe(Code.INVALID_ARGUMENT);
  });

  it('never logs a token', () => {
    const log = server.logText();
    expect(tokens.length).toBeGreaterThan(5);
    for (const token of tokens) expect(log).not.toContain(token.split('.')[2]!);
  });
});

describe('JWT with an HMAC secret', () => {
  let server: SecureTestServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fsr-jwt-hs-'));
    const keyFile = join(dir, 'jwt.secret');
    writeFileSync(keyFile, `${secret.export().toString()}\n`);
    server = await startSecureServer(['--auth-jwt-key-file', keyFile]);
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts HS256 tokens signed with the secret (the trailing newline is not part of it)', async () => {
    expect((await info.call(server.client(), bearer(await sign(secret, 'HS256', { sub: 'bob' })))).code).toBe(Code.OK);
  });

  it('refuses tokens signed with another secret', async () => {
    const other = createSecretKey(Buffer.from('another-secret-another-secret-another-secret'));
    expect((await info.call(server.client(), bearer(await sign(other, 'HS256', { sub: 'bob' })))).code).toBe(Code.UNAUTHENTICATED);
  });

  it('refuses to start with a secret shorter than 32 bytes', async () => {
    const keyFile = join(dir, 'short.secret');
    writeFileSync(keyFile, 'too-short\n');
    await expect(startSecureServer(['--auth-jwt-key-file', keyFile])).rejects.toThrow(/at least 32 bytes/);
  });
});
